using System.Security.Cryptography;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Protocol;

/// <summary>
/// The AES-128-CBC channel: round trips with spark-protocol's IV chaining (next IV = first
/// ciphertext block of the previous message, per direction), checked against .NET's own AES-CBC;
/// hostile frames; the stream splitter; allocation.
/// </summary>
[Trait("Category", "Protocol")]
public class SecureFramingTests : IDisposable
{
    private readonly HostCrypto _deviceCrypto = new();
    private readonly HostCrypto _cloudCrypto = new();
    private readonly SessionKeys _keys = new();
    private readonly Random _rng = new(5683);

    public SecureFramingTests()
    {
        var session = new byte[40];
        _rng.NextBytes(session);
        _keys.Load(session, 0);
    }

    public void Dispose()
    {
        _deviceCrypto.Dispose();
        _cloudCrypto.Dispose();
    }

    private (SecureFraming device, SecureFraming cloud) Pair()
    {
        var device = new SecureFraming(_deviceCrypto);
        var cloud = new SecureFraming(_cloudCrypto);
        device.Start(_keys);
        cloud.Start(_keys);
        return (device, cloud);
    }

    [Fact]
    public void ManyMessagesRoundTripWithSparkProtocolIvChaining()
    {
        var (device, cloud) = Pair();
        using var reference = Aes.Create();
        reference.Key = _keys.Key;
        byte[] refSendIv = (byte[])_keys.Iv.Clone();
        byte[] refReplyIv = (byte[])_keys.Iv.Clone();
        var frame = new byte[SecureFraming.MaxFrameLength];
        var plainOut = new byte[SecureFraming.MaxCiphertextLength];

        for (int i = 0; i < 300; i++)
        {
            int len = i < 3 ? new[] { 0, 15, 16 }[i] : _rng.Next(0, SecureFraming.MaxPlaintextLength + 1);
            var plain = new byte[len];
            _rng.NextBytes(plain);

            // Device -> cloud.
            Assert.Equal(FramingResult.Ok, device.Encrypt(plain, 0, len, frame, 0, frame.Length, out int frameLen));
            Assert.Equal(SecureFraming.FrameLengthFor(len), frameLen);
            int ctLen = (frame[0] << 8) | frame[1];
            Assert.Equal(frameLen - 2, ctLen);
            byte[] ct = frame[2..frameLen];
            // Independent check: .NET AES-CBC with the IV the package's CryptoStream would use.
            Assert.Equal(plain, reference.DecryptCbc(ct, refSendIv, PaddingMode.PKCS7));
            refSendIv = ct[..16];

            Assert.Equal(FramingResult.Ok, cloud.Decrypt(frame, 0, frameLen, plainOut, 0, plainOut.Length, out int got));
            Assert.Equal(plain, plainOut[..got]);

            // Cloud -> device, on its own IV chain.
            if (i % 3 == 0)
            {
                Assert.Equal(FramingResult.Ok, cloud.Encrypt(plain, 0, len, frame, 0, frame.Length, out frameLen));
                ct = frame[2..frameLen];
                Assert.Equal(reference.EncryptCbc(plain, refReplyIv, PaddingMode.PKCS7), ct);
                refReplyIv = ct[..16];
                Assert.Equal(FramingResult.Ok, device.Decrypt(frame, 0, frameLen, plainOut, 0, plainOut.Length, out got));
                Assert.Equal(plain, plainOut[..got]);
            }
        }

        Assert.Equal(300, device.MessagesSent);
        Assert.Equal(300, cloud.MessagesReceived);
        Assert.Equal(100, device.MessagesReceived);
        Assert.Equal(1, _deviceCrypto.AesKeyLoads);
    }

    [Fact]
    public void SamePlaintextEncryptsDifferentlyEachTime()
    {
        var (device, _) = Pair();
        var plain = new byte[20];
        var a = new byte[64];
        var b = new byte[64];
        device.Encrypt(plain, 0, 20, a, 0, 64, out _);
        device.Encrypt(plain, 0, 20, b, 0, 64, out _);
        Assert.NotEqual(a[2..34], b[2..34]);
    }

