using CoreFirmware.Ota.Protocol;
using CoreFirmware.Tests.Support;
using Xunit;
using static CoreFirmware.Tests.Protocol.ProtocolTestKeys;

namespace CoreFirmware.Tests.Protocol;

/// <summary>CoAP codec: round trips, RFC 7252 option encoding, and hostile input.</summary>
[Trait("Category", "Protocol")]
public class CoapMessageTests
{
    private static CoapMessage Decode(byte[] bytes, CoapResult expected = CoapResult.Ok)
    {
        var m = new CoapMessage();
        Assert.Equal(expected, m.Decode(bytes, 0, bytes.Length));
        return m;
    }

    [Fact]
    public void DecodesHeaderTokenOptionsAndPayload()
    {
        // CON POST id 0x1234 token 07, Uri-Path "c", Uri-Query CB F4 39 26, payload "12".
        var m = Decode(Hex("41 02 12 34 07 B1 63 44 CB F4 39 26 FF 31 32"));
        Assert.Equal(CoapType.Confirmable, m.Type);
        Assert.Equal(CoapCode.Post, m.Code);
        Assert.Equal(0x1234, m.MessageId);
        Assert.Equal(1, m.TokenLength);
        Assert.Equal(7, m.Token[0]);
        Assert.Equal(2, m.OptionCount);
        Assert.Equal(CoapOption.UriPath, m.GetOptionNumber(0));
        Assert.True(m.OptionIsChar(0, 'c'));
        Assert.Equal(CoapOption.UriQuery, m.GetOptionNumber(1));
        Assert.Equal(0xCBF43926u, m.GetOptionUInt32(1));
        Assert.Equal(2, m.PayloadLength);
        Assert.Equal((byte)'1', m.Buffer[m.PayloadOffset]);
    }

    [Fact]
    public void HeaderOnlyMessagesDecode()
    {
        var ping = Decode(Hex("40 00 00 01"));
        Assert.True(ping.IsEmpty);
        Assert.Equal(CoapType.Confirmable, ping.Type);
        Assert.Equal(0, ping.OptionCount);
        Assert.Equal(0, ping.PayloadLength);
    }

    [Fact]
    public void EmptyAckWithTokenAsSparkProtocolSendsItIsAccepted()
    {
        // spark-protocol's sendReply("PingAck", id) ends up with a 1-byte 0x00 token.
        var m = Decode(Hex("61 00 12 34 00"));
        Assert.Equal(CoapType.Acknowledgement, m.Type);
        Assert.True(m.IsEmpty);
        Assert.Equal(1, m.TokenLength);
        Assert.Equal(MessageKind.EmptyAck, SparkMessages.Classify(m));
    }

