using CoreFirmware.Ota.Protocol;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Protocol;

/// <summary>
/// A whole session in memory, device and cloud each built only from the firmware protocol code:
/// handshake, Hello exchange with counters, a ping, then an ordinary (slow) OTA of a file that
/// ends in a partial chunk, with one corrupted chunk that must be resent. Bytes travel as one
/// stream per direction, cut at random places and reassembled by FrameReader.
/// </summary>
[Trait("Category", "Protocol")]
public class ProtocolSessionTests : IDisposable
{
    private readonly HostCrypto _crypto = new();
    private readonly Random _rng = new(1001);

    public void Dispose() => _crypto.Dispose();

    /// <summary>One side of the link: framing, stream splitter, counters, CoAP scratch.</summary>
    private sealed class Peer(HostCrypto crypto)
    {
        public readonly SecureFraming Framing = new(crypto);
        public readonly FrameReader Reader = new();
        public readonly MessageCounter Tx = new();
        public readonly MessageCounter Rx = new();
        public readonly CoapWriter Writer = new();
        public readonly CoapMessage Message = new();
        public readonly byte[] Out = new byte[SecureFraming.MaxPlaintextLength];
        public readonly byte[] Frame = new byte[SecureFraming.MaxFrameLength];
        public readonly byte[] In = new byte[SecureFraming.MaxCiphertextLength];
        public readonly Queue<byte> Inbox = new();
    }

    private void Send(Peer from, Peer to, CoapResult built)
    {
        Assert.Equal(CoapResult.Ok, built);
        Assert.Equal(FramingResult.Ok, from.Framing.Encrypt(from.Out, 0, from.Writer.Length, from.Frame, 0, from.Frame.Length, out int n));
        foreach (byte b in from.Frame.AsSpan(0, n))
        {
            to.Inbox.Enqueue(b);
        }
    }

    /// <summary>Feeds queued stream bytes in random pieces until one message is decoded.</summary>
    private CoapMessage Receive(Peer p)
    {
        while (!p.Reader.IsComplete)
        {
            int piece = Math.Min(_rng.Next(1, 64), p.Inbox.Count);
            Assert.True(piece > 0, "stream ended before a whole frame");
            byte[] bytes = new byte[piece];
            for (int i = 0; i < piece; i++)
            {
                bytes[i] = p.Inbox.Peek();
                p.Inbox.Dequeue();
            }

            Assert.Equal(FramingResult.Ok, p.Reader.Feed(bytes, 0, piece, out int used));
            Assert.Equal(piece, used); // messages are exchanged one at a time here
        }

        Assert.Equal(FramingResult.Ok, p.Framing.Decrypt(p.Reader.Frame, 0, p.Reader.FrameLength, p.In, 0, p.In.Length, out int len));
        p.Reader.Next();
        Assert.Equal(CoapResult.Ok, p.Message.Decode(p.In, 0, len));
        return p.Message;
    }

