using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Status;
using CoreFirmware.Ota.Update;
using CoreFirmware.Drivers.Diagnostics;

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
    /// <para>Parts (one responsibility each): <see cref="CloudTransport"/> (socket, state, framing and
    /// messages both ways), <see cref="CloudHandshake"/>, <see cref="CloudMessageDispatcher"/>,
    /// <see cref="CloudKeepAlive"/> and <see cref="CloudDropHistory"/>; this class is the loop that
    /// owns them: connect with backoff, receive, drop.</para>
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

        private readonly INetworkSockets _sockets;
        private readonly IClock _clock;
        private readonly CloudLinkSettings _settings;
        private readonly CloudTransport _transport;
        private readonly CloudHandshake _handshake;
        private readonly CloudKeepAlive _keepAlive;
        private readonly CloudMessageDispatcher _dispatcher;
        private readonly CloudDropHistory _dropHistory = new CloudDropHistory(DropReasonCapacity);
        private readonly byte[] _rxBuffer = new byte[ReceiveBufferLength];
        private readonly ManualResetEvent _stopEvent = new ManualResetEvent(false);

        private IUpdateMessageHandler _handler;
        private ICloudMessageHandler _appHandler;
        private ISafeModeRequestHandler _safeModeHandler;
        private SystemWatchdog _watchdog;
        private Thread _thread;
        private int _stopRequested;
        private long _busUnavailableSinceMs = -1;
        private long _nextAttemptMs;
        private int _backoffMs;
        private long _helloDeadlineMs;
        private long _connectStartMs;
        private int _longestSessionStartMs;
        private int _connectAttempts;
        private int _sessions;
        private int _drops;
        private int _messagesIn;

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
            _transport = new CloudTransport(systemSockets, crypto, settings);
            _handshake = new CloudHandshake(this, systemSockets, crypto, clock, settings, _transport);
            _keepAlive = new CloudKeepAlive(settings);
            _dispatcher = new CloudMessageDispatcher(this, _transport, _keepAlive);
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
            get { return _transport.State; }
        }

        /// <inheritdoc />
        public bool IsConnected
        {
            get { return _transport.IsConnected; }
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
        public int MessagesSent { get { return _transport.MessagesSent; } }

        /// <summary>Keep-alive pings sent.</summary>
        public int PingsSent { get { return _keepAlive.PingsSent; } }

        /// <summary>Keep-alive pings acknowledged.</summary>
        public int PingAcks { get { return _keepAlive.PingAcks; } }

        /// <summary>Longest time from the start of a connection attempt to the cloud's Hello (resolve, open,
        /// connect, handshake), over the sessions so far: the figure the connect and handshake timeouts bound.</summary>
        public int LongestSessionStartMilliseconds { get { return _longestSessionStartMs; } }

        /// <summary>Longest time from a keep-alive ping to its acknowledgement (bound: <see cref="CloudLinkSettings.PingTimeoutMilliseconds"/>).</summary>
        public int LongestPingRoundTripMilliseconds { get { return _keepAlive.LongestRoundTripMilliseconds; } }

        /// <summary>The delay the next failed attempt will wait (it doubles up to the cap).</summary>
        public int CurrentBackoffMilliseconds { get { return _backoffMs; } }

        /// <summary>Drop reasons kept (at most <see cref="DropReasonCapacity"/>).</summary>
        public int DropReasonCount
        {
            get { return _dropHistory.Count; }
        }

        /// <summary>The <paramref name="age"/>-th most recent drop reason (0 = newest), or null.</summary>
        public string GetDropReason(int age)
        {
            return _dropHistory.Get(age);
        }

        /// <summary>The newest drop reason, or null.</summary>
        public string LastDropReason
        {
            get { return _dropHistory.Get(0); }
        }

        // ------------------------------------------------------------------ thread

        /// <summary>Starts the loop on a new thread (no-op if it runs).</summary>
        public void Start()
        {
            if (_thread != null && _thread.IsAlive) return;
            Interlocked.Exchange(ref _stopRequested, 0);
            _stopEvent.Reset();
            _thread = _guard.NewThread(Run);
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

        internal bool StopRequested
        {
            get { return Interlocked.CompareExchange(ref _stopRequested, 0, 0) != 0; }
        }

        private readonly ThreadGuard _guard = new ThreadGuard("cloud link");

        /// <summary>Where an exception that ends this thread is reported (see <see cref="ThreadGuard"/>); set before it starts.</summary>
        public ThreadFaultLog ThreadFaults { get { return _guard.Faults; } set { _guard.Faults = value; } }

        /// <summary>
        /// The loop: connect (with backoff), receive and dispatch, keep alive, until
        /// <see cref="RequestStop"/>. Call it on the system thread, or use <see cref="Start"/>.
        /// </summary>
        public void Run()
        {
            while (!StopRequested)
            {
                Checkin();
                if (_transport.Socket < 0)
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

            if (_transport.Socket >= 0)
            {
                Drop("stopped");
            }
        }

        // ------------------------------------------------------------------ connect

        private void Connect()
        {
            _connectAttempts++;
            _connectStartMs = _clock.UptimeMilliseconds;
            _transport.State = CloudLinkState.Connecting;
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

            _transport.Attach(s);
            r = _sockets.Connect(s, ip, _settings.Port, _settings.ConnectTimeoutMilliseconds);
            Checkin();
            if (r < 0)
            {
                Drop("connect: " + ErrorName(r));
                return;
            }

            _transport.State = CloudLinkState.Handshake;
            string failure = _handshake.Run();
            if (failure != null)
            {
                Drop(failure);
                return;
            }

            _helloDeadlineMs = _clock.UptimeMilliseconds + _settings.HandshakeStepTimeoutMilliseconds;
        }

        // ------------------------------------------------------------------ session loop

        private void Step()
        {
            int n = _transport.Receive(_rxBuffer, 0, _rxBuffer.Length, ReceiveSliceMilliseconds);
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

            int failure = _transport.SendFailure;
            if (failure != 0)
            {
                Drop("send: " + ErrorName(failure));
                return;
            }

            long now = _clock.UptimeMilliseconds;
            if (_transport.State == CloudLinkState.AwaitingHello)
            {
                if (now > _helloDeadlineMs) Drop("no hello from the cloud");
                return;
            }

            if (_keepAlive.AckOverdue(now))
            {
                Drop("ping not acknowledged");
                return;
            }

            if (_keepAlive.PingDue(now))
            {
                int id;
                if (_transport.SendPing(out id)) _keepAlive.OnPingSent(id, now);
            }

            IUpdateMessageHandler handler = _handler;
            if (handler != null) handler.Poll();
            ICloudMessageHandler app = _appHandler;
            if (app != null && _transport.Socket >= 0) app.Poll();
        }

        // Feeds n received bytes through the transport; false once the link was dropped.
        private bool Process(int n)
        {
            int offset = 0;
            while (offset < n)
            {
                int r = _transport.Feed(_rxBuffer, ref offset, n);
                if (r == CloudTransport.Failed)
                {
                    Drop(_transport.FeedFailure);
                    return false;
                }

                if (r == CloudTransport.NeedMore) continue;
                _messagesIn++;
                _keepAlive.OnMessageReceived(_clock.UptimeMilliseconds);
                if (!OnMessage(_transport.Message)) return false;
            }

            return true;
        }

        // The first message of a session must be the cloud's Hello; after it, ids must follow on.
        private bool OnMessage(CoapMessage m)
        {
            MessageKind kind = SparkMessages.Classify(m);
            if (_transport.State == CloudLinkState.AwaitingHello)
            {
                if (kind != MessageKind.Hello)
                {
                    Drop("expected the cloud's hello, got " + kind.ToString());
                    return false;
                }

                _transport.OnHello(m.MessageId);
                _sessions++;
                _backoffMs = _settings.ReconnectMinMilliseconds;
                long upAt = _clock.UptimeMilliseconds;
                _keepAlive.OnSessionUp(upAt);
                int started = (int)(upAt - _connectStartMs);
                if (started > _longestSessionStartMs) _longestSessionStartMs = started;
                IUpdateMessageHandler up = _handler;
                if (up != null) up.OnLinkUp();
                ICloudMessageHandler appUp = _appHandler;
                if (appUp != null) appUp.OnLinkUp();
                return true;
            }

            if (!_transport.AcceptIncoming(m))
            {
                Drop("bad message id " + m.MessageId.ToString());
                return false;
            }

            _dispatcher.Dispatch(kind, m);
            return _transport.Socket >= 0;
        }

        // ------------------------------------------------------------------ ICloudChannel

        /// <inheritdoc />
        public bool SendResponse(byte[] token, int tokenLength, int code, byte[] payload, int offset, int count)
        {
            return _transport.SendResponse(token, tokenLength, code, payload, offset, count);
        }

        /// <inheritdoc />
        public bool SendChunkMissed(int[] indexes, int offset, int count)
        {
            return _transport.SendChunkMissed(indexes, offset, count);
        }

        /// <summary>
        /// Publishes a private event (POST "E"/<paramref name="name"/>, NON, no Max-Age: the cloud's
        /// default TTL) with <paramref name="count"/> payload bytes. Any thread; false when the link
        /// is down or the send failed. The name is ASCII, at most 64 characters.
        /// </summary>
        public bool Publish(string name, byte[] data, int offset, int count)
        {
            return _transport.Publish(name, data, offset, count);
        }

        /// <inheritdoc />
        public bool PublishEvent(bool isPublic, byte[] name, int nameLength, int ttlSeconds, byte[] data, int offset, int count)
        {
            return _transport.PublishEvent(isPublic, name, nameLength, ttlSeconds, data, offset, count);
        }

        /// <inheritdoc />
        public bool SendGetTime(out int messageId)
        {
            return _transport.SendGetTime(out messageId);
        }

        /// <inheritdoc />
        public bool SendSubscribe(byte[] prefix, int length, out int messageId)
        {
            return _transport.SendSubscribe(prefix, length, out messageId);
        }

        // ------------------------------------------------------------------ internals

        private void Drop(string reason)
        {
            bool wasUp = _transport.Close();
            _handshake.Clear();
            _keepAlive.OnDrop();
            _dropHistory.Add(reason);
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

        internal void Checkin()
        {
            SystemWatchdog w = _watchdog;
            if (w != null) w.Checkin();
        }

        internal static string ErrorName(int code)
        {
            return ((SocketError)code).ToString();
        }
    }
}
