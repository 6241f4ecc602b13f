using CoreFirmware.Ota.Protocol;
using Xunit;
using static CoreFirmware.Tests.Protocol.ProtocolTestKeys;

namespace CoreFirmware.Tests.Protocol;

/// <summary>
/// Golden bytes derived by reading spark-protocol 0.1.6 (lib/Messages.js Spec + wrap, Flasher.js,
/// SparkCore.js) and h5.coap's Message.toBuffer / Options.serialize: first byte 0x40 | type &lt;&lt; 4 |
/// token length, code, id (BE), token, options sorted by number with 4-bit deltas, 0xFF, payload.
/// </summary>
[Trait("Category", "Protocol")]
public class SparkMessagesTests
{
    private readonly CoapWriter _w = new();
    private readonly byte[] _buf = new byte[1024];

    private byte[] Written(CoapResult r)
    {
        Assert.Equal(CoapResult.Ok, r);
        return _buf[.._w.Length];
    }

    private static CoapMessage Decode(byte[] bytes)
    {
        var m = new CoapMessage();
        Assert.Equal(CoapResult.Ok, m.Decode(bytes, 0, bytes.Length));
        return m;
    }

    [Fact]
    public void CloudChunkSlowOta()
    {
        // sendMessage("Chunk") with _writeCoapUri: Uri-Path "c", Uri-Query = ToBinary(crc, "crc") = u32 BE.
        byte[] data = "123456789"u8.ToArray();
        uint crc = Crc32.Compute(data, 0, data.Length);
        byte[] bytes = Written(SparkMessages.Chunk(_w, _buf, 0, _buf.Length, 0x1234, 0x07, crc, -1, data, 0, data.Length));
        Assert.Equal(Hex("41 02 12 34 07 B1 63 44 CB F4 39 26 FF 31 32 33 34 35 36 37 38 39"), bytes);

        var m = Decode(bytes);
        Assert.Equal(MessageKind.Chunk, SparkMessages.Classify(m));
        Assert.Equal(CoapResult.Ok, SparkMessages.ReadChunkCrc(m, out uint readCrc));
        Assert.Equal(0xCBF43926u, readCrc);
        Assert.Equal(CoapResult.Ok, SparkMessages.ReadChunkIndex(m, out int index));
        Assert.Equal(-1, index);
    }

    [Fact]
    public void CloudChunkFastOtaCarriesIndexAsSecondUriQuery()
    {
        byte[] data = [0xAA];
        byte[] bytes = Written(SparkMessages.Chunk(_w, _buf, 0, _buf.Length, 1, 2, 0x01020304, 0x0105, data, 0, 1));
        Assert.Equal(Hex("41 02 00 01 02 B1 63 44 01 02 03 04 02 01 05 FF AA"), bytes);
        var m = Decode(bytes);
        Assert.Equal(CoapResult.Ok, SparkMessages.ReadChunkIndex(m, out int index));
        Assert.Equal(0x0105, index);
    }

    [Fact]
    public void ChunkIndexAsSparkProtocol016EmitsItForChunkZero()
    {
        // ToBinary(0, "uint16") falls to pushString("") -> an empty Uri-Query option.
        var m = Decode(Hex("41 02 00 01 02 B1 63 44 01 02 03 04 00 FF AA"));
        Assert.Equal(CoapResult.Ok, SparkMessages.ReadChunkIndex(m, out int index));
        Assert.Equal(0, index);
    }

    [Theory]
    [InlineData("41 02 00 01 02 B1 63 FF AA")]                  // no CRC
    [InlineData("41 02 00 01 02 B1 63 43 01 02 03 FF AA")]      // 3-byte CRC
    [InlineData("41 02 00 01 02 B1 63 45 01 02 03 04 05 FF AA")] // 5-byte CRC
    public void ChunkWithBadCrcOptionIsBadField(string hex)
    {
        Assert.Equal(CoapResult.BadField, SparkMessages.ReadChunkCrc(Decode(Hex(hex)), out _));
    }

    [Fact]
    public void ChunkWithOversizedIndexIsBadField()
    {
        var m = Decode(Hex("41 02 00 01 02 B1 63 44 01 02 03 04 03 00 00 01 FF AA"));
        Assert.Equal(CoapResult.BadField, SparkMessages.ReadChunkIndex(m, out _));
        Assert.Equal(CoapResult.WrongMessage, SparkMessages.ReadChunkCrc(Decode(Hex("40 00 00 01")), out _));
    }

