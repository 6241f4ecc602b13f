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
    /// </remarks>
    public sealed class Cc3000Driver
    {
        /// <summary>
        /// Default time a command may go unanswered before the module counts as stuck: 2000 ms. Every
        /// command the module answers by itself (socket, recv, send, close, DNS from its cache) takes
        /// milliseconds; connect uses the caller's timeout when that is longer.
        /// </summary>
        public const int DefaultCommandTimeoutMilliseconds = 2000;

        /// <summary>WLAN_EN low time in a power cycle: 20 ms (chosen; long enough for the module's supply to drop).</summary>
        public const int PowerOffMilliseconds = 20;

        /// <summary>Longest wait from WLAN_EN high to the module's ready (IRQ low): 2000 ms.</summary>
        public const int BootTimeoutMilliseconds = 2000;

        /// <summary>Longest wait for association and DHCP when reconnecting after a recovery: 10 s.</summary>
        public const int RecoveryNetworkTimeoutMilliseconds = 10000;

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
        private int _commandTimeoutMs = DefaultCommandTimeoutMilliseconds;
        private string _ssid;
        private string _key;
        private int _recoveries;
        private int _failedRecoveries;

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
            _status = new Cc3000ModuleStatus();
            _dispatcher = new Cc3000EventDispatcher(_link, _pending, _status);
            _channel = new Cc3000CommandChannel(_link, _pending, clock);
            _table = new Cc3000SocketTable();
            _sockets = new Cc3000SocketLayer(this, _channel, _status, _table, clock);
            _wlanEnable.SetPinMode(PinMode.Output);
            _irq.SetPinMode(PinMode.InputPullUp);
            _irq.ValueChanged += OnIrq;
            _dispatcher.Start();
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
            if (r < 0) return r;
            return WaitNetworkUp(deadline);
        }

        /// <summary>
        /// A socket API whose bus requests carry <paramref name="priority"/> (module-initiated reads
        /// always use <see cref="BusPriority.SystemNetwork"/>). Views share the module's sockets.
        /// </summary>
        public INetworkSockets CreateSocketView(BusPriority priority)
        {
            return new Cc3000SocketView(_sockets, priority);
        }

        /// <summary>Stops the worker and powers the module off.</summary>
        public void Stop()
        {
            _dispatcher.Enabled = false;
            _dispatcher.Stop(1000);
            _pending.Cancel();
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
            lock (_sync)
            {
                _recoveries++;
                ssid = _ssid;
                key = _key;
            }
            _table.MarkAllReset();
            int r = PowerUpWithGateHeld();
            if (r == 0 && ssid != null)
            {
                r = WlanConnectWithGateHeld(ssid, key);
                if (r == 0) r = WaitNetworkUp(_clock.UptimeMilliseconds + RecoveryNetworkTimeoutMilliseconds);
            }
            if (r != 0)
            {
                lock (_sync) _failedRecoveries++;
            }
        }

        private int PowerUpWithGateHeld()
        {
            _dispatcher.Enabled = false;
            _pending.Cancel();
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

        private int WaitNetworkUp(long deadline)
        {
            while (!_status.NetworkUp)
            {
                long left = deadline - _clock.UptimeMilliseconds;
                if (left <= 0) return (int)SocketError.NetworkDown;
                _status.NetworkChanged.WaitOne((int)left, false);
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
