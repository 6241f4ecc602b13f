using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Cloud;

/// <summary>Thrown inside a connection to drop it with a reason (never escapes the connection).</summary>
internal sealed class DropException(string reason) : Exception(reason);

/// <summary>
/// One device link on the server side: handshake (<see cref="ServerHandshake"/>), Hello exchange,
/// then the receive loop (<see cref="FrameReader"/> + <see cref="SecureFraming"/> +
/// <see cref="CoapMessage"/>) with counter checks, ping/event acknowledgements and routing of
/// OTA-related messages to the flasher. Every read is bounded by a timeout, every frame by
/// SecureFraming's 640-byte limit; anything malformed drops the link with a logged reason.
/// </summary>
internal sealed partial class DeviceConnection : IAsyncDisposable
{
    /// <summary>Capacity of the flasher's inbox; the receive loop waits when it is full (back-pressure).</summary>
    private const int OtaInboxCapacity = 256;

    private delegate CoapResult Build(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId, int token);

    private readonly DeviceServer _server;
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly DeviceServerOptions _options;
    private readonly HostCrypto _crypto = new(); // one per link: HostCrypto caches one AES key
    private readonly SecureFraming _framing;
    private readonly FrameReader _reader = new();
    private readonly CoapMessage _message = new();
    private readonly CoapWriter _writer = new();
    private readonly MessageCounter _sendCounter = new();
    private readonly MessageCounter _receiveCounter = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly byte[] _sendPlain = new byte[SecureFraming.MaxPlaintextLength];
    private readonly byte[] _sendFrame = new byte[SecureFraming.MaxFrameLength];
    private readonly byte[] _receivePlain = new byte[SecureFraming.MaxCiphertextLength];
    private readonly byte[] _readBuffer = new byte[1024];
    private readonly CancellationTokenSource _closed = new();
    // Taken once: the token stays usable after DisposeAsync disposed its source (a flasher started just
    // before the link closed may ask for it afterwards; it then reads as cancelled).
    private readonly CancellationToken _closedToken;
    private int _readCount;
    private int _readOffset;
    private int _lastToken;
    private Channel<DeviceMessage>? _otaInbox;
    // Answers (CoAP responses) handed to the attached flasher since it attached; read by the server to
    // tell a flash's own refusal from the previous update's late abort event.
    private int _flasherAnswers;

    // Requests of the cloud's own (not the flasher's) waiting for the device's answer, by token.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, TaskCompletionSource<int>> _pending = new();

    public DeviceConnection(DeviceServer server, TcpClient client, DeviceServerOptions options)
    {
        _server = server;
        _client = client;
        _client.NoDelay = true;
        _stream = client.GetStream();
        _options = options;
        _framing = new SecureFraming(_crypto);
        Remote = client.Client.RemoteEndPoint?.ToString() ?? "?";
        _closedToken = _closed.Token;
    }

    public string Remote { get; }

    /// <summary>The device id (24 hex) once the handshake read it.</summary>
    public string? DeviceId { get; private set; }

    /// <summary>Cancelled when the link closes.</summary>
    public CancellationToken Closed => _closedToken;

    /// <summary>Why the link closed (null while open).</summary>
    public string? CloseReason { get; private set; }

    public int ProductId { get; private set; } = -1;

    public int FirmwareVersion { get; private set; } = -1;

    /// <summary>Runs the link until it closes; returns the reason.</summary>
    public async Task<string> RunAsync(CancellationToken serverStopping)
    {
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(serverStopping, _closedToken);
        string reason;
        try
        {
            await HandshakeAsync(linked.Token).ConfigureAwait(false);
            await HelloAsync(linked.Token).ConfigureAwait(false);
            _server.OnOnline(this);
            await ReceiveLoopAsync(linked.Token).ConfigureAwait(false);
            reason = "closed";
        }
        catch (DropException e)
        {
            reason = e.Message;
        }
        catch (OperationCanceledException) when (serverStopping.IsCancellationRequested)
        {
            reason = "server stopping";
        }
        catch (OperationCanceledException)
        {
            reason = CloseReason ?? "closed";
        }
        catch (IOException e)
        {
            reason = "connection lost: " + (e.InnerException?.Message ?? e.Message);
        }
        catch (SocketException e)
        {
            reason = "connection lost: " + e.Message;
        }
        catch (ObjectDisposedException)
        {
            reason = CloseReason ?? "closed";
        }

        Close(reason);
        return CloseReason!;
    }