    [Fact]
    public void DeviceChunkReceivedEchoesTokenAsNonChanged()
    {
        var chunk = Decode(Hex("41 02 12 34 07 B1 63 44 CB F4 39 26 FF 31"));
        Assert.Equal(Hex("51 44 00 2A 07"), Written(SparkMessages.ChunkReceived(_w, _buf, 0, _buf.Length, 42, chunk, true)));
        Assert.Equal(Hex("51 80 00 2B 07"), Written(SparkMessages.ChunkReceived(_w, _buf, 0, _buf.Length, 43, chunk, false)));
        Assert.Equal(MessageKind.Response, SparkMessages.Classify(Decode(Hex("51 80 00 2B 07"))));
    }

    [Fact]
    public void CloudUpdateBeginWithAndWithoutPayload()
    {
        var p = new UpdateParameters { Flags = 1, ChunkSize = 512, FileSize = 0x00012345, Destination = 0, DestinationAddress = 0 };
        byte[] bytes = Written(SparkMessages.UpdateBegin(_w, _buf, 0, _buf.Length, 0x0102, 0x09, p));
        // bb.pushUInt8(flags) pushUInt16(chunkSize) pushUInt32(fileSize) pushUInt8(dest) pushUInt32(addr), big-endian.
        Assert.Equal(Hex("41 02 01 02 09 B1 75 FF 01 02 00 00 01 23 45 00 00 00 00 00"), bytes);

        var read = new UpdateParameters();
        Assert.Equal(CoapResult.Ok, read.Read(Decode(bytes)));
        Assert.True(read.HasPayload);
        Assert.True(read.FastOta);
        Assert.Equal(512, read.ChunkSize);
        Assert.Equal(0x12345u, read.FileSize);

        // The fourth (last) try of Flasher.begin_update sends no payload.
        bytes = Written(SparkMessages.UpdateBegin(_w, _buf, 0, _buf.Length, 0x0103, 0x0A, null!));
        Assert.Equal(Hex("41 02 01 03 0A B1 75"), bytes);
        Assert.Equal(CoapResult.Ok, read.Read(Decode(bytes)));
        Assert.False(read.HasPayload);
        Assert.Equal(SparkProtocol.DefaultChunkSize, read.ChunkSize);
    }

    [Theory]
    [InlineData("41 02 00 01 09 B1 75 FF 00 01 00 00 00 10 00 00 00 00 00")]       // 11 bytes
    [InlineData("41 02 00 01 09 B1 75 FF 00 01 00 00 00 10 00 00 00 00 00 00 00")] // 13 bytes
    [InlineData("41 02 00 01 09 B1 75 FF 00 00 00 00 00 10 00 00 00 00 00 00")]    // chunk size 0
    [InlineData("41 02 00 01 09 B1 75 FF 00 02 53 00 00 10 00 00 00 00 00 00")]    // chunk size 595
    [InlineData("41 02 00 01 09 B1 75 FF 00 01 00 00 00 10 00 03 00 00 00 00")]    // destination 3
    public void BadUpdateBeginPayloadIsBadField(string hex)
    {
        var read = new UpdateParameters();
        Assert.Equal(CoapResult.BadField, read.Read(Decode(Hex(hex))));
        Assert.False(read.HasPayload);
    }

    [Fact]
    public void DeviceUpdateReadyEchoesUpdateBeginToken()
    {
        var begin = Decode(Hex("41 02 01 03 0A B1 75"));
        Assert.Equal(Hex("51 44 00 05 0A"), Written(SparkMessages.UpdateReady(_w, _buf, 0, _buf.Length, 5, begin, -1)));
        byte[] withVersion = Written(SparkMessages.UpdateReady(_w, _buf, 0, _buf.Length, 6, begin, 1));
        Assert.Equal(Hex("51 44 00 06 0A FF 01"), withVersion);
        Assert.Equal(1, SparkMessages.ReadUpdateReadyVersion(Decode(withVersion)));
    }

