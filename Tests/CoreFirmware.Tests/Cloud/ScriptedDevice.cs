using System.Net;
using System.Net.Sockets;
using System.Text;
using CoreFirmware.Cloud;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Tests.Cloud;

/// <summary>
/// A device written in the test from the firmware protocol code only (DeviceHandshake,
/// SecureFraming, FrameReader, SparkMessages, MessageCounter, Crc32) over a real TcpClient.
/// It plays the device side of OTA-DESIGN.md: UpdateReady or a 4.00 refusal, CRC check per chunk
/// with ChunkReceived / ChunkReceivedError (slow) or silence plus ChunkMissed (fast), whole-image
/// check at UpdateDone, and the "E/corefw/ota" event. Knobs make it misbehave on purpose.
/// </summary>
internal sealed class ScriptedDevice : IAsyncDisposable
{
    private readonly DeviceKeyPair _keys;
    private readonly byte[] _serverPublicKey;
    private readonly IPEndPoint _endPoint;
    private readonly HostCrypto _crypto = new();
    private readonly SecureFraming _framing;
    private readonly FrameReader _reader = new();
    private readonly CoapMessage _message = new();
    private readonly CoapWriter _writer = new();
    private readonly MessageCounter _tx = new();
    private readonly MessageCounter _rx = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly byte[] _out = new byte[SecureFraming.MaxPlaintextLength];
    private readonly byte[] _frame = new byte[SecureFraming.MaxFrameLength];
    private readonly byte[] _in = new byte[SecureFraming.MaxCiphertextLength];
    private readonly byte[] _readBuffer = new byte[700];
    private readonly CancellationTokenSource _stop = new();
    private int _readCount;
    private int _readOffset;
    private TcpClient? _client;
    private NetworkStream? _stream;
    private Task? _loop;

    // OTA state
    private UpdateParameters? _update;
    private byte[]? _staged;
    private bool[]? _have;
    private int _nextSlowChunk;
    private readonly HashSet<int> _droppedOnce = new();
    private bool _corrupted;
    private bool _missedSent;
    private int _plainLength;
    private CoapMessage? _heldDone;

    public ScriptedDevice(DeviceKeyPair keys, byte[] serverPublicKey, IPEndPoint endPoint)
    {
        _keys = keys;
        _serverPublicKey = serverPublicKey;
        _endPoint = endPoint;
        _framing = new SecureFraming(_crypto);
    }

    // ---- knobs
    /// <summary>Refuse UpdateBegin with 4.00 and this reason.</summary>
    public string? RefuseReason { get; set; }

    /// <summary>After refusing UpdateBegin, send "aborted: &lt;reason&gt;" at once, as OtaService does.</summary>
    public bool AnnounceRefusal { get; set; }

    /// <summary>Slow OTA: the first copy of this chunk arrives "corrupted" (a bit flipped before the CRC check).</summary>
    public int CorruptChunkOnce { get; set; } = -1;

    /// <summary>When set, chunk 0 (the image header) is refused: 4.00 with this reason, as OtaService's header gate.</summary>
    public string? RefuseHeader { get; set; }

    /// <summary>Fast OTA: the first copy of these chunks is "lost".</summary>
    public HashSet<int> LoseChunksOnce { get; } = new();

    /// <summary>
    /// Fast OTA, as OtaService when its chunk backlog outlasts the cloud's quiet period: no ChunkMissed
    /// after the last chunk; an UpdateDone that finds gaps is held, ChunkMissed lists them, and the
    /// UpdateDone is answered once the last gap fills.
    /// </summary>
    public bool MissedOnlyAtUpdateDone { get; set; }

    /// <summary>Time the device spends checking the image at UpdateDone before it answers (a slow CPU; zero by default).</summary>
    public TimeSpan VerifyTime { get; set; }

    /// <summary>While it checks (<see cref="VerifyTime"/>), the device says "verifying ..." six times, as OtaVerifyProgress does.</summary>
    public bool VerifyingEvents { get; set; }

    /// <summary>UpdateDones that found gaps and were held (<see cref="MissedOnlyAtUpdateDone"/>).</summary>
    public int UpdateDonesHeld { get; private set; }

    /// <summary>After this chunk arrives, send "aborted: ..." (<see cref="AbortReason"/>) and stop answering OTA messages.</summary>
    public int AbortAfterChunk { get; set; } = -1;

    public string AbortReason { get; set; } = "flash error";

    /// <summary>Slow OTA: stop answering chunks after this one (no event: the device just goes quiet).</summary>
    public int SilentAfterChunk { get; set; } = -1;

    /// <summary>Close the link right after accepting the image (the device reboots).</summary>
    public bool RebootAfterUpdate { get; set; } = true;