    public static IEnumerable<object[]> Malformed() => new[]
    {
        new object[] { "", CoapResult.Truncated },
        new object[] { "40 00 00", CoapResult.Truncated },
        new object[] { "00 00 00 01", CoapResult.BadVersion },
        new object[] { "80 00 00 01", CoapResult.BadVersion },
        new object[] { "C0 00 00 01", CoapResult.BadVersion },
        new object[] { "49 02 00 01 01 02 03 04 05 06 07 08 09", CoapResult.BadTokenLength },
        new object[] { "4F 02 00 01", CoapResult.BadTokenLength },
        new object[] { "48 02 00 01 01 02 03", CoapResult.Truncated }, // token 8 but 3 bytes
        new object[] { "41 02 00 01", CoapResult.Truncated },          // token 1 but none
        new object[] { "40 02 00 01 F1 63", CoapResult.ReservedOptionNibble }, // delta 15
        new object[] { "40 02 00 01 1F 63", CoapResult.ReservedOptionNibble }, // length 15
        new object[] { "40 02 00 01 B5 63", CoapResult.OptionPastEnd },         // length 5, 1 byte left
        new object[] { "40 02 00 01 D1", CoapResult.Truncated },                // delta 13, no ext byte
        new object[] { "40 02 00 01 E1 00", CoapResult.Truncated },             // delta 14, 1 of 2 ext bytes
        new object[] { "40 02 00 01 1D", CoapResult.Truncated },                // length 13, no ext byte
        new object[] { "40 02 00 01 1E 00", CoapResult.Truncated },             // length 14, 1 of 2 ext bytes
        new object[] { "40 02 00 01 1E FF FF", CoapResult.OptionPastEnd },      // length 65804, nothing there
        new object[] { "40 02 00 01 1D F0 61", CoapResult.OptionPastEnd },      // length 253
        new object[] { "40 02 00 01 E0 FF 00 E0 FF 00", CoapResult.OptionNumberTooLarge }, // 65549 + 65549
        new object[] { "40 02 00 01 FF", CoapResult.EmptyPayload },
        new object[] { "40 02 00 01 B1 63 FF", CoapResult.EmptyPayload },
        new object[] { "40 00 00 01 B1 63", CoapResult.EmptyMessageNotEmpty },
        new object[] { "60 00 00 01 FF 01", CoapResult.EmptyMessageNotEmpty },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedInputGivesClearResult(string hex, CoapResult expected)
    {
        var m = Decode(Hex(hex), expected);
        Assert.Equal(0, m.OptionCount);
        Assert.Equal(0, m.PayloadLength);
        Assert.Null(m.Buffer);
    }

    [Fact]
    public void TooManyOptionsIsRejected()
    {
        var bytes = new List<byte> { 0x40, 0x02, 0x00, 0x01 };
        for (int i = 0; i <= CoapMessage.MaxOptions; i++)
        {
            bytes.Add(0x00); // option delta 0, length 0 (option number 0 repeated)
        }

        Decode(bytes.ToArray(), CoapResult.TooManyOptions);
        bytes.RemoveAt(bytes.Count - 1);
        Assert.Equal(CoapMessage.MaxOptions, Decode(bytes.ToArray()).OptionCount);
    }

    [Fact]
    public void DecodeNeverReadsOutsideTheGivenRange()
    {
        // A valid message followed by bytes that would extend it: decoding only the first part
        // must not see them (option length points past the given count).
        byte[] buf = Hex("40 02 00 01 B4 61 62 63 64 EE EE");
        var m = new CoapMessage();
        Assert.Equal(CoapResult.OptionPastEnd, m.Decode(buf, 0, 7));
        Assert.Equal(CoapResult.Ok, m.Decode(buf, 0, 9));
        Assert.Equal(CoapResult.InvalidArgument, m.Decode(buf, 5, 7));
        Assert.Equal(CoapResult.InvalidArgument, m.Decode(null!, 0, 0));
        Assert.Equal(CoapResult.InvalidArgument, m.Decode(buf, -1, 2));
    }

    [Fact]
    public void RandomGarbageNeverThrows()
    {
        var rng = new Random(7252);
        var m = new CoapMessage();
        var buf = new byte[96];
        var results = new HashSet<CoapResult>();
        for (int i = 0; i < 200_000; i++)
        {
            rng.NextBytes(buf);
            // Bias towards version 1 so the option parser gets exercised.
            if ((i & 1) == 0)
            {
                buf[0] = (byte)(0x40 | (buf[0] & 0x3F));
            }

            int off = rng.Next(0, 8);
            int count = rng.Next(0, buf.Length - off + 1);
            CoapResult r = m.Decode(buf, off, count);
            results.Add(r);
            if (r == CoapResult.Ok)
            {
                for (int k = 0; k < m.OptionCount; k++)
                {
                    Assert.InRange(m.GetOptionOffset(k) + m.GetOptionLength(k), off, off + count);
                }

                Assert.InRange(m.PayloadOffset + m.PayloadLength, off, off + count);
            }
        }

        Assert.Contains(CoapResult.Ok, results);
        Assert.Contains(CoapResult.ReservedOptionNibble, results);
        Assert.Contains(CoapResult.OptionPastEnd, results);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(268)]
    [InlineData(269)]
    [InlineData(1000)]
    public void OptionLengthExtensionsRoundTrip(int length)
    {
        var value = new byte[length];
        new Random(length).NextBytes(value);
        var buf = new byte[length + 32];
        var w = new CoapWriter();
        w.Start(buf, 0, buf.Length, CoapType.NonConfirmable, CoapCode.Post, 9, null!, 0, 0);
        Assert.Equal(CoapResult.Ok, w.AddOption(CoapOption.UriPath, value, 0, length));
        int expectedHeader = length < 13 ? 1 : length < 269 ? 2 : 3;
        Assert.Equal(4 + expectedHeader + length, w.Length);
        var m = Decode(buf[..w.Length]);
        Assert.Equal(1, m.OptionCount);
        Assert.Equal(length, m.GetOptionLength(0));
        Assert.Equal(value, m.Buffer.AsSpan(m.GetOptionOffset(0), length).ToArray());
    }

    [Theory]
    [InlineData(1, "10")]
    [InlineData(12, "C0")]
    [InlineData(13, "D0 00")]
    [InlineData(268, "D0 FF")]
    [InlineData(269, "E0 00 00")]
    [InlineData(65535, "E0 FE F2")]
    public void OptionDeltaExtensionsMatchRfc7252(int number, string header)
    {
        var buf = new byte[16];
        var w = new CoapWriter();
        w.Start(buf, 0, buf.Length, CoapType.Confirmable, CoapCode.Get, 0, null!, 0, 0);
        Assert.Equal(CoapResult.Ok, w.AddOption(number, null!, 0, 0));
        Assert.Equal(Hex("40 01 00 00 " + header), buf[..w.Length]);
        var m = Decode(buf[..w.Length]);
        Assert.Equal(number, m.GetOptionNumber(0));
    }

    [Fact]
    public void RandomMessagesRoundTrip()
    {
        var rng = new Random(42);
        var w = new CoapWriter();
        var m = new CoapMessage();
        var buf = new byte[2048];
        for (int t = 0; t < 2000; t++)
        {
            var type = (CoapType)rng.Next(0, 4);
            int code = rng.Next(1, 256);
            int id = rng.Next(0, 65536);
            var token = new byte[rng.Next(0, 9)];
            rng.NextBytes(token);
            Assert.Equal(CoapResult.Ok, w.Start(buf, 3, buf.Length - 3, type, code, id, token, 0, token.Length));
            int n = rng.Next(0, 6);
            var numbers = new int[n];
            var values = new byte[n][];
            int number = 0;
            for (int i = 0; i < n; i++)
            {
                number += rng.Next(0, 300);
                numbers[i] = number;
                values[i] = new byte[rng.Next(0, 300)];
                rng.NextBytes(values[i]);
                Assert.Equal(CoapResult.Ok, w.AddOption(number, values[i], 0, values[i].Length));
            }

            var payload = new byte[rng.Next(0, 200)];
            rng.NextBytes(payload);
            Assert.Equal(CoapResult.Ok, w.SetPayload(payload, 0, payload.Length));

            Assert.Equal(CoapResult.Ok, m.Decode(buf, 3, w.Length));
            Assert.Equal(type, m.Type);
            Assert.Equal(code, m.Code);
            Assert.Equal(id, m.MessageId);
            Assert.True(m.TokenEquals(token, 0, token.Length));
            Assert.Equal(n, m.OptionCount);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(numbers[i], m.GetOptionNumber(i));
                Assert.Equal(values[i], buf.AsSpan(m.GetOptionOffset(i), m.GetOptionLength(i)).ToArray());
            }

            Assert.Equal(payload, buf.AsSpan(m.PayloadOffset, m.PayloadLength).ToArray());
        }
    }