    [Fact]
    public void CloudUpdateDoneAndDescribe()
    {
        Assert.Equal(Hex("41 03 00 10 0B B1 75"), Written(SparkMessages.UpdateDone(_w, _buf, 0, _buf.Length, 0x10, 0x0B)));
        Assert.Equal(MessageKind.UpdateDone, SparkMessages.Classify(Decode(Hex("41 03 00 10 0B B1 75"))));
        Assert.Equal(Hex("41 01 00 11 0C B1 64"), Written(SparkMessages.Describe(_w, _buf, 0, _buf.Length, 0x11, 0x0C)));
    }

    [Fact]
    public void DeviceChunkMissedListsBigEndianIndexes()
    {
        int[] missing = [3, 7, 0x0102];
        byte[] bytes = Written(SparkMessages.ChunkMissed(_w, _buf, 0, _buf.Length, 0x20, missing, 0, 3));
        Assert.Equal(Hex("40 01 00 20 B1 63 FF 00 03 00 07 01 02"), bytes);
        var m = Decode(bytes);
        Assert.Equal(MessageKind.ChunkMissed, SparkMessages.Classify(m));
        Assert.Equal(3, SparkMessages.ReadMissedChunkCount(m));
        Assert.Equal(0x0102, SparkMessages.ReadMissedChunk(m, 2));
        Assert.Equal(-1, SparkMessages.ReadMissedChunkCount(Decode(Hex("40 01 00 20 B1 63 FF 00 03 00"))));
        Assert.Equal(-1, SparkMessages.ReadMissedChunkCount(Decode(Hex("40 01 00 20 B1 63"))));
    }

    [Fact]
    public void HelloPingAndAcks()
    {
        // Device Hello: NON POST "h", no token, u16 product id + u16 firmware version.
        byte[] hello = Written(SparkMessages.Hello(_w, _buf, 0, _buf.Length, 0xBEEF, -1, 0, 10));
        Assert.Equal(Hex("50 02 BE EF B1 68 FF 00 00 00 0A"), hello);
        Assert.True(SparkMessages.ReadHelloVersion(Decode(hello), out int product, out int version));
        Assert.Equal(0, product);
        Assert.Equal(10, version);

        // Cloud Hello: sendMessage("Hello", {}, null) -> next 1-byte token, no payload.
        byte[] cloudHello = Written(SparkMessages.Hello(_w, _buf, 0, _buf.Length, 0x0001, 1, -1, 0));
        Assert.Equal(Hex("51 02 00 01 01 B1 68"), cloudHello);
        Assert.Equal(MessageKind.Hello, SparkMessages.Classify(Decode(cloudHello)));
        Assert.False(SparkMessages.ReadHelloVersion(Decode(cloudHello), out _, out _));

        Assert.Equal(Hex("40 00 00 07"), Written(SparkMessages.Ping(_w, _buf, 0, _buf.Length, 7)));
        Assert.Equal(MessageKind.Ping, SparkMessages.Classify(Decode(Hex("40 00 00 07"))));
        Assert.Equal(Hex("60 00 00 07"), Written(SparkMessages.EmptyAck(_w, _buf, 0, _buf.Length, 7)));
    }

    [Fact]
    public void DeviceEventsPublicAndPrivate()
    {
        byte[] name = "temp"u8.ToArray();
        byte[] data = "21.5"u8.ToArray();
        byte[] pub = Written(SparkMessages.Event(_w, _buf, 0, _buf.Length, 0x30, true, name, 0, 4, 60, data, 0, 4));
        Assert.Equal(Hex("50 02 00 30 B1 65 04 74 65 6D 70 31 3C FF 32 31 2E 35"), pub);
        var m = Decode(pub);
        Assert.Equal(MessageKind.PublicEvent, SparkMessages.Classify(m));
        Assert.Equal(60L, m.GetOptionUInt(m.FindOption(CoapOption.MaxAge, 0)));

        byte[] priv = Written(SparkMessages.Event(_w, _buf, 0, _buf.Length, 0x31, false, name, 0, 4, 0, data, 0, 0));
        Assert.Equal(Hex("50 02 00 31 B1 45 04 74 65 6D 70"), priv);
        Assert.Equal(MessageKind.PrivateEvent, SparkMessages.Classify(Decode(priv)));

        // A 20-character name needs the 1-byte length extension (13 + 7).
        byte[] longName = "abcdefghijklmnopqrst"u8.ToArray();
        byte[] ev = Written(SparkMessages.Event(_w, _buf, 0, _buf.Length, 1, true, longName, 0, 20, 0, data, 0, 0));
        Assert.Equal(Hex("50 02 00 01 B1 65 0D 07") , ev[..8]);
    }