    [Fact]
    public void HandshakeHelloPingAndSlowOtaWithOneResend()
    {
        // ---- handshake
        byte[] deviceId = new byte[12];
        _rng.NextBytes(deviceId);
        var deviceHs = new DeviceHandshake(_crypto, deviceId, ProtocolTestKeys.Device.PublicSpki,
            ProtocolTestKeys.Device.PrivatePkcs1, ProtocolTestKeys.Server.PublicSpki);
        var cloudHs = new ServerHandshake(_crypto, ProtocolTestKeys.Server.PrivatePkcs1);
        var nonce = new byte[40];
        var session = new byte[40];
        _rng.NextBytes(nonce);
        _rng.NextBytes(session);
        var reply = new byte[256];
        var answer = new byte[384];
        var deviceKeys = new SessionKeys();
        var cloudKeys = new SessionKeys();
        Assert.Equal(HandshakeResult.Ok, cloudHs.SetNonce(nonce, 0, 40));
        Assert.Equal(HandshakeResult.Ok, deviceHs.BuildDeviceReply(nonce, 0, 40, reply, 0, 256, out _));
        Assert.Equal(HandshakeResult.Ok, cloudHs.ReadDeviceReply(reply, 0, 256));
        Assert.Equal(HandshakeResult.Ok, cloudHs.BuildSessionKey(ProtocolTestKeys.Device.PublicSpki, session, 0, 40, answer, 0, 384, cloudKeys, out _));
        Assert.Equal(HandshakeResult.Ok, deviceHs.ReadSessionKey(answer, 0, 384, deviceKeys));

        var device = new Peer(_crypto);
        var cloud = new Peer(_crypto);
        device.Framing.Start(deviceKeys);
        cloud.Framing.Start(cloudKeys);

        // ---- Hello: device first (id from the IV), then the cloud (random start + 1, token 1)
        device.Tx.Reset(MessageCounter.DeviceInitialId(deviceKeys.Iv, 0));
        Send(device, cloud, SparkMessages.Hello(device.Writer, device.Out, 0, device.Out.Length, device.Tx.Next(), -1, 0, 7));
        CoapMessage m = Receive(cloud);
        Assert.Equal(MessageKind.Hello, SparkMessages.Classify(m));
        Assert.True(SparkMessages.ReadHelloVersion(m, out _, out int fw));
        Assert.Equal(7, fw);
        cloud.Rx.StartFromHello(m.MessageId);

        cloud.Tx.Reset(0xFFFF + 1); // a random start of 65535: the Hello wraps to id 0
        int token = 0;
        Send(cloud, device, SparkMessages.Hello(cloud.Writer, cloud.Out, 0, cloud.Out.Length, cloud.Tx.Next(), ++token, -1, 0));
        m = Receive(device);
        Assert.Equal(MessageKind.Hello, SparkMessages.Classify(m));
        Assert.Equal(0, m.MessageId);
        device.Rx.StartFromHello(m.MessageId);

        // ---- ping and its ACK (ACK reuses the ping's id and is not counted)
        Send(device, cloud, SparkMessages.Ping(device.Writer, device.Out, 0, device.Out.Length, device.Tx.Next()));
        m = Receive(cloud);
        Assert.Equal(MessageKind.Ping, SparkMessages.Classify(m));
        Assert.True(cloud.Rx.AcceptIncoming(m));
        Send(cloud, device, SparkMessages.EmptyAck(cloud.Writer, cloud.Out, 0, cloud.Out.Length, m.MessageId));
        m = Receive(device);
        Assert.Equal(MessageKind.EmptyAck, SparkMessages.Classify(m));
        Assert.True(device.Rx.AcceptIncoming(m));

        // ---- OTA: 1000 bytes in 256-byte chunks, the last zero-padded to 256
        var file = new byte[1000];
        _rng.NextBytes(file);
        var parameters = new UpdateParameters { ChunkSize = 256, FileSize = (uint)file.Length };
        int beginToken = ++token;
        Send(cloud, device, SparkMessages.UpdateBegin(cloud.Writer, cloud.Out, 0, cloud.Out.Length, cloud.Tx.Next(), beginToken, parameters));
        m = Receive(device);
        Assert.True(device.Rx.AcceptIncoming(m));
        var got = new UpdateParameters();
        Assert.Equal(CoapResult.Ok, got.Read(m));
        Assert.Equal(256, got.ChunkSize);
        Assert.Equal(1000u, got.FileSize);
        Send(device, cloud, SparkMessages.UpdateReady(device.Writer, device.Out, 0, device.Out.Length, device.Tx.Next(), m, -1));
        m = Receive(cloud);
        Assert.True(cloud.Rx.AcceptIncoming(m));
        Assert.Equal(MessageKind.Response, SparkMessages.Classify(m));
        Assert.True(m.TokenEquals([(byte)beginToken], 0, 1)); // the cloud matches UpdateReady by token
        Assert.Equal(CoapCode.Changed, m.Code);

        var staged = new byte[4 * 256];
        var chunk = new byte[256];
        int chunkIndex = 0;
        int errors = 0;
        bool corruptOnce = true;
        while (chunkIndex * 256 < file.Length)
        {
            Array.Clear(chunk);
            int len = Math.Min(256, file.Length - chunkIndex * 256);
            Array.Copy(file, chunkIndex * 256, chunk, 0, len);
            uint crc = Crc32.Compute(chunk, 0, 256);
            int chunkToken = ++token % SparkProtocol.TokenModulus;
            if (chunkIndex == 2 && corruptOnce)
            {
                chunk[17] ^= 0x40; // corrupted "in transit": the CRC no longer matches
                corruptOnce = false;
            }

            Send(cloud, device, SparkMessages.Chunk(cloud.Writer, cloud.Out, 0, cloud.Out.Length, cloud.Tx.Next(), chunkToken, crc, -1, chunk, 0, 256));
            m = Receive(device);
            Assert.True(device.Rx.AcceptIncoming(m));
            Assert.Equal(CoapResult.Ok, SparkMessages.ReadChunkCrc(m, out uint wireCrc));
            bool ok = Crc32.Compute(m.Buffer, m.PayloadOffset, m.PayloadLength) == wireCrc;
            if (ok)
            {
                Array.Copy(m.Buffer, m.PayloadOffset, staged, chunkIndex * 256, m.PayloadLength);
            }

            Send(device, cloud, SparkMessages.ChunkReceived(device.Writer, device.Out, 0, device.Out.Length, device.Tx.Next(), m, ok));
            m = Receive(cloud);
            Assert.True(cloud.Rx.AcceptIncoming(m));
            Assert.True(m.TokenEquals([(byte)chunkToken], 0, 1));
            if (CoapCode.IsSuccess(m.Code))
            {
                chunkIndex++; // Flasher.onChunkResponse: statusIsOkay -> next chunk, else resend
            }
            else
            {
                Assert.Equal(CoapCode.BadRequest, m.Code);
                errors++;
            }
        }

        Send(cloud, device, SparkMessages.UpdateDone(cloud.Writer, cloud.Out, 0, cloud.Out.Length, cloud.Tx.Next(), ++token));
        m = Receive(device);
        Assert.True(device.Rx.AcceptIncoming(m));
        Assert.Equal(MessageKind.UpdateDone, SparkMessages.Classify(m));

        Assert.Equal(1, errors);
        Assert.Equal(file, staged[..file.Length]);
        Assert.All(staged[file.Length..], b => Assert.Equal(0, b));
        Assert.False(device.Framing.IsBroken);
        Assert.False(cloud.Framing.IsBroken);
        Assert.Equal(0, device.Inbox.Count + cloud.Inbox.Count);
    }
}