    /// <summary>Closes the link (idempotent); the first reason wins.</summary>
    public void Close(string reason)
    {
        lock (_closed)
        {
            if (CloseReason != null)
            {
                return;
            }

            CloseReason = reason;
        }

        _otaInbox?.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _client.Close();
    }

    public async ValueTask DisposeAsync()
    {
        Close("disposed");
        DisposeSubscriptions();
        _framing.Stop();
        _crypto.Dispose();
        _closed.Dispose();
        await Task.CompletedTask.ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ handshake

    private async Task HandshakeAsync(CancellationToken ct)
    {
        var handshake = new ServerHandshake(_crypto, _server.Registry.ServerPrivateKeyDer);
        byte[] nonce = RandomNumberGenerator.GetBytes(Handshake.NonceLength);
        handshake.SetNonce(nonce, 0, nonce.Length);
        await WriteRawAsync(nonce, nonce.Length, ct).ConfigureAwait(false);

        byte[] reply = new byte[Handshake.DeviceReplyLength];
        await ReadExactAsync(reply, _options.HandshakeStepTimeout, "handshake: no device reply in time", ct).ConfigureAwait(false);
        HandshakeResult r = handshake.ReadDeviceReply(reply, 0, reply.Length);
        if (r != HandshakeResult.Ok)
        {
            throw new DropException("handshake: bad device reply (" + r + ")");
        }

        string id = DeviceIds.ToHex(handshake.DeviceId);
        DeviceId = id;
        DeviceRecord? record = _server.Registry.Find(id);
        if (record == null || !string.Equals(record.Id, id, StringComparison.Ordinal))
        {
            // spark-protocol saves an offered key for an unknown id (and fails that handshake); we
            // never trust a key from the wire: devices are registered through the registry only.
            throw new DropException("unregistered device " + id);
        }

        byte[] session = RandomNumberGenerator.GetBytes(Handshake.SessionLength);
        byte[] answer = new byte[Handshake.SessionBlockLength];
        var keys = new SessionKeys();
        r = handshake.BuildSessionKey(record.PublicKeyDer, session, 0, session.Length, answer, 0, answer.Length, keys, out int written);
        CryptographicOperations.ZeroMemory(session);
        if (r != HandshakeResult.Ok)
        {
            throw new DropException("handshake: cannot encrypt to the registered key (" + r + ")");
        }

        await WriteRawAsync(answer, written, ct).ConfigureAwait(false);
        _framing.Start(keys);
        keys.Clear();
    }

    private async Task HelloAsync(CancellationToken ct)
    {
        // The device speaks first (PROTOCOL-NOTES.md: the cloud answers after reading its Hello).
        await ReadMessageAsync(_options.HelloTimeout, "no Hello in time", ct).ConfigureAwait(false);
        if (SparkMessages.Classify(_message) != MessageKind.Hello)
        {
            throw new DropException("expected Hello, got " + SparkMessages.Classify(_message));
        }

        _receiveCounter.StartFromHello(_message.MessageId);
        if (SparkMessages.ReadHelloVersion(_message, out int product, out int firmware))
        {
            ProductId = product;
            FirmwareVersion = firmware;
        }

        // The cloud's counter starts at a random 1..65535; its Hello takes the next id.
        _sendCounter.Reset(RandomNumberGenerator.GetInt32(1, 65536) + 1);
        await SendAsync(false, 0, true, (w, b, o, c, id, token) => SparkMessages.Hello(w, b, o, c, id, token, -1, 0), ct)
            .ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ receive

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        while (true)
        {
            await ReadMessageAsync(_options.IdleTimeout, "idle timeout", ct).ConfigureAwait(false);
            if (!_receiveCounter.AcceptIncoming(_message))
            {
                throw new DropException($"bad counter (message id {_message.MessageId})");
            }

            await DispatchAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task DispatchAsync(CancellationToken ct)
    {
        MessageKind kind = SparkMessages.Classify(_message);
        _server.OnHeard(this);
        switch (kind)
        {
            case MessageKind.Ping:
                await SendAckAsync(_message.MessageId, ct).ConfigureAwait(false);
                return;
            case MessageKind.EmptyAck:
            case MessageKind.Reset:
                return;
            case MessageKind.PublicEvent:
            case MessageKind.PrivateEvent:
            {
                DeviceMessage e = DeviceMessage.From(_message, kind);
                if (_message.Type == CoapType.Confirmable || _message.Type == CoapType.NonConfirmable)
                {
                    // spark-protocol acknowledges events even when they are NON (EventAck).
                    await SendAckAsync(_message.MessageId, ct).ConfigureAwait(false);
                }

                _server.OnEvent(this, e);
                if (kind == MessageKind.PrivateEvent && e.EventName == DeviceServer.OtaEventName)
                {
                    await ToFlasherAsync(e, ct).ConfigureAwait(false);
                }

                return;
            }

            case MessageKind.ChunkMissed:
                await SendAckAsync(_message.MessageId, ct).ConfigureAwait(false);
                await ToFlasherAsync(DeviceMessage.From(_message, kind), ct).ConfigureAwait(false);
                return;
            case MessageKind.Response:
                if (_message.TokenLength == 1 && _pending.TryRemove(_message.Token[0], out TaskCompletionSource<int>? waiter))
                {
                    waiter.TrySetResult(_message.Code);
                    return;
                }

                if (_message.TokenLength == 1 && _requests.TryRemove(_message.Token[0], out TaskCompletionSource<DeviceMessage>? answered))
                {
                    answered.TrySetResult(DeviceMessage.From(_message, kind));
                    return;
                }

                await ToFlasherAsync(DeviceMessage.From(_message, kind), ct).ConfigureAwait(false);
                return;
            case MessageKind.GetTime:
            {
                uint now = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                CoapMessage request = _message;
                await SendAsync(true, request.MessageId, false,
                    (w, b, o, c, id, token) => SparkMessages.GetTimeReturn(w, b, o, c, request, now), ct).ConfigureAwait(false);
                return;
            }

            case MessageKind.Subscribe:
                if (_message.Type == CoapType.Confirmable)
                {
                    await SendAckAsync(_message.MessageId, ct).ConfigureAwait(false);
                }

                OnSubscribe(_message);
                return;

            default:
                // Requests only the cloud sends (Describe, Chunk ...), a second Hello, or unknown:
                // ignored, as spark-protocol does with unroutable messages.
                _server.Log(this, "ignored " + kind + " from device");
                return;
        }
    }

    private async Task ToFlasherAsync(DeviceMessage message, CancellationToken ct)
    {
        Channel<DeviceMessage>? inbox = Volatile.Read(ref _otaInbox);
        if (inbox != null)
        {
            if (message.Kind == MessageKind.Response)
            {
                // Counted on the reader before the message is queued: an event read after this answer
                // is seen by the server after the count moved, whenever the flasher gets to the answer.
                Interlocked.Increment(ref _flasherAnswers);
            }

            try
            {
                await inbox.Writer.WriteAsync(message, ct).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
            }
        }
    }

    /// <summary>Opens the flasher's inbox; null when a flash already holds it.</summary>
    public ChannelReader<DeviceMessage>? AttachFlasher()
    {
        var inbox = Channel.CreateBounded<DeviceMessage>(new BoundedChannelOptions(OtaInboxCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        if (Interlocked.CompareExchange(ref _otaInbox, inbox, null) != null)
        {
            return null;
        }

        Volatile.Write(ref _flasherAnswers, 0);

        if (CloseReason != null)
        {
            inbox.Writer.TryComplete();
        }

        return inbox.Reader;
    }

    /// <summary>
    /// True once the device answered something of the attached flash (its UpdateBegin first): OTA events
    /// from then on are about this flash, not a late one of the update before.
    /// </summary>
    public bool FlasherHeardAnAnswer => Volatile.Read(ref _flasherAnswers) > 0;

    public void DetachFlasher()
    {
        Channel<DeviceMessage>? inbox = Interlocked.Exchange(ref _otaInbox, null);
        inbox?.Writer.TryComplete();
    }

    /// <summary>Closes <paramref name="reader"/>'s inbox if it is still the attached one (a newer flash's stays).</summary>
    public void DetachFlasher(ChannelReader<DeviceMessage> reader)
    {
        Channel<DeviceMessage>? inbox = Volatile.Read(ref _otaInbox);
        if (inbox != null && inbox.Reader == reader && Interlocked.CompareExchange(ref _otaInbox, null, inbox) == inbox)
        {
            inbox.Writer.TryComplete();
        }
    }

    /// <summary>Reads until one whole message is decoded into <see cref="_message"/> (bounded by <paramref name="timeout"/>).</summary>
    private async Task ReadMessageAsync(TimeSpan timeout, string timeoutReason, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (_readOffset < _readCount)
            {
                FramingResult fr = _reader.Feed(_readBuffer, _readOffset, _readCount - _readOffset, out int used);
                _readOffset += used;
                if (fr != FramingResult.Ok)
                {
                    throw new DropException("bad frame (" + fr + ")");
                }

                if (_reader.IsComplete)
                {
                    fr = _framing.Decrypt(_reader.Frame, 0, _reader.FrameLength, _receivePlain, 0, _receivePlain.Length, out int length);
                    _reader.Next();
                    if (fr != FramingResult.Ok)
                    {
                        throw new DropException("cannot decrypt frame (" + fr + ")");
                    }

                    CoapResult cr = _message.Decode(_receivePlain, 0, length);
                    if (cr != CoapResult.Ok)
                    {
                        throw new DropException("bad CoAP message (" + cr + ")");
                    }

                    return;
                }

                continue;
            }

            _readOffset = 0;
            _readCount = await ReadSomeAsync(_readBuffer, 0, _readBuffer.Length, deadline, timeoutReason, ct).ConfigureAwait(false);
        }
    }

    private async Task ReadExactAsync(byte[] buffer, TimeSpan timeout, string timeoutReason, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        int have = 0;
        while (have < buffer.Length)
        {
            have += await ReadSomeAsync(buffer, have, buffer.Length - have, deadline, timeoutReason, ct).ConfigureAwait(false);
        }
    }

    private async Task<int> ReadSomeAsync(byte[] buffer, int offset, int count, CancellationTokenSource deadline,
        string timeoutReason, CancellationToken ct)
    {
        int n;
        try
        {
            n = await _stream.ReadAsync(buffer.AsMemory(offset, count), deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new DropException(timeoutReason);
        }

        if (n == 0)
        {
            throw new DropException("device closed the connection");
        }

        return n;
    }

    // ------------------------------------------------------------------ send

    private async Task WriteRawAsync(byte[] data, int count, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.SendTimeout);
        try
        {
            await _stream.WriteAsync(data.AsMemory(0, count), deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new DropException("send timeout");
        }
    }

    private int NextToken()
    {
        // Cloud tokens: one byte counting 1..254 then 0 (SparkCore.getNextToken).
        _lastToken = (_lastToken + 1) % SparkProtocol.TokenModulus;
        return _lastToken;
    }

    /// <summary>
    /// Builds, encrypts and writes one message under the send lock. ACKs reuse
    /// <paramref name="ackId"/>; other messages take the next id. Returns (message id, token).
    /// </summary>
    private async Task<(int MessageId, int Token)> SendAsync(bool isAck, int ackId, bool withToken, Build build, CancellationToken ct)
    {
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (CloseReason != null)
            {
                throw new DropException(CloseReason);
            }

            int id = isAck ? ackId : _sendCounter.Next();
            int token = withToken ? NextToken() : -1;
            CoapResult r = build(_writer, _sendPlain, 0, _sendPlain.Length, id, token);
            if (r != CoapResult.Ok)
            {
                throw new InvalidOperationException("cannot build message: " + r);
            }

            FramingResult fr = _framing.Encrypt(_sendPlain, 0, _writer.Length, _sendFrame, 0, _sendFrame.Length, out int length);
            if (fr != FramingResult.Ok)
            {
                throw new InvalidOperationException("cannot encrypt message: " + fr);
            }

            try
            {
                await WriteRawAsync(_sendFrame, length, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is ObjectDisposedException || e is DropException)
            {
                string reason = e is DropException ? e.Message : "connection lost: " + (e.InnerException?.Message ?? e.Message);
                Close(reason);
                throw new DropException(CloseReason ?? reason);
            }

            return (id, token);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private Task SendAckAsync(int messageId, CancellationToken ct) =>
        SendAsync(true, messageId, false, (w, b, o, c, id, token) => SparkMessages.EmptyAck(w, b, o, c, id), ct);

    // ------------------------------------------------------------------ OTA requests (the flasher's side)

    public Task<(int MessageId, int Token)> SendUpdateBeginAsync(UpdateParameters parameters, CancellationToken ct) =>
        SendAsync(false, 0, true, (w, b, o, c, id, token) => SparkMessages.UpdateBegin(w, b, o, c, id, token, parameters), ct);

    public Task<(int MessageId, int Token)> SendChunkAsync(uint crc, int index, byte[] data, int offset, int count, CancellationToken ct) =>
        SendAsync(false, 0, true, (w, b, o, c, id, token) => SparkMessages.Chunk(w, b, o, c, id, token, crc, index, data, offset, count), ct);

    /// <summary>
    /// Sends the safe-mode request (POST "s"/"safe-mode", CON, PROTOCOL-NOTES.md) and waits up to
    /// <paramref name="timeout"/> for the device's answer; returns its CoAP code, or -1 when no answer
    /// came in time (the link stays up). Throws <see cref="DropException"/> when the link is closed.
    /// </summary>
    public async Task<int> SendSafeModeRequestAsync(TimeSpan timeout, CancellationToken ct)
    {
        var answer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        int registered = -1;
        try
        {
            // Registered while the message is built (under the send lock, before it is written), so a
            // fast answer always finds its waiter.
            await SendAsync(false, 0, true, (w, b, o, c, id, token) =>
            {
                registered = token;
                _pending[token] = answer;
                return SparkMessages.SafeModeRequest(w, b, o, c, id, token);
            }, ct).ConfigureAwait(false);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _closedToken);
            await Task.WhenAny(answer.Task, Task.Delay(timeout, linked.Token)).ConfigureAwait(false);

            // The answer wins even when the link closed right after it (the device reboots at once):
            // its continuation may run after the close's, so look at the answer, not at which came first.
            if (answer.Task.IsCompleted)
            {
                return answer.Task.Result;
            }

            if (CloseReason != null)
            {
                throw new DropException(CloseReason);
            }

            ct.ThrowIfCancellationRequested();
            return -1;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new DropException(CloseReason ?? "closed");
        }
        finally
        {
            if (registered >= 0)
            {
                ((ICollection<KeyValuePair<int, TaskCompletionSource<int>>>)_pending).Remove(
                    new KeyValuePair<int, TaskCompletionSource<int>>(registered, answer));
            }
        }
    }

    public Task<(int MessageId, int Token)> SendUpdateDoneAsync(CancellationToken ct) =>
        SendAsync(false, 0, true, (w, b, o, c, id, token) => SparkMessages.UpdateDone(w, b, o, c, id, token), ct);
}