    [Fact]
    public void DescribeReturnAndGetTime()
    {
        var describe = Decode(Hex("41 01 00 11 0C B1 64"));
        byte[] json = "{\"f\":[],\"v\":{}}"u8.ToArray();
        byte[] reply = Written(SparkMessages.DescribeReturn(_w, _buf, 0, _buf.Length, 0x50, describe, json, 0, json.Length));
        Assert.Equal(Hex("51 44 00 50 0C FF"), reply[..6]);

        Assert.Equal(Hex("40 01 00 51 B1 74"), Written(SparkMessages.GetTime(_w, _buf, 0, _buf.Length, 0x51)));
        var get = Decode(Hex("40 01 00 51 B1 74"));
        Assert.Equal(MessageKind.GetTime, SparkMessages.Classify(get));
        // sendReply("GetTimeReturn", id, u32 BE, msg.getToken()): ACK, same id, no token here.
        Assert.Equal(Hex("60 45 00 51 FF 53 A4 4D 00"),
            Written(SparkMessages.GetTimeReturn(_w, _buf, 0, _buf.Length, get, 0x53A44D00)));
    }

    [Theory]
    [InlineData("40 01 00 01 B1 64", MessageKind.Describe)]
    [InlineData("40 01 00 01 B1 76 03 61 62 63", MessageKind.VariableRequest)]
    [InlineData("40 02 00 01 B1 66 03 61 62 63 41 78", MessageKind.FunctionCall)]
    [InlineData("40 03 00 01 B1 6B", MessageKind.KeyChange)]
    [InlineData("40 03 00 01 B1 73 41 01", MessageKind.RaiseYourHand)]
    [InlineData("40 01 00 01 B1 65 01 78", MessageKind.Subscribe)]
    [InlineData("40 02 00 01 B1 7A", MessageKind.Unknown)]
    [InlineData("40 02 00 01", MessageKind.Unknown)]
    [InlineData("70 00 00 01", MessageKind.Reset)]
    [InlineData("60 45 00 01", MessageKind.Response)]
    public void ClassifiesLikeSparkProtocolRoutes(string hex, MessageKind kind)
    {
        Assert.Equal(kind, SparkMessages.Classify(Decode(Hex(hex))));
    }

    [Fact]
    public void LargestChunkFitsTheFramingLimit()
    {
        var data = new byte[SparkProtocol.MaxChunkSize];
        var token = new byte[8];
        _w.Start(_buf, 0, _buf.Length, CoapType.Confirmable, CoapCode.Post, 1, token, 0, 8);
        _w.AddByteOption(CoapOption.UriPath, 'c');
        _w.AddOption(CoapOption.UriQuery, new byte[4], 0, 4);
        _w.AddOption(CoapOption.UriQuery, new byte[2], 0, 2);
        Assert.Equal(CoapResult.Ok, _w.SetPayload(data, 0, data.Length));
        Assert.Equal(617, _w.Length);
        Assert.True(SecureFraming.FrameLengthFor(_w.Length) <= SecureFraming.MaxFrameLength);
    }

    [Fact]
    public void MessageCounterWrapsAndChecksLikeTheCloud()
    {
        var c = new MessageCounter();
        c.Reset(65534);
        Assert.Equal(65534, c.Next());
        Assert.Equal(65535, c.Next());
        Assert.Equal(0, c.Next());
        Assert.Equal(0, MessageCounter.Following(65535));
        Assert.Equal(0x0304, MessageCounter.DeviceInitialId(Hex("01 02 03 04"), 0));

        var rx = new MessageCounter();
        rx.StartFromHello(65535);
        Assert.True(rx.AcceptIncoming(Decode(Hex("50 02 00 00 B1 65 01 78"))));   // id 0 after 65535
        Assert.True(rx.AcceptIncoming(Decode(Hex("60 00 12 34"))));               // ACK: not counted
        Assert.True(rx.AcceptIncoming(Decode(Hex("40 00 99 99"))));               // ping: consumes 1, unchecked
        Assert.True(rx.AcceptIncoming(Decode(Hex("50 02 00 02 B1 65 01 78"))));   // id 2 (1 went to the ping)
        Assert.False(rx.AcceptIncoming(Decode(Hex("50 02 00 04 B1 65 01 78"))));  // skipped 3
    }
}