    [Fact]
    public void DecryptInPlaceWorks()
    {
        var (device, cloud) = Pair();
        byte[] plain = "hello in place, longer than one block"u8.ToArray();
        var frame = new byte[64];
        device.Encrypt(plain, 0, plain.Length, frame, 0, frame.Length, out int n);
        Assert.Equal(FramingResult.Ok, cloud.Decrypt(frame, 0, n, frame, 2, frame.Length - 2, out int got));
        Assert.Equal(plain, frame[2..(2 + got)]);
        // The chain advanced from the ciphertext, not the overwritten bytes: the next message decrypts.
        device.Encrypt(plain, 0, plain.Length, frame, 0, frame.Length, out n);
        Assert.Equal(FramingResult.Ok, cloud.Decrypt(frame, 0, n, frame, 2, frame.Length - 2, out got));
        Assert.Equal(plain, frame[2..(2 + got)]);
    }

    private byte[] OneFrame(SecureFraming sender, int len)
    {
        var plain = new byte[len];
        _rng.NextBytes(plain);
        var frame = new byte[SecureFraming.MaxFrameLength];
        Assert.Equal(FramingResult.Ok, sender.Encrypt(plain, 0, len, frame, 0, frame.Length, out int n));
        return frame[..n];
    }

    [Fact]
    public void TamperedLastBlockGivesBadPaddingAndBreaksTheChannel()
    {
        var (device, cloud) = Pair();
        byte[] frame = OneFrame(device, 40); // 48 bytes of ciphertext: 8 bytes of padding
        frame[^1] ^= 0x5A;                   // the last block's plaintext becomes noise
        var plain = new byte[64];
        Assert.Equal(FramingResult.BadPadding, cloud.Decrypt(frame, 0, frame.Length, plain, 0, plain.Length, out _));
        Assert.True(cloud.IsBroken);
        byte[] next = OneFrame(device, 10);
        Assert.Equal(FramingResult.Broken, cloud.Decrypt(next, 0, next.Length, plain, 0, plain.Length, out _));
    }

    [Fact]
    public void WrongKeyIsRejected()
    {
        var (device, _) = Pair();
        var other = new SessionKeys();
        var session = new byte[40];
        _rng.NextBytes(session);
        other.Load(session, 0);
        var stranger = new SecureFraming(_cloudCrypto);
        stranger.Start(other);
        int badPadding = 0;
        for (int i = 0; i < 20; i++)
        {
            stranger.Start(other);
            byte[] frame = OneFrame(device, _rng.Next(0, 100));
            var plain = new byte[SecureFraming.MaxCiphertextLength];
            FramingResult r = stranger.Decrypt(frame, 0, frame.Length, plain, 0, plain.Length, out _);
            Assert.Contains(r, new[] { FramingResult.BadPadding, FramingResult.Ok });
            badPadding += r == FramingResult.BadPadding ? 1 : 0;
        }

        // A random last block has valid PKCS#7 padding about 1 time in 256: the protocol has no MAC.
        Assert.True(badPadding >= 18, $"only {badPadding} of 20 rejected");
    }