    // ---- observations
    public byte[]? Image { get; private set; }
    public int Nacks { get; private set; }
    public List<int> MissedRequested { get; } = new();
    public int ChunksReceived { get; private set; }
    public bool UpdateBeginSawFast { get; private set; }
    public string? Error { get; private set; }
    public TaskCompletionSource<string> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int PingAcks { get; private set; }
    public bool CloudHelloSeen { get; private set; }

    public string IdHex => _keys.IdHex;

    /// <summary>Connects, does the handshake and the Hello exchange, then serves messages in the background.</summary>
    public async Task ConnectAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        _client = new TcpClient();
        await _client.ConnectAsync(_endPoint, cts.Token);
        _stream = _client.GetStream();
        byte[] nonce = new byte[Handshake.NonceLength];
        await _stream.ReadExactlyAsync(nonce, cts.Token);
        var hs = new DeviceHandshake(_crypto, _keys.Id, _keys.PublicKeyDer, _keys.PrivateKeyDer, _serverPublicKey);
        byte[] reply = new byte[Handshake.DeviceReplyLength];
        Check(hs.BuildDeviceReply(nonce, 0, nonce.Length, reply, 0, reply.Length, out _) == HandshakeResult.Ok, "reply");
        await _stream.WriteAsync(reply, cts.Token);
        byte[] answer = new byte[Handshake.SessionBlockLength];
        await _stream.ReadExactlyAsync(answer, cts.Token);
        var keys = new SessionKeys();
        HandshakeResult r = hs.ReadSessionKey(answer, 0, answer.Length, keys);
        Check(r == HandshakeResult.Ok, "session key: " + r);
        _framing.Start(keys);
        _tx.Reset(MessageCounter.DeviceInitialId(keys.Iv, 0));
        await SendAsync(() => SparkMessages.Hello(_writer, _out, 0, _out.Length, _tx.Next(), -1, 6, 42));
        await ReadMessageAsync(cts.Token);
        Check(SparkMessages.Classify(_message) == MessageKind.Hello, "cloud Hello");
        _rx.StartFromHello(_message.MessageId);
        CloudHelloSeen = true;
        _loop = Task.Run(LoopAsync);
    }

    private static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException("scripted device: " + what);
        }
    }

    public Task PingAsync() => SendAsync(() => SparkMessages.Ping(_writer, _out, 0, _out.Length, _tx.Next()));

    public Task SendOtaEventAsync(string text) => SendAsync(() =>
    {
        byte[] name = Encoding.ASCII.GetBytes(DeviceServer.OtaEventName);
        byte[] data = Encoding.ASCII.GetBytes(text);
        return SparkMessages.Event(_writer, _out, 0, _out.Length, _tx.Next(), false, name, 0, name.Length, 60, data, 0, data.Length);
    });

    /// <summary>Sends raw bytes on the link (hostile-device tests).</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        using var bound = new CancellationTokenSource(SendTimeout);
        await _stream!.WriteAsync(bytes, bound.Token);
    }

    // Bound on one write (a cloud that stopped reading must not hold a test forever).
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Sends a message with a wrong message id (the cloud must drop the link).</summary>
    public Task SendWithBadCounterAsync() => SendAsync(() =>
        SparkMessages.Event(_writer, _out, 0, _out.Length, (_tx.Next() + 100) & 0xFFFF, true,
            new byte[] { (byte)'x' }, 0, 1, 60, new byte[] { (byte)'1' }, 0, 1));

    /// <summary>Completes when the link is closed by the cloud (or fails after the timeout).</summary>
    public async Task<bool> WaitClosedAsync(TimeSpan timeout)
    {
        if (_loop == null)
        {
            return false;
        }

        return await Task.WhenAny(_loop, Task.Delay(timeout)) == _loop;
    }

    // One message built and encrypted, not sent (the caller sends several in one write).
    private byte[] Frame(Func<CoapResult> build)
    {
        Check(build() == CoapResult.Ok, "build");
        Check(_framing.Encrypt(_out, 0, _writer.Length, _frame, 0, _frame.Length, out int n) == FramingResult.Ok, "encrypt");
        return _frame.AsSpan(0, n).ToArray();
    }

    private async Task SendAsync(Func<CoapResult> build)
    {
        using var bound = new CancellationTokenSource(SendTimeout);
        await _sendLock.WaitAsync(bound.Token);
        try
        {
            Check(build() == CoapResult.Ok, "build");
            Check(_framing.Encrypt(_out, 0, _writer.Length, _frame, 0, _frame.Length, out int n) == FramingResult.Ok, "encrypt");
            await _stream!.WriteAsync(_frame.AsMemory(0, n), bound.Token);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReadMessageAsync(CancellationToken ct)
    {
        while (true)
        {
            if (_readOffset < _readCount)
            {
                Check(_reader.Feed(_readBuffer, _readOffset, _readCount - _readOffset, out int used) == FramingResult.Ok, "frame");
                _readOffset += used;
                if (_reader.IsComplete)
                {
                    Check(_framing.Decrypt(_reader.Frame, 0, _reader.FrameLength, _in, 0, _in.Length, out int len) == FramingResult.Ok, "decrypt");
                    _plainLength = len;
                    _reader.Next();
                    Check(_message.Decode(_in, 0, len) == CoapResult.Ok, "decode");
                    return;
                }

                continue;
            }

            _readOffset = 0;
            _readCount = await _stream!.ReadAsync(_readBuffer, ct);
            if (_readCount == 0)
            {
                throw new EndOfStreamException();
            }
        }
    }

    private async Task LoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await ReadMessageAsync(_stop.Token);
                if (!_rx.AcceptIncoming(_message))
                {
                    Error = "bad counter from cloud: " + _message.MessageId;
                }

                await HandleAsync();
            }
        }
        catch (Exception e) when (e is EndOfStreamException || e is IOException || e is OperationCanceledException
            || e is ObjectDisposedException || e is SocketException)
        {
        }
        catch (Exception e)
        {
            Error ??= e.Message;
        }
        finally
        {
            Outcome.TrySetResult("closed");
        }
    }

    private async Task HandleAsync()
    {
        CoapMessage m = _message;
        switch (SparkMessages.Classify(m))
        {
            case MessageKind.EmptyAck:
                PingAcks++;
                return;
            case MessageKind.UpdateBegin:
            {
                var p = new UpdateParameters();
                Check(p.Read(m) == CoapResult.Ok, "UpdateBegin payload");
                UpdateBeginSawFast = p.FastOta;
                if (RefuseReason != null)
                {
                    byte[] reason = Encoding.ASCII.GetBytes(RefuseReason);
                    if (AnnounceRefusal)
                    {
                        // The answer and the event in one TCP segment: the cloud's reader has both at once.
                        byte[] first = Frame(() => SparkMessages.Response(_writer, _out, 0, _out.Length, _tx.Next(), m, CoapCode.BadRequest, reason, 0, reason.Length));
                        byte[] name = Encoding.ASCII.GetBytes(DeviceServer.OtaEventName);
                        byte[] data = Encoding.ASCII.GetBytes("aborted: " + RefuseReason);
                        byte[] second = Frame(() => SparkMessages.Event(_writer, _out, 0, _out.Length, _tx.Next(), false, name, 0, name.Length, 60, data, 0, data.Length));
                        await SendRawAsync([.. first, .. second]);
                        return;
                    }

                    await SendAsync(() => SparkMessages.Response(_writer, _out, 0, _out.Length, _tx.Next(), m, CoapCode.BadRequest, reason, 0, reason.Length));
                    return;
                }

                if (_update == null)
                {
                    _update = p;
                    int chunks = (int)((p.FileSize + (uint)p.ChunkSize - 1) / (uint)p.ChunkSize);
                    _staged = new byte[chunks * p.ChunkSize];
                    _have = new bool[chunks];
                }

                await SendAsync(() => SparkMessages.UpdateReady(_writer, _out, 0, _out.Length, _tx.Next(), m, -1));
                return;
            }

            case MessageKind.Chunk:
                await OnChunkAsync(m);
                return;
            case MessageKind.UpdateDone:
                await OnUpdateDoneAsync(m);
                return;
            default:
                return;
        }
    }

    private async Task OnChunkAsync(CoapMessage m)
    {
        if (_update == null || _staged == null || _have == null || AbortAfterChunk == -2)
        {
            return; // not updating, or aborted: stays silent
        }

        ChunksReceived++;
        if (SilentAfterChunk >= 0 && _nextSlowChunk > SilentAfterChunk)
        {
            return;
        }

        Check(SparkMessages.ReadChunkCrc(m, out uint crc) == CoapResult.Ok, "chunk crc");
        Check(SparkMessages.ReadChunkIndex(m, out int wireIndex) == CoapResult.Ok, "chunk index");
        bool fast = _update.FastOta;
        // As OtaService: a chunk without an index (slow OTA, or fast OTA's chunk 0, the header) goes to
        // the next sequential index and is answered; fast OTA's indexed chunks are not.
        bool answered = !fast || wireIndex < 0;
        int index = answered ? _nextSlowChunk : wireIndex;
        Check(index >= 0 && index < _have.Length, "chunk index in range");
        Check(m.PayloadLength == _update.ChunkSize, "chunk padded to the chunk size");
        if (answered && index == 0 && RefuseHeader != null)
        {
            byte[] reason = System.Text.Encoding.ASCII.GetBytes(RefuseHeader);
            await SendAsync(() => SparkMessages.Response(_writer, _out, 0, _out.Length, _tx.Next(), m, CoapCode.BadRequest, reason, 0, reason.Length));
            await SendOtaEventAsync("aborted: " + RefuseHeader);
            _update = null; // the update is over: a new UpdateBegin starts afresh
            return;
        }

        byte[] data = new byte[m.PayloadLength];
        Array.Copy(m.Buffer, m.PayloadOffset, data, 0, data.Length);
        if (index == CorruptChunkOnce && !_corrupted)
        {
            _corrupted = true;
            data[data.Length / 2] ^= 0x10; // noise on the link
        }

        bool lost = fast && LoseChunksOnce.Contains(index) && _droppedOnce.Add(index);
        bool ok = !lost && Crc32.Compute(data, 0, data.Length) == crc;
        if (ok)
        {
            Array.Copy(data, 0, _staged, index * _update.ChunkSize, data.Length);
            _have[index] = true;
        }

        if (answered)
        {
            if (ok)
            {
                _nextSlowChunk++;
            }
            else
            {
                Nacks++;
            }

            await SendAsync(() => SparkMessages.ChunkReceived(_writer, _out, 0, _out.Length, _tx.Next(), m, ok));
        }
        else if (_heldDone != null)
        {
            if (Array.TrueForAll(_have, h => h))
            {
                CoapMessage done = _heldDone;
                _heldDone = null;
                await OnUpdateDoneAsync(done);
            }
        }
        else if (index == _have.Length - 1 && !_missedSent && !MissedOnlyAtUpdateDone)
        {
            _missedSent = true;
            await SendMissedAsync();
        }

        if (index == AbortAfterChunk)
        {
            AbortAfterChunk = -2;
            await SendOtaEventAsync("aborted: " + AbortReason);
        }
    }

    private async Task SendMissedAsync()
    {
        var missing = new List<int>();
        for (int i = 0; i < _have!.Length && missing.Count < SparkProtocol.MaxMissedChunks; i++)
        {
            if (!_have[i])
            {
                missing.Add(i);
            }
        }

        if (missing.Count > 0)
        {
            MissedRequested.AddRange(missing);
            int[] arr = missing.ToArray();
            await SendAsync(() => SparkMessages.ChunkMissed(_writer, _out, 0, _out.Length, _tx.Next(), arr, 0, arr.Length));
        }
    }

    private async Task OnUpdateDoneAsync(CoapMessage m)
    {
        if (_update == null || _staged == null || _have == null)
        {
            return;
        }

        if (MissedOnlyAtUpdateDone && _update.FastOta && !Array.TrueForAll(_have, h => h))
        {
            // Hold the UpdateDone (a copy: the receive buffer is reused) and ask for the gaps.
            byte[] copy = _in[.._plainLength];
            var held = new CoapMessage();
            Check(held.Decode(copy, 0, copy.Length) == CoapResult.Ok, "held UpdateDone");
            _heldDone = held;
            UpdateDonesHeld++;
            await SendMissedAsync();
            return;
        }

        foreach (bool h in _have)
        {
            if (!h)
            {
                byte[] reason = Encoding.ASCII.GetBytes("verify failed");
                await SendAsync(() => SparkMessages.Response(_writer, _out, 0, _out.Length, _tx.Next(), m, CoapCode.BadRequest, reason, 0, reason.Length));
                await SendOtaEventAsync("aborted: verify failed");
                return;
            }
        }

        const int VerifySteps = 6;
        for (int step = 1; step <= VerifySteps && VerifyTime > TimeSpan.Zero; step++)
        {
            await Task.Delay(VerifyTime / VerifySteps);
            if (VerifyingEvents) await SendOtaEventAsync($"verifying {step} {VerifySteps}");
        }

        Image = _staged[..(int)_update.FileSize];
        uint crc = Crc32.Compute(Image, 0, Image.Length);
        await SendAsync(() => SparkMessages.Response(_writer, _out, 0, _out.Length, _tx.Next(), m, CoapCode.Changed, null!, 0, 0));
        await SendOtaEventAsync($"pending {Image.Length} {crc:x8}");
        Outcome.TrySetResult("pending");
        _update = null;
        if (RebootAfterUpdate)
        {
            await Task.Delay(50);
            _client?.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _client?.Close();
        if (_loop != null)
        {
            await Task.WhenAny(_loop, Task.Delay(2000));
        }

        _crypto.Dispose();
    }
}
