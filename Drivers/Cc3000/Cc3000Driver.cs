using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// Host driver for the TI CC3000 WiFi module on the shared SPI bus: power-up and start-up,
    /// association with an access point, TCP sockets (one <see cref="INetworkSockets"/> view per bus
    /// priority), and recovery of a stuck module by power-cycling it.
    /// </summary>
    /// <remarks>
    /// Parts: <see cref="Cc3000SpiLink"/> (SPI framing, IRQ handshake, first-write rule),
    /// <see cref="HciCodec"/> (HCI packets), <see cref="Cc3000EventDispatcher"/> (the worker that
    /// reads module-initiated frames), <see cref="Cc3000CommandChannel"/> (one command at a time,
    /// hang detection) and <see cref="Cc3000SocketLayer"/> (the socket calls). The IRQ handler only
    /// signals; the worker moves frames. Hang rule: a command that gets no ready and no answer
    /// within <see cref="CommandTimeoutMilliseconds"/> means the module is stuck; the driver then
    /// drives WLAN_EN low for <see cref="PowerOffMilliseconds"/>, powers it up, re-runs start-up and
    /// the access-point connection, and every socket open at that moment answers its next call with
    /// <see cref="SocketError.ModuleReset"/>.
    /// <para>Retry: while the network is down and the access-point settings are known, Open, Connect
    /// and ResolveHost (or <see cref="EnsureNetwork(int)"/>) start a new attempt to bring it back, at most
    /// one at a time and no sooner than the backoff allows; in between they return
    /// <see cref="SocketError.NetworkDown"/> at once. An attempt is a power cycle plus wlan-connect
    /// (a "recovery") when the module last failed to answer, else a wlan-connect alone (a
    /// "rejoin", e.g. after the access point dropped us with an unsolicited disconnect, 0x8002).
    /// The module's commands are done with the command gate held; the wait for association and DHCP
    /// is not (other sockets' calls go on), and an attempt whose network is not up
    /// <see cref="JoinTimeoutMilliseconds"/> after it started has failed. After n failed attempts in
    /// a row the next waits <see cref="FirstRetryDelayMilliseconds"/> * 2^(n-1), at most
    /// <see cref="MaxRetryDelayMilliseconds"/> (1 s, 2 s, 4 s, 8 s, 16 s, 30 s, 30 s ...);
    /// the network coming up clears the count.</para>
    /// </remarks>
    public sealed class Cc3000Driver : IWifiModule
    {
        /// <summary>
        /// Default time a command may go unanswered before the module counts as stuck: 2000 ms. Every
        /// command the module answers by itself (socket, recv, send, close, DNS from its cache) takes
        /// milliseconds; connect uses the caller's timeout when that is longer.
        /// </summary>
        public const int DefaultCommandTimeoutMilliseconds = 2000;

        /// <summary>
        /// Default bound on the module's answer to a connect: 60 s. The module answers only when TCP has
        /// connected or given up (its own timeout, tens of seconds against an address that never
        /// answers); the caller's timeout ends the call sooner, the bound only decides when a silent
        /// module is checked (probe) and, if it does not answer that either, recovered.
        /// </summary>
        public const int DefaultConnectTimeoutMilliseconds = 60000;

        /// <summary>
        /// Default bound on the module's answer to gethostbyname: 30 s (a lookup that goes to a DNS
        /// server, with its retries). As for connect, the caller's timeout ends the call sooner.
        /// </summary>
        public const int DefaultDnsTimeoutMilliseconds = 30000;

        /// <summary>WLAN_EN low time in a power cycle: 20 ms (chosen; long enough for the module's supply to drop).</summary>
        public const int PowerOffMilliseconds = 20;

        /// <summary>Longest wait from WLAN_EN high to the module's ready (IRQ low): 2000 ms.</summary>
        public const int BootTimeoutMilliseconds = 2000;

        /// <summary>Longest wait for association and DHCP when reconnecting after a recovery: 10 s (default of <see cref="JoinTimeoutMilliseconds"/>).</summary>
        public const int RecoveryNetworkTimeoutMilliseconds = 10000;

        /// <summary>Backoff after the first failed attempt to bring the network back: 1 s.</summary>
        public const int FirstRetryDelayMilliseconds = 1000;

        /// <summary>Longest backoff between two attempts: 30 s (the delay doubles per failure up to this).</summary>
        public const int MaxRetryDelayMilliseconds = 30000;

        // Longest single wait on the network-changed event (several threads may wait for the network): 20 ms.
        private const int NetworkWaitSliceMilliseconds = 20;

        private const int MaxSsid = 32;
        private const int MaxKey = 32;

        private readonly object _sync = new object();
        private readonly IGpioPin _irq;
        private readonly IGpioPin _wlanEnable;
        private readonly IClock _clock;
        private readonly AutoResetEvent _irqFell = new AutoResetEvent(false);
        private readonly Cc3000SpiLink _link;
        private readonly Cc3000PendingCommand _pending;
        private readonly Cc3000ModuleStatus _status;
        private readonly Cc3000EventDispatcher _dispatcher;
        private readonly Cc3000CommandChannel _channel;
        private readonly Cc3000SocketTable _table;
        private readonly Cc3000SocketLayer _sockets;
        private readonly Cc3000AnswerSlot _connectSlot;
        private readonly Cc3000AnswerSlot _dnsSlot;
        private int _commandTimeoutMs = DefaultCommandTimeoutMilliseconds;
        private int _connectTimeoutMs = DefaultConnectTimeoutMilliseconds;
        private int _dnsTimeoutMs = DefaultDnsTimeoutMilliseconds;
        private string _ssid;
        private string _key;
        private int _recoveries;
        private int _failedRecoveries;
        private int _rejoins;
        private int _failedRejoins;
        private int _joinTimeoutMs = RecoveryNetworkTimeoutMilliseconds;

        // Retry state (under _sync): failed attempts in a row, earliest next attempt, an attempt
        // running its module commands, a join waiting for the network (its deadline, 0 = none, the
        // up-count when it began and whether it was a recovery), and whether the next attempt must power-cycle.
        private int _failuresInRow;
        private long _nextAttemptAt;
        private bool _attemptRunning;
        private long _joinDeadline;
        private int _joinUpCount;
        private bool _joinIsRecovery;
        private bool _needsPowerCycle;

        /// <summary>
        /// Creates the driver. <paramref name="spi"/> is the CC3000 on the shared bus (mode 1),
        /// <paramref name="irq"/> its active-low interrupt line, <paramref name="wlanEnable"/> its
        /// power enable; every bus transaction goes through <paramref name="arbiter"/>.
        /// The module stays off until <see cref="Start"/>.
        /// </summary>
        public Cc3000Driver(ISpiDevice spi, IGpioPin irq, IGpioPin wlanEnable, IBusArbiter arbiter, IClock clock)
        {
            if (spi == null) throw new ArgumentNullException("spi");
            if (irq == null) throw new ArgumentNullException("irq");
            if (wlanEnable == null) throw new ArgumentNullException("wlanEnable");
            if (arbiter == null) throw new ArgumentNullException("arbiter");
            if (clock == null) throw new ArgumentNullException("clock");
            _irq = irq;
            _wlanEnable = wlanEnable;
            _clock = clock;
            _link = new Cc3000SpiLink(spi, irq, arbiter, clock, _irqFell);
            _pending = new Cc3000PendingCommand(clock);
            _status = new Cc3000ModuleStatus(clock);
            _connectSlot = new Cc3000AnswerSlot(clock, Cc3000Protocol.Connect);
            _dnsSlot = new Cc3000AnswerSlot(clock, Cc3000Protocol.GetHostByName);
            _dispatcher = new Cc3000EventDispatcher(_link, _pending, _status, _connectSlot, _dnsSlot);
            _channel = new Cc3000CommandChannel(_link, _pending, clock);
            _table = new Cc3000SocketTable();
            _sockets = new Cc3000SocketLayer(this, _channel, _status, _table, clock, _connectSlot, _dnsSlot);
            _wlanEnable.SetPinMode(PinMode.Output);
            _irq.SetPinMode(PinMode.InputPullUp);
            _irq.ValueChanged += OnIrq;
            _dispatcher.Start();
        }

        /// <summary>
        /// Where an exception that ends the driver's event thread is reported (null:
        /// <see cref="CoreFirmware.Drivers.Diagnostics.ThreadFaultLog.Orphans"/>).
        /// </summary>
        public CoreFirmware.Drivers.Diagnostics.ThreadFaultLog ThreadFaults
        {
            get { return _dispatcher.ThreadFaults; }
            set { _dispatcher.ThreadFaults = value; }
        }

        /// <summary>Time a command may go unanswered before the module counts as stuck (ms).</summary>
        public int CommandTimeoutMilliseconds
        {
            get { lock (_sync) return _commandTimeoutMs; }
            set
            {
                if (value <= 0) throw new ArgumentOutOfRangeException("value");
                lock (_sync) _commandTimeoutMs = value;
            }
        }

        /// <summary>
        /// Bound on the module's answer to a connect (ms), default <see cref="DefaultConnectTimeoutMilliseconds"/>;
        /// set it above the module's own TCP connect timeout.
        /// </summary>
        public int ConnectTimeoutMilliseconds
        {
            get { lock (_sync) return _connectTimeoutMs; }
            set
            {
                if (value <= 0) throw new ArgumentOutOfRangeException("value");
                lock (_sync) _connectTimeoutMs = value;
            }
        }

        /// <summary>Bound on the module's answer to gethostbyname (ms), default <see cref="DefaultDnsTimeoutMilliseconds"/>.</summary>
        public int DnsTimeoutMilliseconds
        {
            get { lock (_sync) return _dnsTimeoutMs; }
            set
            {
                if (value <= 0) throw new ArgumentOutOfRangeException("value");
                lock (_sync) _dnsTimeoutMs = value;
            }
        }

        /// <summary>Unsolicited events consumed without use (unknown 0x8000-range, unawaited 0x4000-range), as TI's driver does.</summary>
        public int IgnoredEvents
        {
            get { return _dispatcher.IgnoredEvents; }
        }

        /// <summary>Times the driver power-cycled a stuck module.</summary>
        public int Recoveries
        {
            get { lock (_sync) return _recoveries; }
        }

        /// <summary>Recoveries after which the module still did not start or reconnect.</summary>
        public int FailedRecoveries
        {
            get { lock (_sync) return _failedRecoveries; }
        }

        /// <summary>Attempts to rejoin the access point without a power cycle (after a disconnect or a failed join).</summary>
        public int Rejoins
        {
            get { lock (_sync) return _rejoins; }
        }

        /// <summary>Rejoins after which the network did not come up in <see cref="JoinTimeoutMilliseconds"/>.</summary>
        public int FailedRejoins
        {
            get { lock (_sync) return _failedRejoins; }
        }

        /// <summary>Unsolicited disconnects from the access point the module reported.</summary>
        public int AccessPointDisconnects
        {
            get { return _status.Disconnects; }
        }

        /// <summary>Failed attempts in a row to bring the network back (0 once it is up again).</summary>
        public int ConsecutiveFailedAttempts
        {
            get { lock (_sync) return _failuresInRow; }
        }

        /// <summary>
        /// Time a recovery or rejoin gives the module to associate and get an address before the
        /// attempt counts as failed (ms). Default <see cref="RecoveryNetworkTimeoutMilliseconds"/>.
        /// </summary>
        public int JoinTimeoutMilliseconds
        {
            get { lock (_sync) return _joinTimeoutMs; }
            set
            {
                if (value <= 0) throw new ArgumentOutOfRangeException("value");
                lock (_sync) _joinTimeoutMs = value;
            }
        }

        /// <summary>The backoff after <paramref name="failures"/> failed attempts in a row (ms).</summary>
        public static int RetryDelayMilliseconds(int failures)
        {
            if (failures <= 0) return 0;
            int delay = FirstRetryDelayMilliseconds;
            for (int i = 1; i < failures && delay < MaxRetryDelayMilliseconds; i++) delay *= 2;
            return delay > MaxRetryDelayMilliseconds ? MaxRetryDelayMilliseconds : delay;
        }

        /// <summary>True while associated with the access point and addressed by DHCP.</summary>
        public bool IsNetworkUp
        {
            get { return _status.NetworkUp; }
        }

        /// <summary>The DHCP address (host order).</summary>
        public uint Address
        {
            get { return _status.Address; }
        }

        /// <summary>Transmit buffers the host may fill now (flow control).</summary>
        public int FreeBuffers
        {
            get { return _status.FreeBuffers; }
        }

        /// <summary>
        /// Times a starved sender found the free-buffer count wrong (no open socket had buffers
        /// outstanding) and set it from the module's own answer: free-buffer reports had been lost.
        /// </summary>
        public int BufferResyncs
        {
            get { return _status.Resyncs; }
        }

        /// <summary>Buffers the module reported free for sockets that did not have them outstanding (ignored: too many).</summary>
        public int IgnoredFreeBufferReports
        {
            get { return _status.IgnoredFreeReports; }
        }

        /// <summary>Transmit buffers the module reported at start-up.</summary>
        public int BufferCount
        {
            get { return _status.BufferCount; }
        }

        /// <summary>Length of a module buffer, as the module reported it.</summary>
        public int BufferLength
        {
            get { return _status.BufferLength; }
        }

        /// <summary>SPI frames moved in both directions.</summary>
        public int Frames
        {
            get { return _link.Frames; }
        }

        /// <summary>Liveness probes: commands whose answer was late, checked before the module counts as stuck.</summary>
        public int LivenessProbes
        {
            get { return _channel.Probes; }
        }

        /// <summary>Answers that came after their command's timeout, while the probe was out (slow, not stuck).</summary>
        public int LateAnswers
        {
            get { return _channel.LateAnswers; }
        }

        /// <summary>Commands whose answer never came though the module answered the probe (no recovery; the call timed out).</summary>
        public int LostAnswers
        {
            get { return _channel.LostAnswers; }
        }

        /// <summary>Frames that answered nothing pending (late answers after a give-up).</summary>
        public int StrayPackets
        {
            get { return _dispatcher.StrayPackets; }
        }

        /// <summary>Frames the driver could not parse.</summary>
        public int BadPackets
        {
            get { return _dispatcher.BadPackets; }
        }

        /// <summary>Commands let through the command gate at <paramref name="priority"/>.</summary>
        public int CommandGrants(BusPriority priority)
        {
            return _channel.Gate.Grants(priority);
        }

        /// <summary>Commands at <paramref name="priority"/> that had to queue at the command gate.</summary>
        public int CommandWaits(BusPriority priority)
        {
            return _channel.Gate.Waits(priority);
        }

        /// <summary>Total time commands at <paramref name="priority"/> queued at the command gate, in 100 ns ticks.</summary>
        public long CommandWaitTicks(BusPriority priority)
        {
            return _channel.Gate.WaitTicks(priority);
        }

        /// <summary>Longest time a command at <paramref name="priority"/> queued at the command gate, in 100 ns ticks.</summary>
        public long LongestCommandWaitTicks(BusPriority priority)
        {
            return _channel.Gate.LongestWaitTicks(priority);
        }

        /// <summary>
        /// The most commands of other callers let through the gate while one command at
        /// <paramref name="priority"/> waited. With nothing above it waiting, a system command is
        /// overtaken by none: it goes in as soon as the command in flight is answered.
        /// </summary>
        public int MostCommandsOvertaken(BusPriority priority)
        {
            return _channel.Gate.MostOvertaken(priority);
        }

        /// <summary>Clears the command gate statistics.</summary>
        public void ResetCommandStatistics()
        {
            _channel.Gate.ResetStatistics();
        }

        /// <summary>
        /// Powers the module up and starts it: WLAN_EN low then high, wait for ready, simple-link
        /// start (the first write), read buffer size. Returns 0 or a negative <see cref="SocketError"/>.
        /// </summary>
        public int Start(int timeoutMilliseconds)
        {
            if (!_channel.Enter(BusPriority.SystemNetwork, timeoutMilliseconds)) return (int)SocketError.TimedOut;
            try
            {
                return PowerUpWithGateHeld();
            }
            finally
            {
                _channel.Exit();
            }
        }

        /// <summary>
        /// Connects to access point <paramref name="ssid"/> (WPA2 with <paramref name="key"/>, open when
        /// the key is empty) and waits for association and DHCP. The settings are kept for recoveries.
        /// Returns 0, or <see cref="SocketError.NetworkDown"/> when the network did not come up in time.
        /// </summary>
        public int ConnectToAccessPoint(string ssid, string key, int timeoutMilliseconds)
        {
            if (ssid == null || ssid.Length == 0 || ssid.Length > MaxSsid) throw new ArgumentException("ssid");
            if (key == null) key = "";
            if (key.Length > MaxKey) throw new ArgumentException("key");
            lock (_sync)
            {
                _ssid = ssid;
                _key = key;
            }
            long deadline = _clock.UptimeMilliseconds + timeoutMilliseconds;
            if (!_channel.Enter(BusPriority.SystemNetwork, timeoutMilliseconds)) return (int)SocketError.TimedOut;
            int r;
            try
            {
                r = WlanConnectWithGateHeld(ssid, key);
            }
            finally
            {
                _channel.Exit();
            }
            if (r == 0) r = WaitNetworkUp(deadline);
            // A first join that failed counts as the first failed attempt: retries follow the backoff.
            lock (_sync)
            {
                _joinDeadline = 0;
                if (r == 0) ClearRetryLocked();
                else AttemptFailedLocked(_clock.UptimeMilliseconds, r != (int)SocketError.NetworkDown);
            }
            return r;
        }

        /// <summary>
        /// Makes sure the network is up, starting a recovery or rejoin when it is down and the
        /// backoff allows (see the class remarks), and waits up to <paramref name="timeoutMilliseconds"/>
        /// for it. Returns 0, or <see cref="SocketError.NetworkDown"/> (at once between attempts, or
        /// when no access point was ever set). Module commands go at system-network priority.
        /// </summary>
        public int EnsureNetwork(int timeoutMilliseconds)
        {
            return EnsureNetwork(BusPriority.SystemNetwork, timeoutMilliseconds);
        }

        // The retry policy, for a caller of the given priority; see the class remarks.
        internal int EnsureNetwork(BusPriority priority, int timeoutMilliseconds)
        {
            long now = _clock.UptimeMilliseconds;
            long until = now + (timeoutMilliseconds > 0 ? timeoutMilliseconds : 0);
            string ssid;
            string key;
            bool powerCycle;
            long joinDeadline;
            lock (_sync)
            {
                if (_status.NetworkUp)
                {
                    _joinDeadline = 0;
                    ClearRetryLocked();
                    return 0;
                }
                ssid = _ssid;
                key = _key;
                if (ssid == null) return (int)SocketError.NetworkDown;
                SettleJoinLocked(now);
                joinDeadline = _joinDeadline;
                powerCycle = _needsPowerCycle;
                if (joinDeadline == 0)
                {
                    if (_attemptRunning || now < _nextAttemptAt) return (int)SocketError.NetworkDown;
                    _attemptRunning = true;
                }
            }
            if (joinDeadline == 0)
            {
                joinDeadline = Attempt(priority, powerCycle, ssid, key, timeoutMilliseconds);
                if (joinDeadline == 0) return (int)SocketError.NetworkDown;
            }
            int r = WaitNetworkUp(until < joinDeadline ? until : joinDeadline);
            lock (_sync)
            {
                if (r == 0)
                {
                    _joinDeadline = 0;
                    ClearRetryLocked();
                }
                else SettleJoinLocked(_clock.UptimeMilliseconds);
            }
            return r;
        }

        // Runs one attempt's module commands with the gate held. Returns the join deadline, or 0
        // when the attempt ended at once (failed, or the gate was not had: then it did not count).
        private long Attempt(BusPriority priority, bool powerCycle, string ssid, string key, int timeoutMilliseconds)
        {
            if (!_channel.Enter(priority, timeoutMilliseconds))
            {
                lock (_sync) _attemptRunning = false;
                return 0;
            }
            int upCount = _status.UpCount;
            int r;
            try
            {
                lock (_sync)
                {
                    if (powerCycle) _recoveries++;
                    else _rejoins++;
                }
                r = 0;
                if (powerCycle)
                {
                    _table.MarkAllReset();
                    r = PowerUpWithGateHeld();
                }
                if (r == 0) r = WlanConnectWithGateHeld(ssid, key);
            }
            finally
            {
                _channel.Exit();
            }
            long now = _clock.UptimeMilliseconds;
            lock (_sync)
            {
                _attemptRunning = false;
                if (r != 0)
                {
                    CountFailureLocked(powerCycle);
                    AttemptFailedLocked(now, r != (int)SocketError.NetworkDown);
                    return 0;
                }
                _needsPowerCycle = false;
                _joinDeadline = now + _joinTimeoutMs;
                _joinUpCount = upCount;
                _joinIsRecovery = powerCycle;
                return _joinDeadline;
            }
        }

        // A join in progress ends: well when the network came up since it began, badly when its time is over.
        private void SettleJoinLocked(long now)
        {
            if (_joinDeadline == 0) return;
            if (_status.UpCount != _joinUpCount)
            {
                _joinDeadline = 0;
                ClearRetryLocked();
                return;
            }
            if (now < _joinDeadline) return;
            CountFailureLocked(_joinIsRecovery);
            long failedAt = _joinDeadline;
            _joinDeadline = 0;
            AttemptFailedLocked(failedAt, false);
        }

        private void CountFailureLocked(bool recovery)
        {
            if (recovery) _failedRecoveries++;
            else _failedRejoins++;
        }

        // One more failure in a row: the next attempt waits the backoff; a module that did not answer gets a power cycle.
        private void AttemptFailedLocked(long failedAt, bool moduleFailed)
        {
            if (moduleFailed) _needsPowerCycle = true;
            if (_failuresInRow < 30) _failuresInRow++;
            _nextAttemptAt = failedAt + RetryDelayMilliseconds(_failuresInRow);
        }

        private void ClearRetryLocked()
        {
            _failuresInRow = 0;
            _nextAttemptAt = 0;
            _needsPowerCycle = false;
        }

        /// <summary>
        /// A socket API whose bus requests carry <paramref name="priority"/> (module-initiated reads
        /// always use <see cref="BusPriority.SystemNetwork"/>). Views share the module's sockets.
        /// </summary>
        public INetworkSockets CreateSocketView(BusPriority priority)
        {
            return new Cc3000SocketView(_sockets, priority);
        }

        /// <summary>
        /// Stops the worker and powers the module off, and lets go of the IRQ line: the pin outlives
        /// this driver (a reset builds a new one over the same pin), and a handler left on it would be
        /// called on every edge for as long as the board runs.
        /// </summary>
        public void Stop()
        {
            _irq.ValueChanged -= OnIrq;
            _dispatcher.Enabled = false;
            _dispatcher.Stop(1000);
            _pending.Cancel();
            _connectSlot.Reset();
            _dnsSlot.Reset();
            _table.MarkAllReset();
            _status.Reset();
            _wlanEnable.Write(PinValue.Low);
        }

        /// <summary>
        /// Called by the socket layer, with the command gate held, when a command went unanswered:
        /// power-cycles the module, starts it and reconnects to the access point.
        /// </summary>
        internal void RecoverWithGateHeld()
        {
            string ssid;
            string key;
            int joinTimeout;
            lock (_sync)
            {
                _recoveries++;
                ssid = _ssid;
                key = _key;
                joinTimeout = _joinTimeoutMs;
            }
            _table.MarkAllReset();
            int r = PowerUpWithGateHeld();
            bool moduleFailed = r != 0;
            if (r == 0 && ssid != null)
            {
                r = WlanConnectWithGateHeld(ssid, key);
                moduleFailed = r != 0 && r != (int)SocketError.NetworkDown;
                if (r == 0) r = WaitNetworkUp(_clock.UptimeMilliseconds + joinTimeout);
            }
            lock (_sync)
            {
                _joinDeadline = 0;
                if (r == 0) ClearRetryLocked();
                else
                {
                    // Not the end: the next Open or Connect tries again once the backoff allows.
                    _failedRecoveries++;
                    AttemptFailedLocked(_clock.UptimeMilliseconds, moduleFailed);
                }
            }
        }

        private int PowerUpWithGateHeld()
        {
            _dispatcher.Enabled = false;
            _pending.Cancel();
            _pending.ForgetProbe();
            _connectSlot.Reset();
            _dnsSlot.Reset();
            _status.Reset();
            _wlanEnable.Write(PinValue.Low);
            Thread.Sleep(PowerOffMilliseconds);
            _link.FirstWritePending = true;
            _wlanEnable.Write(PinValue.High);
            if (!_link.WaitIrqLow(BootTimeoutMilliseconds)) return (int)SocketError.TimedOut;
            _dispatcher.Enabled = true;

            // Simple-link start, the first write: one argument byte, 0 = no patches at the host.
            byte[] f = _channel.Frame;
            f[HciCodec.CommandArgs] = 0;
            int r = SystemCommand(Cc3000Protocol.SimpleLinkStart, 1);
            if (r < 0) return r;

            // Read buffer size: u8 free buffers, u16 buffer length.
            r = SystemCommand(Cc3000Protocol.ReadBufferSize, 0);
            if (r < 0) return r;
            if (_pending.ArgsLength < 3) return (int)SocketError.ModuleError;
            _status.SetBuffers(_pending.Args[0], HciCodec.GetU16(_pending.Args, 1));
            return 0;
        }

        private int WlanConnectWithGateHeld(string ssid, string key)
        {
            // u32 0x1C, u32 SSID length, u32 security, u32 0x10 + SSID length, u32 key length,
            // u16 0, 6-byte BSSID (zero: any), SSID, key (TI's wlan_connect layout).
            byte[] f = _channel.Frame;
            int at = HciCodec.CommandArgs;
            at = HciCodec.PutI32(f, at, 0x1C);
            at = HciCodec.PutI32(f, at, ssid.Length);
            at = HciCodec.PutI32(f, at, key.Length == 0 ? Cc3000Protocol.SecurityOpen : Cc3000Protocol.SecurityWpa2);
            at = HciCodec.PutI32(f, at, 0x10 + ssid.Length);
            at = HciCodec.PutI32(f, at, key.Length);
            at = HciCodec.PutU16(f, at, 0);
            for (int i = 0; i < 6; i++) f[at++] = 0;
            for (int i = 0; i < ssid.Length; i++) f[at++] = (byte)ssid[i];
            for (int i = 0; i < key.Length; i++) f[at++] = (byte)key[i];
            int r = SystemCommand(Cc3000Protocol.WlanConnect, at - HciCodec.CommandArgs);
            if (r < 0) return r;
            return HciCodec.GetI32(_pending.Args, 0) < 0 ? (int)SocketError.NetworkDown : 0;
        }

        // A start-up command at system priority. A module that does not answer here is reported, not
        // recovered (start-up is itself the recovery).
        private int SystemCommand(int opcode, int argsLength)
        {
            int head = HciCodec.Command(_channel.Frame, opcode, argsLength);
            int x = _channel.Execute(BusPriority.SystemNetwork, head, null, 0, 0, opcode, null, 0, 0,
                CommandTimeoutMilliseconds, CommandTimeoutMilliseconds);
            if (x == Cc3000CommandChannel.Answered) return 0;
            if (x == Cc3000CommandChannel.BusUnavailable) return (int)SocketError.BusUnavailable;
            return (int)SocketError.ModuleError;
        }

        // Several threads may wait at once and the event wakes one: wait in slices.
        private int WaitNetworkUp(long deadline)
        {
            while (!_status.NetworkUp)
            {
                long left = deadline - _clock.UptimeMilliseconds;
                if (left <= 0) return (int)SocketError.NetworkDown;
                _status.NetworkChanged.WaitOne(left < NetworkWaitSliceMilliseconds ? (int)left : NetworkWaitSliceMilliseconds, false);
            }
            return 0;
        }

        // Interrupt context on a device: only signal.
        private void OnIrq(object sender, PinValueChangedEventArgs e)
        {
            if (e.ChangeType == PinEventTypes.Falling)
            {
                _irqFell.Set();
                _dispatcher.Wake.Set();
            }
        }
    }
}
