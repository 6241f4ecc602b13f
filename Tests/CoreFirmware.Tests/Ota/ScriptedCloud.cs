using System.Net;
using System.Net.Sockets;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Tests.Protocol;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Ota;

/// <summary>
/// A scripted cloud for device-side tests: a TCP listener on 127.0.0.1 (ephemeral port) that plays
/// the server side of the Spark protocol with the firmware's own protocol code (ServerHandshake,
/// SecureFraming, FrameReader, SparkMessages). The test drives it step by step; it answers the
/// device's pings by itself, records the device's events, and checks the device's message ids.
/// It can also misbehave on purpose (bad signature, raw garbage).
/// </summary>
internal sealed class ScriptedCloud : IDisposable
{
    private readonly TcpListener _listener;
    private readonly HostCrypto _crypto = new();
    private readonly Random _rng = new(4242);
    private readonly byte[] _raw = new byte[4096];
    private int _rawHave;
    private int _rawPos;
    private Socket? _client;
    private int _token;

    public ScriptedCloud()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public SecureFraming Framing { get; private set; } = null!;
    public FrameReader Reader { get; } = new();
    public MessageCounter Tx { get; } = new();
    public MessageCounter Rx { get; } = new();
    public CoapWriter Writer { get; } = new();
    public CoapMessage Message { get; } = new();
    public byte[] Out { get; } = new byte[SecureFraming.MaxPlaintextLength];
    private readonly byte[] _frame = new byte[SecureFraming.MaxFrameLength];
    private readonly byte[] _in = new byte[SecureFraming.MaxCiphertextLength];

    /// <summary>Events the device published: "name|payload".</summary>
    public List<string> Events { get; } = new();
    public bool AnswerPings { get; set; } = true;
    public int PingsAnswered { get; private set; }
    public int Connections { get; private set; }

    public void Accept(int timeoutMs = 10_000)
    {
        CloseClient();
        var accept = _listener.AcceptSocketAsync();
        Assert.True(accept.Wait(timeoutMs), "the device did not connect");
        _client = accept.Result;
        _client.NoDelay = true;
        _rawHave = _rawPos = 0;
        Reader.Reset();
        Connections++;
    }

    public void CloseClient()
    {
        _client?.Dispose();
        _client = null;
    }

    /// <summary>Server side of the handshake; <paramref name="corruptSignature"/> flips a signature byte.</summary>
    public void Handshake(bool corruptSignature = false)
    {
        var hs = new ServerHandshake(_crypto, ProtocolTestKeys.Server.PrivatePkcs1);
        var nonce = new byte[40];
        _rng.NextBytes(nonce);
        Assert.Equal(HandshakeResult.Ok, hs.SetNonce(nonce, 0, 40));
        SendRaw(nonce, 0, 40);
        byte[] reply = ReadRaw(256);
        Assert.Equal(HandshakeResult.Ok, hs.ReadDeviceReply(reply, 0, 256));
        var session = new byte[40];
        _rng.NextBytes(session);
        var answer = new byte[384];
        var keys = new SessionKeys();
        Assert.Equal(HandshakeResult.Ok, hs.BuildSessionKey(ProtocolTestKeys.Device.PublicSpki, session, 0, 40, answer, 0, 384, keys, out _));
        if (corruptSignature) answer[128 + 100] ^= 0x5A;
        SendRaw(answer, 0, 384);
        Framing = new SecureFraming(_crypto);
        Framing.Start(keys);
    }

    /// <summary>Reads the device's Hello, then sends the cloud's.</summary>
    public void ExchangeHello()
    {
        CoapMessage m = NextRaw(10_000) ?? throw new Xunit.Sdk.XunitException("no Hello from the device");
        Assert.Equal(MessageKind.Hello, SparkMessages.Classify(m));
        Rx.StartFromHello(m.MessageId);
        Tx.Reset(_rng.Next(1, 65536));
        Send(SparkMessages.Hello(Writer, Out, 0, Out.Length, Tx.Next(), NextToken(), -1, 0));
    }

    public void Connect()
    {
        Accept();
        Handshake();
        ExchangeHello();
    }

    public int NextToken()
    {
        _token = (_token + 1) % 255;
        return _token;
    }

    public void Send(CoapResult built)
    {
        Assert.Equal(CoapResult.Ok, built);
        Assert.Equal(FramingResult.Ok, Framing.Encrypt(Out, 0, Writer.Length, _frame, 0, _frame.Length, out int n));
        SendRaw(_frame, 0, n);
    }

    public void SendRaw(byte[] data, int offset, int count)
    {
        Assert.NotNull(_client);
        _client!.Send(data, offset, count, SocketFlags.None);
    }

    // ---- OTA helpers

    public int SendUpdateBegin(bool fast, int chunkSize, int fileSize, bool reinstall = false)
    {
        int token = NextToken();
        int flags = (fast ? SparkProtocol.UpdateFlagFastOta : 0) | (reinstall ? SparkProtocol.UpdateFlagReinstall : 0);
        var p = new UpdateParameters { Flags = flags, ChunkSize = chunkSize, FileSize = (uint)fileSize };
        Send(SparkMessages.UpdateBegin(Writer, Out, 0, Out.Length, Tx.Next(), token, p));
        return token;
    }

    /// <summary>Sends chunk <paramref name="index"/> of <paramref name="image"/> zero-padded; the CRC is of the good
    /// padded chunk; <paramref name="corrupt"/> flips a data byte after the CRC was taken.</summary>
    public int SendChunk(byte[] image, int chunkSize, int index, bool withIndex, bool corrupt = false)
    {
        var chunk = new byte[chunkSize];
        int offset = index * chunkSize;
        Array.Copy(image, offset, chunk, 0, Math.Min(chunkSize, image.Length - offset));
        uint crc = Crc32.Compute(chunk, 0, chunkSize);
        if (corrupt) chunk[chunkSize / 2] ^= 0x01;
        int token = NextToken();
        Send(SparkMessages.Chunk(Writer, Out, 0, Out.Length, Tx.Next(), token, crc, withIndex ? index : -1, chunk, 0, chunkSize));
        return token;
    }