    [Fact]
    public void WriterRejectsMisuseWithStickyErrors()
    {
        var buf = new byte[8];
        var w = new CoapWriter();
        Assert.Equal(CoapResult.InvalidState, w.AddOption(11, null!, 0, 0)); // nothing started
        Assert.Equal(CoapResult.BadTokenLength, w.Start(buf, 0, 8, CoapType.Confirmable, 1, 1, new byte[9], 0, 9));
        Assert.Equal(CoapResult.BufferTooSmall, w.Start(buf, 0, 3, CoapType.Confirmable, 1, 1, null!, 0, 0));
        Assert.Equal(CoapResult.InvalidArgument, w.Start(buf, 4, 8, CoapType.Confirmable, 1, 1, null!, 0, 0));
        Assert.Equal(CoapResult.InvalidArgument, w.Start(buf, 0, 8, CoapType.Confirmable, 1, 70000, null!, 0, 0));

        Assert.Equal(CoapResult.Ok, w.Start(buf, 0, 8, CoapType.Confirmable, 1, 1, null!, 0, 0));
        Assert.Equal(CoapResult.Ok, w.AddByteOption(15, 1));
        Assert.Equal(CoapResult.OptionOutOfOrder, w.AddByteOption(11, 1));
        Assert.Equal(CoapResult.OptionOutOfOrder, w.SetPayload(new byte[1], 0, 1)); // sticky

        Assert.Equal(CoapResult.Ok, w.Start(buf, 0, 8, CoapType.Confirmable, 1, 1, null!, 0, 0));
        Assert.Equal(CoapResult.BufferTooSmall, w.SetPayload(new byte[4], 0, 4));

        Assert.Equal(CoapResult.Ok, w.Start(buf, 0, 8, CoapType.Confirmable, 1, 1, null!, 0, 0));
        Assert.Equal(CoapResult.Ok, w.SetPayload(new byte[1], 0, 1));
        Assert.Equal(CoapResult.InvalidState, w.AddByteOption(60, 1)); // option after payload
    }