    public static IEnumerable<object[]> BadFrames() => new[]
    {
        new object[] { "", FramingResult.BadLength },
        new object[] { "00", FramingResult.BadLength },
        new object[] { "00 00", FramingResult.BadLength },                                  // empty ciphertext
        new object[] { "00 10 " + string.Concat(Enumerable.Repeat("AB ", 15)), FramingResult.BadLength }, // says 16, has 15
        new object[] { "00 0F " + string.Concat(Enumerable.Repeat("AB ", 15)), FramingResult.BadLength }, // not a multiple of 16
        new object[] { "00 10 " + string.Concat(Enumerable.Repeat("AB ", 17)), FramingResult.BadLength }, // trailing byte
        new object[] { "02 90 " + string.Concat(Enumerable.Repeat("AB ", 656)), FramingResult.FrameTooLong },
        new object[] { "FF FF", FramingResult.FrameTooLong },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public void MalformedFramesAreRejected(string hex, FramingResult expected)
    {
        var (_, cloud) = Pair();
        byte[] frame = ProtocolTestKeys.Hex(hex);
        var plain = new byte[1024];
        Assert.Equal(expected, cloud.Decrypt(frame, 0, frame.Length, plain, 0, plain.Length, out int n));
        Assert.Equal(0, n);
        Assert.True(cloud.IsBroken);
    }

    [Fact]
    public void GarbageFramesNeverThrow()
    {
        var framing = new SecureFraming(_cloudCrypto);
        var buf = new byte[SecureFraming.MaxFrameLength + 20];
        var plain = new byte[SecureFraming.MaxCiphertextLength];
        for (int i = 0; i < 3000; i++)
        {
            framing.Start(_keys);
            _rng.NextBytes(buf);
            int count = _rng.Next(0, buf.Length);
            if ((i & 1) == 0 && count >= 18)
            {
                count = 2 + (count - 2) / 16 * 16;
                count = Math.Min(count, SecureFraming.MaxFrameLength);
                buf[0] = (byte)((count - 2) >> 8);
                buf[1] = (byte)(count - 2);
            }

            FramingResult r = framing.Decrypt(buf, 0, count, plain, 0, plain.Length, out int n);
            Assert.True(r is FramingResult.Ok or FramingResult.BadPadding or FramingResult.BadLength or FramingResult.FrameTooLong,
                r.ToString());
            Assert.InRange(n, 0, count);
        }
    }

    [Fact]
    public void CallerErrorsDoNotChangeState()
    {
        var framing = new SecureFraming(_deviceCrypto);
        var frame = new byte[SecureFraming.MaxFrameLength + 16];
        Assert.Equal(FramingResult.NotStarted, framing.Encrypt(new byte[1], 0, 1, frame, 0, frame.Length, out _));
        framing.Start(_keys);
        Assert.Equal(FramingResult.MessageTooLong, framing.Encrypt(new byte[640], 0, 640, frame, 0, frame.Length, out _));
        Assert.Equal(FramingResult.Ok, framing.Encrypt(new byte[639], 0, 639, frame, 0, frame.Length, out int n));
        Assert.Equal(SecureFraming.MaxFrameLength, n);
        Assert.Equal(FramingResult.BufferTooSmall, framing.Encrypt(new byte[16], 0, 16, frame, 0, 33, out _));
        Assert.Equal(FramingResult.InvalidArgument, framing.Encrypt(new byte[16], 8, 16, frame, 0, frame.Length, out _));
        Assert.Equal(1, framing.MessagesSent);

        var (device, cloud) = Pair();
        byte[] f = OneFrame(device, 30);
        Assert.Equal(FramingResult.BufferTooSmall, cloud.Decrypt(f, 0, f.Length, new byte[31], 0, 31, out _));
        Assert.False(cloud.IsBroken);
        Assert.Equal(FramingResult.Ok, cloud.Decrypt(f, 0, f.Length, new byte[32], 0, 32, out int got));
        Assert.Equal(30, got);
    }

    [Fact]
    public void FrameReaderSplitsAnArbitrarilyChunkedStream()
    {
        var (device, cloud) = Pair();
        var sent = new List<byte[]>();
        var stream = new List<byte>();
        for (int i = 0; i < 100; i++)
        {
            var plain = new byte[_rng.Next(0, 640)];
            _rng.NextBytes(plain);
            sent.Add(plain);
            var frame = new byte[SecureFraming.MaxFrameLength];
            device.Encrypt(plain, 0, plain.Length, frame, 0, frame.Length, out int n);
            stream.AddRange(frame[..n]);
        }

        byte[] all = stream.ToArray();
        var reader = new FrameReader();
        var plainOut = new byte[SecureFraming.MaxCiphertextLength];
        int received = 0;
        int pos = 0;
        while (pos < all.Length)
        {
            int piece = Math.Min(_rng.Next(1, 900), all.Length - pos);
            int at = 0;
            while (at < piece)
            {
                Assert.Equal(FramingResult.Ok, reader.Feed(all, pos + at, piece - at, out int used));
                at += used;
                if (reader.IsComplete)
                {
                    Assert.Equal(FramingResult.Ok,
                        cloud.Decrypt(reader.Frame, 0, reader.FrameLength, plainOut, 0, plainOut.Length, out int got));
                    Assert.Equal(sent[received++], plainOut[..got]);
                    reader.Next();
                }
            }

            pos += piece;
        }

        Assert.Equal(100, received);
    }

    [Theory]
    [InlineData("02 90", FramingResult.FrameTooLong)]
    [InlineData("00 00", FramingResult.BadLength)]
    [InlineData("00 11", FramingResult.BadLength)]
    public void FrameReaderRejectsBadLengthPrefixAtOnce(string hex, FramingResult expected)
    {
        var reader = new FrameReader();
        byte[] b = ProtocolTestKeys.Hex(hex + " 00 00 00");
        Assert.Equal(expected, reader.Feed(b, 0, b.Length, out int used));
        Assert.Equal(2, used);
        Assert.Equal(expected, reader.Feed(b, 0, 1, out _)); // sticky
        reader.Reset();
        Assert.Equal(FramingResult.Ok, reader.Feed(ProtocolTestKeys.Hex("00 10"), 0, 2, out _));
        Assert.False(reader.IsComplete);
    }

    [Fact]
    public void FramingPathAllocatesNothingOverHostCrypto()
    {
        var (device, cloud) = Pair();
        AssertSteadyStateAllocatesNothing(device, cloud);
    }

    [Fact]
    public void FramingCodeItselfAllocatesNothing()
    {
        // Independent of .NET's AES: a managed, allocation-free stand-in cipher.
        var crypto = new XorBlockCrypto();
        var device = new SecureFraming(crypto);
        var cloud = new SecureFraming(crypto);
        device.Start(_keys);
        cloud.Start(_keys);
        AssertSteadyStateAllocatesNothing(device, cloud);
    }

    private static void AssertSteadyStateAllocatesNothing(SecureFraming device, SecureFraming cloud)
    {
        var plain = new byte[617];
        var frame = new byte[SecureFraming.MaxFrameLength];
        var plainOut = new byte[SecureFraming.MaxCiphertextLength];
        var reader = new FrameReader();
        var coap = new CoapMessage();
        var writer = new CoapWriter();

        void Once(int len)
        {
            SparkMessages.ChunkReceived(writer, plain, 0, plain.Length, 5, coap, true);
            device.Encrypt(plain, 0, len, frame, 0, frame.Length, out int n);
            reader.Feed(frame, 0, n, out _);
            cloud.Decrypt(reader.Frame, 0, reader.FrameLength, plainOut, 0, plainOut.Length, out int got);
            reader.Next();
            coap.Decode(plainOut, 0, got);
        }

        for (int i = 0; i < 10; i++)
        {
            Once(617);
        }

        int loops = 0;
        long allocated = Allocations.SteadyState(() =>
        {
            loops++;
            for (int i = 0; i < 1000; i++)
            {
                Once(i % 2 == 0 ? 617 : 5);
            }
        });

        Assert.Equal(10 + 1000 * loops, cloud.MessagesReceived);
        Assert.Equal(0, allocated);
    }

    /// <summary>CBC over a toy block "cipher" (XOR with the key) with PKCS#7: allocation-free.</summary>
    private sealed class XorBlockCrypto : ICrypto
    {
        private readonly byte[] _chain = new byte[16];

        public int AesCbcEncrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            int total = (inputCount / 16 + 1) * 16;
            Array.Copy(iv, _chain, 16);
            for (int i = 0; i < total; i++)
            {
                byte p = i < inputCount ? input[inputOffset + i] : (byte)(total - inputCount);
                byte c = (byte)(p ^ _chain[i % 16] ^ key[i % 16]);
                output[outputOffset + i] = c;
                _chain[i % 16] = c;
            }

            return total;
        }

        public int AesCbcDecrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            Array.Copy(iv, _chain, 16);
            for (int i = 0; i < inputCount; i++)
            {
                byte c = input[inputOffset + i];
                output[outputOffset + i] = (byte)(c ^ key[i % 16] ^ _chain[i % 16]);
                _chain[i % 16] = c;
            }

            int pad = output[outputOffset + inputCount - 1];
            return pad is < 1 or > 16 ? CryptoStatus.BadPadding : inputCount - pad;
        }

        public int RsaEncrypt(byte[] k, byte[] i, int io, int ic, byte[] o, int oo, int oc) => CryptoStatus.Failed;
        public int RsaDecrypt(byte[] k, byte[] i, int io, int ic, byte[] o, int oo, int oc) => CryptoStatus.Failed;
        public int RsaSignRaw(byte[] k, byte[] d, int dof, int dc, byte[] o, int oo, int oc) => CryptoStatus.Failed;
        public bool RsaVerifyRaw(byte[] k, byte[] s, int so, int sc, byte[] e, int eo, int ec) => false;
        public int HmacSha1(byte[] k, int ko, int kc, byte[] d, int dof, int dc, byte[] o, int oo) => CryptoStatus.Failed;
        public int Sha256(byte[] d, int dof, int dc, byte[] o, int oo) => CryptoStatus.Failed;
        public bool EcdsaP256Verify(byte[] p, int po, byte[] d, int dof, byte[] s, int so) => false;
    }
}