    public int SendUpdateDone()
    {
        int token = NextToken();
        Send(SparkMessages.UpdateDone(Writer, Out, 0, Out.Length, Tx.Next(), token));
        return token;
    }

    // ---- receiving

    /// <summary>The next message that is not a ping (answered here); events are recorded and returned too. Null on timeout.</summary>
    public CoapMessage? Next(int timeoutMs = 5000)
    {
        long end = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            long left = end - Environment.TickCount64;
            if (left <= 0) return null;
            CoapMessage? m = NextRaw((int)left);
            if (m is null) return null;
            Assert.True(Rx.AcceptIncoming(m), $"device sent message id {m.MessageId}, expected another");
            MessageKind kind = SparkMessages.Classify(m);
            if (kind == MessageKind.Ping)
            {
                if (AnswerPings)
                {
                    Send(SparkMessages.EmptyAck(Writer, Out, 0, Out.Length, m.MessageId));
                    PingsAnswered++;
                }
                continue;
            }

            if (kind == MessageKind.PrivateEvent || kind == MessageKind.PublicEvent)
            {
                int name = m.FindOption(CoapOption.UriPath, 1);
                string text = System.Text.Encoding.ASCII.GetString(m.Buffer, m.GetOptionOffset(name), m.GetOptionLength(name))
                    + "|" + System.Text.Encoding.ASCII.GetString(m.Buffer, m.PayloadOffset, m.PayloadLength);
                Events.Add(text);
            }

            return m;
        }
    }

    public CoapMessage WaitFor(Func<CoapMessage, bool> match, string what, int timeoutMs = 10_000)
    {
        long end = Environment.TickCount64 + timeoutMs;
        while (true)
        {
            long left = end - Environment.TickCount64;
            CoapMessage? m = left > 0 ? Next((int)left) : null;
            if (m is null) throw new Xunit.Sdk.XunitException("timed out waiting for " + what);
            if (match(m)) return m;
        }
    }

    /// <summary>Waits for the response (non-request code) carrying <paramref name="token"/>.</summary>
    public CoapMessage WaitResponse(int token, int timeoutMs = 10_000)
        => WaitFor(m => SparkMessages.Classify(m) == MessageKind.Response && m.TokenLength == 1 && m.Token[0] == token,
            $"the response to token {token}", timeoutMs);

    /// <summary>Waits for an event "corefw/ota|..." and returns its payload.</summary>
    public string WaitOtaEvent(int timeoutMs = 10_000)
    {
        CoapMessage m = WaitFor(m => SparkMessages.Classify(m) == MessageKind.PrivateEvent, "an OTA event", timeoutMs);
        string e = Events[^1];
        Assert.StartsWith("corefw/ota|", e);
        return e["corefw/ota|".Length..];
    }

    public static string PayloadText(CoapMessage m) => System.Text.Encoding.ASCII.GetString(m.Buffer, m.PayloadOffset, m.PayloadLength);

    /// <summary>Reads and decodes one message (no housekeeping). Null on timeout; throws when the device closed.</summary>
    public CoapMessage? NextRaw(int timeoutMs)
    {
        long end = Environment.TickCount64 + timeoutMs;
        while (!Reader.IsComplete)
        {
            if (_rawPos == _rawHave)
            {
                long left = end - Environment.TickCount64;
                if (left <= 0 || !_client!.Poll((int)Math.Min(left, 1000) * 1000, SelectMode.SelectRead))
                {
                    if (Environment.TickCount64 >= end) return null;
                    continue;
                }

                int n = _client.Receive(_raw, 0, _raw.Length, SocketFlags.None);
                if (n == 0) throw new IOException("the device closed the connection");
                _rawHave = n;
                _rawPos = 0;
            }

            Assert.Equal(FramingResult.Ok, Reader.Feed(_raw, _rawPos, _rawHave - _rawPos, out int used));
            _rawPos += used;
        }

        Assert.Equal(FramingResult.Ok, Framing.Decrypt(Reader.Frame, 0, Reader.FrameLength, _in, 0, _in.Length, out int len));
        Reader.Next();
        Assert.Equal(CoapResult.Ok, Message.Decode(_in, 0, len));
        return Message;
    }

    /// <summary>True when the device closed the connection within the timeout (reading and discarding what comes).</summary>
    public bool WaitClosedByDevice(int timeoutMs)
    {
        long end = Environment.TickCount64 + timeoutMs;
        var sink = new byte[1024];
        try
        {
            while (Environment.TickCount64 < end)
            {
                if (!_client!.Poll(50_000, SelectMode.SelectRead)) continue;
                if (_client.Receive(sink) == 0) return true;
            }
        }
        catch (SocketException)
        {
            return true;
        }
        return false;
    }

    public byte[] ReadRaw(int count, int timeoutMs = 10_000)
    {
        var b = new byte[count];
        int got = 0;
        long end = Environment.TickCount64 + timeoutMs;
        while (got < count)
        {
            Assert.True(Environment.TickCount64 < end, $"device sent {got} of {count} handshake bytes");
            if (!_client!.Poll(100_000, SelectMode.SelectRead)) continue;
            int n = _client.Receive(b, got, count - got, SocketFlags.None);
            if (n == 0) throw new IOException("the device closed the connection");
            got += n;
        }
        return b;
    }

    public void Dispose()
    {
        CloseClient();
        _listener.Stop();
        _crypto.Dispose();
    }
}