    [Fact]
    public void UIntOptionsUseMinimalLength()
    {
        var buf = new byte[32];
        var w = new CoapWriter();
        w.Start(buf, 0, buf.Length, CoapType.NonConfirmable, CoapCode.Post, 0, null!, 0, 0);
        w.AddUIntOption(CoapOption.MaxAge, 0);
        w.AddUIntOption(CoapOption.MaxAge, 60);
        w.AddUIntOption(CoapOption.MaxAge, 0x1234);
        w.AddUIntOption(CoapOption.MaxAge, 0xFFFFFFFF);
        Assert.Equal(Hex("50 02 00 00 D0 01 01 3C 02 12 34 04 FF FF FF FF"), buf[..w.Length]);
        var m = Decode(buf[..w.Length]);
        Assert.Equal(0L, m.GetOptionUInt(0));
        Assert.Equal(60L, m.GetOptionUInt(1));
        Assert.Equal(0x1234L, m.GetOptionUInt(2));
        Assert.Equal(0xFFFFFFFFL, m.GetOptionUInt(3));
    }

    [Fact]
    public void EncodeAndDecodeAllocateNothing()
    {
        var w = new CoapWriter();
        var m = new CoapMessage();
        var buf = new byte[700];
        var chunk = new byte[594];
        void Once()
        {
            SparkMessages.Chunk(w, buf, 0, buf.Length, 77, 3, 0xCBF43926, 12, chunk, 0, chunk.Length);
            m.Decode(buf, 0, w.Length);
            SparkMessages.ReadChunkCrc(m, out _);
            SparkMessages.ReadChunkIndex(m, out _);
            SparkMessages.ChunkReceived(w, buf, 0, buf.Length, 78, m, true);
            m.Decode(buf, 0, w.Length);
        }

        Once();
        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                Once();
            }
        });

        Assert.Equal(0, allocated);
    }
}
