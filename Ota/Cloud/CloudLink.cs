using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Status;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Ota.Cloud
{
    /// <summary>
    /// The device's connection to the cloud, on the SYSTEM socket view (the caller passes the view
    /// at BusPriority.SystemNetwork; never the user's broker): connect, handshake, Hello, then a
    /// receive loop that answers pings and Describe, hands OTA messages to the
    /// <see cref="UpdateHandler"/>, pings the cloud every <see cref="CloudLinkSettings.KeepAliveMilliseconds"/>
    /// and reconnects with backoff after any drop.
    /// </summary>
    /// <remarks>
    /// <para>Hostile or broken peers: a failed handshake step (bad signature, wrong block, decrypt
    /// failure), a bad frame length, a frame that does not decrypt, a message that is not CoAP, a
    /// wrong message id, a first message that is not the cloud's Hello, a missing ping
    /// acknowledgement or any socket error drop the link with a reason kept in a ring of the last
    /// <see cref="DropReasonCapacity"/> (<see cref="GetDropReason"/>). Nothing a peer sends can throw
    /// out of the loop or block it: every socket call has a timeout and the loop wakes at least every
    /// <see cref="ReceiveSliceMilliseconds"/>.</para>
    /// <para>Reconnect backoff: <see cref="CloudLinkSettings.ReconnectMinMilliseconds"/> (1 s) after a
    /// drop or failed attempt, doubling after each attempt that does not reach a session, capped at
    /// <see cref="CloudLinkSettings.ReconnectMaxMilliseconds"/> (30 s); back to the minimum once a
    /// session is up (the cloud's Hello arrived).</para>
    /// <para>Threads: the loop (<see cref="Run"/>, or <see cref="Start"/>'s thread) is the only reader;
    /// sends from any thread are serialised by one lock around one plaintext buffer and one frame
    /// buffer, so message ids go out in order. Allocation: none per message; a drop allocates its
    /// reason string.</para>
    /// <para>Watchdog: with a <see cref="Watchdog"/> set, the loop checks in on every iteration,
    /// between the blocking steps of a connect (resolve, open, connect, each bounded by
    /// <see cref="CloudLinkSettings.ConnectTimeoutMilliseconds"/>) and on every receive slice of a
    /// handshake read, so the longest gap between two checkins is one bounded socket call
    /// (SystemWatchdog.DefaultCheckinTimeoutMilliseconds is derived from it).</para>
    /// <para>Safe mode by cloud request (a CoreFirmware extension, Ota/Protocol/PROTOCOL-NOTES.md):
    /// POST "s"/"safe-mode" goes to the <see cref="SafeModeHandler"/>; the link answers with the
    /// handler's code (2.04 when the request was recorded), then tells the handler to reboot.</para>
    /// </remarks>
    public sealed class CloudLink : ICloudChannel
    {
        /// <summary>Longest single Receive wait: the loop's tick for keep-alive, OTA timeouts and Stop.</summary>
        public const int ReceiveSliceMilliseconds = 100;

        /// <summary>
        /// How long receives may keep answering BusUnavailable before the session is dropped: 5 s, far
        /// beyond the bus arbiter's hold bound (100 ms) and the longest flash transaction (52 ms), so only
        /// a bus that is really stuck ends the session; a busy one just delays the next slice.
        /// </summary>
        public const int BusUnavailableDropMilliseconds = 5000;

        /// <summary>Drop reasons kept.</summary>
        public const int DropReasonCapacity = 16;

        // Receive chunk: what one CC3000 recv can return (1460 bytes, a TCP segment's payload), so a
        // stream of frames (fast OTA: one 594-byte chunk is a 626-byte frame) needs ~0.4 recv calls per
        // frame instead of one; each recv is an HCI round trip on the bus (ota benchmark: 640 KB fast OTA
        // spent 12% of its time in 1,078 recvs of at most one frame each).
        private const int ReceiveBufferLength = 1460;

        // Event names: "corefw/ota" and the like; the CoAP option takes up to 268 bytes, 64 is plenty.
        private const int MaxEventNameLength = 64;


        private static readonly byte[] DescribeJson = AsciiBytes("{\"f\":[],\"v\":{}}");

        private readonly object _sendSync = new object();
        private readonly object _reasonSync = new object();
        private readonly INetworkSockets _sockets;
        private readonly IClock _clock;
        private readonly CloudLinkSettings _settings;
        private readonly DeviceHandshake _handshake;
        private readonly SessionKeys _keys = new SessionKeys();
        private readonly SecureFraming _framing;
        private readonly FrameReader _reader = new FrameReader();
        private readonly MessageCounter _tx = new MessageCounter();
        private readonly MessageCounter _rx = new MessageCounter();
        private readonly CoapWriter _writer = new CoapWriter();
        private readonly CoapMessage _message = new CoapMessage();
        private readonly byte[] _rxBuffer = new byte[ReceiveBufferLength];
        private readonly byte[] _plainIn = new byte[SecureFraming.MaxCiphertextLength];
        private readonly byte[] _plainOut = new byte[SecureFraming.MaxPlaintextLength];
        private readonly byte[] _frameOut = new byte[SecureFraming.MaxFrameLength];
        private readonly byte[] _handshakeIn = new byte[Handshake.SessionBlockLength];
        private readonly byte[] _handshakeOut = new byte[Handshake.DeviceReplyLength];
        private readonly byte[] _eventName = new byte[MaxEventNameLength];
        private readonly string[] _reasons = new string[DropReasonCapacity];
        private readonly ManualResetEvent _stopEvent = new ManualResetEvent(false);

        private IUpdateMessageHandler _handler;
        private ICloudMessageHandler _appHandler;
        private ISafeModeRequestHandler _safeModeHandler;
        private SystemWatchdog _watchdog;
        private Thread _thread;
        private int _stopRequested;
        private int _socket = -1;
        private int _state;
        private int _sendFailure;
        private long _busUnavailableSinceMs = -1;
        private long _nextAttemptMs;
        private int _backoffMs;
        private long _helloDeadlineMs;
        private long _lastPingMs;
        private long _pingSentMs;
        private long _connectStartMs;
        private int _longestSessionStartMs;
        private int _longestPingRoundTripMs;
        private bool _pingOutstanding;
        private long _lastInboundMs;
        private int _pingId;
        private int _reasonCount;
        private int _reasonNext;
        private int _connectAttempts;
        private int _sessions;
        private int _drops;
        private int _messagesIn;
        private int _messagesOut;
        private int _pingsSent;
        private int _pingAcks;

        /// <summary>
        /// Creates the link over the system socket view <paramref name="systemSockets"/>.
        /// Nothing happens until <see cref="Start"/> or <see cref="Run"/>.
        /// </summary>
        public CloudLink(INetworkSockets systemSockets, ICrypto crypto, IClock clock, CloudLinkSettings settings)
        {
            if (systemSockets == null) throw new ArgumentNullException("systemSockets");
            if (crypto == null) throw new ArgumentNullException("crypto");
            if (clock == null) throw new ArgumentNullException("clock");
            if (settings == null) throw new ArgumentNullException("settings");
            if (settings.DeviceId == null || settings.DeviceId.Length != Handshake.DeviceIdLength)
                throw new ArgumentException("device id must be 12 bytes", "settings");
            if (settings.DevicePrivateKeyDer == null || settings.ServerPublicKeyDer == null)
                throw new ArgumentException("device private key and server public key are required", "settings");
            if (settings.ReconnectMinMilliseconds <= 0 || settings.ReconnectMaxMilliseconds < settings.ReconnectMinMilliseconds)
                throw new ArgumentException("reconnect bounds", "settings");
            _sockets = systemSockets;
            _clock = clock;
            _settings = settings;
            _framing = new SecureFraming(crypto);
            _handshake = new DeviceHandshake(crypto, settings.DeviceId, settings.DevicePublicKeyDer,
                settings.DevicePrivateKeyDer, settings.ServerPublicKeyDer);
            _backoffMs = settings.ReconnectMinMilliseconds;
        }

        /// <summary>Receives UpdateBegin / Chunk / UpdateDone and link up/down (normally the OtaService). Set before Start.</summary>
        public IUpdateMessageHandler UpdateHandler
        {
            get { return _handler; }
            set { _handler = value; }
        }

        /// <summary>Receives the cloud's safe-mode request (normally the system runtime); null answers it 4.04. Set before Start.</summary>
        public ISafeModeRequestHandler SafeModeHandler
        {
            get { return _safeModeHandler; }
            set { _safeModeHandler = value; }
        }

        /// <summary>
        /// Receives Describe, FunctionCall, VariableRequest, events from the cloud and answers to the
        /// device's own requests (normally the <see cref="DeviceCloud"/>); null answers Describe with empty
        /// lists and calls with 4.04. Set before Start.
        /// </summary>
        public ICloudMessageHandler AppHandler
        {
            get { return _appHandler; }
            set { _appHandler = value; }
        }

        /// <summary>The system watchdog the loop checks in with (null: none). Set before Start.</summary>
        public SystemWatchdog Watchdog
        {
            get { return _watchdog; }
            set { _watchdog = value; }
        }

        /// <summary>Where the link is.</summary>
        public CloudLinkState State
        {
            get { lock (_sendSync) { return (CloudLinkState)_state; } }
        }

        /// <inheritdoc />
        public bool IsConnected
        {
            get { lock (_sendSync) { return _socket >= 0 && _state == (int)CloudLinkState.Connected; } }
        }

        /// <summary>Connection attempts made.</summary>
        public int ConnectAttempts { get { return _connectAttempts; } }

        /// <summary>Sessions that reached the cloud's Hello.</summary>
        public int Sessions { get { return _sessions; } }

        /// <summary>Drops (failed attempts included).</summary>
        public int Drops { get { return _drops; } }

        /// <summary>Messages decoded from the cloud.</summary>
        public int MessagesReceived { get { return _messagesIn; } }

        /// <summary>Messages sent to the cloud.</summary>
        public int MessagesSent { get { lock (_sendSync) { return _messagesOut; } } }

        /// <summary>Keep-alive pings sent.</summary>
        public int PingsSent { get { return _pingsSent; } }

        /// <summary>Keep-alive pings acknowledged.</summary>
        public int PingAcks { get { return _pingAcks; } }

        /// <summary>Longest time from the start of a connection attempt to the cloud's Hello (resolve, open,
        /// connect, handshake), over the sessions so far: the figure the connect and handshake timeouts bound.</summary>
        public int LongestSessionStartMilliseconds { get { return _longestSessionStartMs; } }

        /// <summary>Longest time from a keep-alive ping to its acknowledgement (bound: <see cref="CloudLinkSettings.PingTimeoutMilliseconds"/>).</summary>
        public int LongestPingRoundTripMilliseconds { get { return _longestPingRoundTripMs; } }

        /// <summary>The delay the next failed attempt will wait (it doubles up to the cap).</summary>
        public int CurrentBackoffMilliseconds { get { return _backoffMs; } }

        /// <summary>Drop reasons kept (at most <see cref="DropReasonCapacity"/>).</summary>
        public int DropReasonCount
        {
            get { lock (_reasonSync) { return _reasonCount; } }
        }

        /// <summary>The <paramref name="age"/>-th most recent drop reason (0 = newest), or null.</summary>
        public string GetDropReason(int age)
        {
            lock (_reasonSync)
            {
                if (age < 0 || age >= _reasonCount) return null;
                int i = (_reasonNext - 1 - age + DropReasonCapacity * 2) % DropReasonCapacity;
                return _reasons[i];
            }
        }

        /// <summary>The newest drop reason, or null.</summary>
        public string LastDropReason
        {
            get { return GetDropReason(0); }
        }

        // ------------------------------------------------------------------ thread

        /// <summary>Starts the loop on a new thread (no-op if it runs).</summary>
        public void Start()
        {
            if (_thread != null && _thread.IsAlive) return;
            Interlocked.Exchange(ref _stopRequested, 0);
            _stopEvent.Reset();
            _thread = new Thread(Run);
            _thread.Start();
        }

        /// <summary>Asks the loop to end (it closes the socket); returns at once.</summary>
        public void RequestStop()
        {
            Interlocked.Exchange(ref _stopRequested, 1);
            _stopEvent.Set();
        }

        /// <summary>Stops the loop thread; true when it ended within <paramref name="timeoutMilliseconds"/>.</summary>
        public bool Stop(int timeoutMilliseconds)
        {
            RequestStop();
            Thread t = _thread;
            return t == null || t.Join(timeoutMilliseconds);
        }

        private bool StopRequested
        {
            get { return Interlocked.CompareExchange(ref _stopRequested, 0, 0) != 0; }
        }

        /// <summary>
        /// The loop: connect (with backoff), receive and dispatch, keep alive, until
        /// <see cref="RequestStop"/>. Call it on the system thread, or use <see cref="Start"/>.
        /// </summary>
        public void Run()
        {
            while (!StopRequested)
            {
                Checkin();
                if (_socket < 0)
                {
                    long wait = _nextAttemptMs - _clock.UptimeMilliseconds;
                    if (wait > 0)
                    {
                        _stopEvent.WaitOne(wait < ReceiveSliceMilliseconds ? (int)wait : ReceiveSliceMilliseconds, false);
                        continue;
                    }

                    Connect();
                    continue;
                }

                Step();
            }

            if (_socket >= 0)
            {
                Drop("stopped");
            }
        }

        // ------------------------------------------------------------------ connect

        private void Connect()
        {
            _connectAttempts++;
            _connectStartMs = _clock.UptimeMilliseconds;
            SetState(CloudLinkState.Connecting);
            uint ip = _settings.Ipv4Address;
            int r;
            if (_settings.HostName != null)
            {
                r = _sockets.ResolveHost(_settings.HostName, out ip, _settings.ConnectTimeoutMilliseconds);
                Checkin();
                if (r < 0)
                {
                    Drop("resolve: " + ErrorName(r));
                    return;
                }
            }

            int s = _sockets.Open(_settings.ConnectTimeoutMilliseconds);
            Checkin();
            if (s < 0)
            {
                Drop("open: " + ErrorName(s));
                return;
            }

            lock (_sendSync)
            {
                _socket = s;
            }

            r = _sockets.Connect(s, ip, _settings.Port, _settings.ConnectTimeoutMilliseconds);
            Checkin();
            if (r < 0)
            {
                Drop("connect: " + ErrorName(r));
                return;
            }

            SetState(CloudLinkState.Handshake);
            if (!ReadExact(_handshakeIn, Handshake.NonceLength, "nonce"))
            {
                return;
            }

            int written;
            HandshakeResult hr = _handshake.BuildDeviceReply(_handshakeIn, 0, Handshake.NonceLength,
                _handshakeOut, 0, _handshakeOut.Length, out written);
            if (hr != HandshakeResult.Ok)
            {
                Drop("handshake reply: " + hr.ToString());
                return;
            }

            r = _sockets.Send(s, _handshakeOut, 0, written, _settings.SendTimeoutMilliseconds);
            Checkin();
            if (r != written)
            {
                Drop("send: " + ErrorName(r));
                return;
            }

            if (!ReadExact(_handshakeIn, Handshake.SessionBlockLength, "session key"))
            {
                return;
            }

            hr = _handshake.ReadSessionKey(_handshakeIn, 0, Handshake.SessionBlockLength, _keys);
            if (hr != HandshakeResult.Ok)
            {
                Drop("handshake: " + hr.ToString());
                return;
            }

            bool sent;
            lock (_sendSync)
            {
                _framing.Start(_keys);
                _tx.Reset(MessageCounter.DeviceInitialId(_keys.Iv, 0));
                _keys.Clear();
                _reader.Reset();
                _sendFailure = 0;
                _state = (int)CloudLinkState.AwaitingHello;
                SparkMessages.Hello(_writer, _plainOut, 0, _plainOut.Length, _tx.Peek, -1,
                    _settings.ProductId, _settings.FirmwareVersion);
                sent = SendBuiltLocked(true);
            }

            if (!sent)
            {
                Drop("send hello: " + ErrorName(_sendFailure));
                return;
            }

            _helloDeadlineMs = _clock.UptimeMilliseconds + _settings.HandshakeStepTimeoutMilliseconds;
        }

        // Reads exactly count bytes of the handshake into _handshakeIn; drops the link on failure.
        private bool ReadExact(byte[] buffer, int count, string what)
        {
            long deadline = _clock.UptimeMilliseconds + _settings.HandshakeStepTimeoutMilliseconds;
            int got = 0;
            while (got < count)
            {
                Checkin();
                if (StopRequested)
                {
                    Drop("stopped");
                    return false;
                }

                long left = deadline - _clock.UptimeMilliseconds;
                if (left <= 0)
                {
                    Drop("handshake: no " + what + " in time");
                    return false;
                }

                int n = _sockets.Receive(_socket, buffer, got, count - got,
                    left < ReceiveSliceMilliseconds ? (int)left : ReceiveSliceMilliseconds);
                if (n == (int)SocketError.TimedOut || n == (int)SocketError.BusUnavailable)
                {
                    // A bus not granted within the slice is a busy bus, not a broken link: the deadline bounds it.
                    continue;
                }

                if (n == 0)
                {
                    Drop("handshake: peer closed during " + what);
                    return false;
                }

                if (n < 0)
                {
                    Drop("handshake: receive " + ErrorName(n));
                    return false;
                }

                got += n;
            }

            return true;
        }

        // ------------------------------------------------------------------ session loop

        private void Step()
        {
            int n = _sockets.Receive(_socket, _rxBuffer, 0, _rxBuffer.Length, ReceiveSliceMilliseconds);
            if (n > 0)
            {
                if (!Process(n)) return;
            }
            else if (n == 0)
            {
                Drop("peer closed");
                return;
            }
            else if (n == (int)SocketError.BusUnavailable)
            {
                // The SPI bus was not granted within the slice (a long flash operation, a starved host):
                // the link is not broken. Only a bus that stays unavailable past the bound drops it.
                long at = _clock.UptimeMilliseconds;
                if (_busUnavailableSinceMs < 0) _busUnavailableSinceMs = at;
                if (at - _busUnavailableSinceMs > BusUnavailableDropMilliseconds)
                {
                    _busUnavailableSinceMs = -1;
                    Drop("receive: " + ErrorName(n));
                    return;
                }
            }
            else if (n != (int)SocketError.TimedOut)
            {
                Drop("receive: " + ErrorName(n));
                return;
            }

            if (n != (int)SocketError.BusUnavailable) _busUnavailableSinceMs = -1;

            int failure;
            lock (_sendSync)
            {
                failure = _sendFailure;
            }

            if (failure != 0)
            {
                Drop("send: " + ErrorName(failure));
                return;
            }

            long now = _clock.UptimeMilliseconds;
            if (_state == (int)CloudLinkState.AwaitingHello)
            {
                if (now > _helloDeadlineMs) Drop("no hello from the cloud");
                return;
            }

            if (_pingOutstanding)
            {
                // The ping's acknowledgement may be queued behind messages the cloud sent first (a fast
                // OTA puts a whole image in the TCP buffers ahead of it, seconds of work for the device):
                // while messages arrive the link is alive, so the timeout counts from the later of the
                // ping and the last message received.
                long since = _lastInboundMs > _pingSentMs ? _lastInboundMs : _pingSentMs;
                if (now - since > _settings.PingTimeoutMilliseconds)
                {
                    Drop("ping not acknowledged");
                    return;
                }
            }
            else if (now - _lastPingMs >= _settings.KeepAliveMilliseconds)
            {
                SendPing(now);
            }

            IUpdateMessageHandler handler = _handler;
            if (handler != null) handler.Poll();
            ICloudMessageHandler app = _appHandler;
            if (app != null && _socket >= 0) app.Poll();
        }

        // Feeds n received bytes through the frame reader; false once the link was dropped.
        private bool Process(int n)
        {
            int offset = 0;
            while (offset < n)
            {
                int used;
                FramingResult r = _reader.Feed(_rxBuffer, offset, n - offset, out used);
                offset += used;
                if (r != FramingResult.Ok)
                {
                    Drop("frame: " + r.ToString());
                    return false;
                }

                if (!_reader.IsComplete) continue;
                int length;
                r = _framing.Decrypt(_reader.Frame, 0, _reader.FrameLength, _plainIn, 0, _plainIn.Length, out length);
                _reader.Next();
                if (r != FramingResult.Ok)
                {
                    Drop("decrypt: " + r.ToString());
                    return false;
                }

                CoapResult c = _message.Decode(_plainIn, 0, length);
                if (c != CoapResult.Ok)
                {
                    Drop("coap: " + c.ToString());
                    return false;
                }

                _messagesIn++;
                _lastInboundMs = _clock.UptimeMilliseconds;
                if (!Dispatch()) return false;
            }

            return true;
        }

        private bool Dispatch()
        {
            CoapMessage m = _message;
            MessageKind kind = SparkMessages.Classify(m);
            if (_state == (int)CloudLinkState.AwaitingHello)
            {
                if (kind != MessageKind.Hello)
                {
                    Drop("expected the cloud's hello, got " + kind.ToString());
                    return false;
                }

                _rx.StartFromHello(m.MessageId);
                SetState(CloudLinkState.Connected);
                _sessions++;
                _backoffMs = _settings.ReconnectMinMilliseconds;
                _lastPingMs = _clock.UptimeMilliseconds;
                int started = (int)(_lastPingMs - _connectStartMs);
                if (started > _longestSessionStartMs) _longestSessionStartMs = started;
                _pingOutstanding = false;
                IUpdateMessageHandler up = _handler;
                if (up != null) up.OnLinkUp();
                ICloudMessageHandler appUp = _appHandler;
                if (appUp != null) appUp.OnLinkUp();
                return true;
            }

            if (!_rx.AcceptIncoming(m))
            {
                Drop("bad message id " + m.MessageId.ToString());
                return false;
            }

            switch (kind)
            {
                case MessageKind.Ping:
                    lock (_sendSync)
                    {
                        if (SessionUpLocked())
                        {
                            SparkMessages.EmptyAck(_writer, _plainOut, 0, _plainOut.Length, m.MessageId);
                            SendBuiltLocked(false);
                        }
                    }
                    break;

                case MessageKind.EmptyAck:
                    if (_pingOutstanding && m.MessageId == _pingId)
                    {
                        _pingOutstanding = false;
                        _pingAcks++;
                        int roundTrip = (int)(_clock.UptimeMilliseconds - _pingSentMs);
                        if (roundTrip > _longestPingRoundTripMs) _longestPingRoundTripMs = roundTrip;
                    }
                    break;

                case MessageKind.Describe:
                    ICloudMessageHandler describer = _appHandler;
                    if (describer != null && describer.OnMessage(kind, m)) break;
                    lock (_sendSync)
                    {
                        if (SessionUpLocked())
                        {
                            SparkMessages.DescribeReturn(_writer, _plainOut, 0, _plainOut.Length, _tx.Peek, m,
                                DescribeJson, 0, DescribeJson.Length);
                            SendBuiltLocked(true);
                        }
                    }
                    break;

                case MessageKind.UpdateBegin:
                case MessageKind.Chunk:
                case MessageKind.UpdateDone:
                    IUpdateMessageHandler handler = _handler;
                    if (handler != null)
                    {
                        handler.OnMessage(kind, m);
                    }
                    else
                    {
                        SendResponse(m.Token, m.TokenLength, CoapCode.NotFound, null, 0, 0);
                    }
                    break;

                case MessageKind.SafeModeRequest:
                    if (!HandleSafeModeRequest(m)) return false;
                    break;

                case MessageKind.FunctionCall:
                case MessageKind.VariableRequest:
                case MessageKind.PublicEvent:
                case MessageKind.PrivateEvent:
                case MessageKind.Response:
                    ICloudMessageHandler app = _appHandler;
                    if (app != null && app.OnMessage(kind, m)) break;
                    if ((kind == MessageKind.FunctionCall || kind == MessageKind.VariableRequest)
                        && m.Type == CoapType.Confirmable)
                    {
                        SendResponse(m.Token, m.TokenLength, CoapCode.NotFound, null, 0, 0);
                    }
                    break;

                case MessageKind.KeyChange:
                case MessageKind.RaiseYourHand:
                case MessageKind.Unknown:
                    if (m.Type == CoapType.Confirmable && CoapCode.IsRequest(m.Code))
                    {
                        SendResponse(m.Token, m.TokenLength, CoapCode.NotFound, null, 0, 0);
                    }
                    break;

                default:
                    // Hello again, responses, resets, events from the cloud: nothing to do.
                    break;
            }

            return _socket >= 0;
        }

        // The cloud's safe-mode request: the handler records it (boot state), the link answers with
        // the handler's code, then (2.04 only) the handler asks for the reboot. A non-request or NON
        // copy is ignored. False once the link was dropped.
        private bool HandleSafeModeRequest(CoapMessage m)
        {
            if (m.Type != CoapType.Confirmable) return true;
            ISafeModeRequestHandler handler = _safeModeHandler;
            int code = handler == null ? CoapCode.NotFound : handler.OnSafeModeRequest();
            bool sent = SendResponse(m.Token, m.TokenLength, code, null, 0, 0);
            if (handler != null && code == CoapCode.Changed)
            {
                // Reboot even when the answer was lost: the flag is on flash, the next boot is safe mode.
                handler.OnSafeModeAcknowledged(sent);
            }

            return _socket >= 0;
        }

        private void SendPing(long now)
        {
            lock (_sendSync)
            {
                if (!SessionUpLocked()) return;
                int id = _tx.Peek;
                SparkMessages.Ping(_writer, _plainOut, 0, _plainOut.Length, id);
                if (SendBuiltLocked(true))
                {
                    _pingId = id;
                    _pingOutstanding = true;
                    _pingSentMs = now;
                    _lastPingMs = now;
                    _pingsSent++;
                }
            }
        }

        // ------------------------------------------------------------------ IOtaChannel

        /// <inheritdoc />
        public bool SendResponse(byte[] token, int tokenLength, int code, byte[] payload, int offset, int count)
        {
            lock (_sendSync)
            {
                if (!SessionUpLocked()) return false;
                _writer.Start(_plainOut, 0, _plainOut.Length, CoapType.NonConfirmable, code, _tx.Peek, token, 0, tokenLength);
                if (count > 0) _writer.SetPayload(payload, offset, count);
                return SendBuiltLocked(true);
            }
        }

        /// <inheritdoc />
        public bool SendChunkMissed(int[] indexes, int offset, int count)
        {
            if (count <= 0 || count > SparkProtocol.MaxMissedChunks) return false;
            lock (_sendSync)
            {
                if (!SessionUpLocked()) return false;
                if (SparkMessages.ChunkMissed(_writer, _plainOut, 0, _plainOut.Length, _tx.Peek, indexes, offset, count)
                    != CoapResult.Ok)
                {
                    return false;
                }

                return SendBuiltLocked(true);
            }
        }

        /// <summary>
        /// Publishes a private event (POST "E"/<paramref name="name"/>, NON, no Max-Age: the cloud's
        /// default TTL) with <paramref name="count"/> payload bytes. Any thread; false when the link
        /// is down or the send failed. The name is ASCII, at most 64 characters.
        /// </summary>
        public bool Publish(string name, byte[] data, int offset, int count)
        {
            if (name == null || name.Length == 0 || name.Length > MaxEventNameLength) return false;
            lock (_sendSync)
            {
                if (!SessionUpLocked()) return false;
                int nameLength = Ascii.Put(name, _eventName, 0);
                if (SparkMessages.Event(_writer, _plainOut, 0, _plainOut.Length, _tx.Peek, false,
                        _eventName, 0, nameLength, 0, data, offset, count) != CoapResult.Ok)
                {
                    return false;
                }

                return SendBuiltLocked(true);
            }
        }

        /// <inheritdoc />
        public bool PublishEvent(bool isPublic, byte[] name, int nameLength, int ttlSeconds, byte[] data, int offset, int count)
        {
            if (name == null || nameLength <= 0 || nameLength > MaxEventNameLength) return false;
            lock (_sendSync)
            {
                if (!SessionUpLocked()) return false;
                if (SparkMessages.Event(_writer, _plainOut, 0, _plainOut.Length, _tx.Peek, isPublic,
                        name, 0, nameLength, ttlSeconds, data, offset, count) != CoapResult.Ok)
                {
                    return false;
                }

                return SendBuiltLocked(true);
            }
        }

        /// <inheritdoc />
        public bool SendGetTime(out int messageId)
        {
            lock (_sendSync)
            {
                messageId = _tx.Peek;
                if (!SessionUpLocked()) return false;
                if (SparkMessages.GetTime(_writer, _plainOut, 0, _plainOut.Length, messageId) != CoapResult.Ok) return false;
                return SendBuiltLocked(true);
            }
        }

        /// <inheritdoc />
        public bool SendSubscribe(byte[] prefix, int length, out int messageId)
        {
            lock (_sendSync)
            {
                messageId = _tx.Peek;
                if (!SessionUpLocked()) return false;
                _writer.Start(_plainOut, 0, _plainOut.Length, CoapType.Confirmable, CoapCode.Get, messageId, null, 0, 0);
                _writer.AddByteOption(CoapOption.UriPath, SubscribePath);
                if (length > 0) _writer.AddOption(CoapOption.UriPath, prefix, 0, length);
                return SendBuiltLocked(true);
            }
        }

        private const int SubscribePath = 'e';

        // ------------------------------------------------------------------ internals

        private bool SessionUpLocked()
        {
            return _socket >= 0 && _state == (int)CloudLinkState.Connected && _sendFailure == 0;
        }

        // Encrypts and sends the message in _writer; a non-ACK message takes the next id.
        private bool SendBuiltLocked(bool takesId)
        {
            if (_writer.Result != CoapResult.Ok || _socket < 0) return false;
            int length;
            FramingResult f = _framing.Encrypt(_plainOut, 0, _writer.Length, _frameOut, 0, _frameOut.Length, out length);
            if (f != FramingResult.Ok)
            {
                _sendFailure = (int)SocketError.ModuleError;
                return false;
            }

            if (takesId) _tx.Next();
            int r = _sockets.Send(_socket, _frameOut, 0, length, _settings.SendTimeoutMilliseconds);
            if (r != length)
            {
                // The link thread drops the link on its next step.
                _sendFailure = r < 0 ? r : (int)SocketError.ConnectionReset;
                return false;
            }

            _messagesOut++;
            return true;
        }

        private void SetState(CloudLinkState state)
        {
            lock (_sendSync)
            {
                _state = (int)state;
            }
        }

        private void Drop(string reason)
        {
            bool wasUp;
            lock (_sendSync)
            {
                wasUp = _state == (int)CloudLinkState.Connected;
                if (_socket >= 0)
                {
                    _sockets.Close(_socket);
                    _socket = -1;
                }

                _state = (int)CloudLinkState.Disconnected;
                _framing.Stop();
                _keys.Clear();
                _reader.Reset();
                _sendFailure = 0;
                _pingOutstanding = false;
            }

            lock (_reasonSync)
            {
                _reasons[_reasonNext] = reason;
                _reasonNext = (_reasonNext + 1) % DropReasonCapacity;
                if (_reasonCount < DropReasonCapacity) _reasonCount++;
            }

            _drops++;
            if (wasUp)
            {
                IUpdateMessageHandler handler = _handler;
                if (handler != null) handler.OnLinkDown();
                ICloudMessageHandler app = _appHandler;
                if (app != null) app.OnLinkDown();
            }

            // Backoff: wait the current delay, then double it for the next failure (a session resets it).
            _nextAttemptMs = _clock.UptimeMilliseconds + _backoffMs;
            int next = _backoffMs * 2;
            _backoffMs = next > _settings.ReconnectMaxMilliseconds || next <= 0 ? _settings.ReconnectMaxMilliseconds : next;
        }

        private void Checkin()
        {
            SystemWatchdog w = _watchdog;
            if (w != null) w.Checkin();
        }

        private static string ErrorName(int code)
        {
            return ((SocketError)code).ToString();
        }

        private static byte[] AsciiBytes(string text)
        {
            byte[] b = new byte[text.Length];
            Ascii.Put(text, b, 0);
            return b;
        }
    }
}
