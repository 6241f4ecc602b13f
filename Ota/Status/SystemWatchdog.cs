using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Diagnostics;

namespace CoreFirmware.Ota.Status
{
    /// <summary>
    /// The system watchdog: the system thread calls <see cref="Checkin"/> once per loop; a
    /// supervisor thread feeds the hardware watchdog every <see cref="FeedPeriodMilliseconds"/>
    /// but only while checkins keep coming. A system thread that stops checking in for longer
    /// than <see cref="CheckinTimeoutMilliseconds"/> stops the feeding, and the hardware
    /// watchdog resets the board <see cref="HardwareTimeoutMilliseconds"/> later. A stalled
    /// supervisor stops feeding too, so either stall ends in a reset.
    /// </summary>
    /// <remarks>
    /// Worst case from the last checkin to the reset: checkin timeout + feed period + hardware
    /// timeout (about 19.5 s with the defaults). <see cref="ReportFault"/> stops the feeding at once:
    /// a fault resets the board within feed period + hardware timeout. The hardware watchdog cannot be stopped once
    /// started: after <see cref="Stop"/> the board resets unless something else feeds it.
    /// Checkin is one Interlocked.Increment: lock-free, allocation-free, callable from any thread.
    /// </remarks>
    public sealed class SystemWatchdog
    {
        /// <summary>
        /// Default checkin timeout: 15 s. The cloud link checks in on every loop iteration, between
        /// the blocking steps of a connect (resolve, open, connect) and on every 100 ms receive slice
        /// of a handshake read, and the runtime checks in between its boot steps. The longest single
        /// bounded step between two checkins is then one socket call bounded by
        /// CloudLinkSettings.ConnectTimeoutMilliseconds (10 s) — or at boot the module start or the
        /// access-point join (SystemRuntime.NetworkStartTimeoutMilliseconds, 10 s each); a session
        /// step is one 100 ms receive slice plus at most one blocking send (5 s; a failed send makes
        /// the next ones return at once). 10 s plus 50 % margin = 15 s.
        /// </summary>
        public const int DefaultCheckinTimeoutMilliseconds = 15000;

        /// <summary>
        /// Default hardware timeout: 4 s. On the STM32 IWDG (LSI nominally 32 kHz but 17..47 kHz)
        /// a nominal 4 s fires after 2.7 s at the fastest LSI: still over 5 feed periods.
        /// </summary>
        public const int DefaultHardwareTimeoutMilliseconds = 4000;

        /// <summary>Default feed period: 500 ms, 8 feeds per hardware timeout, so a few late wakeups of the supervisor do not reset a healthy board.</summary>
        public const int DefaultFeedPeriodMilliseconds = 500;

        private readonly IWatchdog _hardware;
        private readonly IClock _clock;
        private readonly int _checkinTimeout;
        private readonly int _hardwareTimeout;
        private readonly int _feedPeriod;
        private readonly AutoResetEvent _stopEvent = new AutoResetEvent(false);

        private int _checkins;
        private int _stopRequested;
        private int _starving;
        private int _faulted;
        private Thread _thread;

        // Supervisor-only state.
        private int _seenCheckins;
        private long _lastProgressMs;
        private int _longestGapMs;

        /// <summary>Creates the system watchdog with the default timeouts.</summary>
        /// <param name="hardware">The hardware watchdog.</param>
        /// <param name="clock">The board clock.</param>
        public SystemWatchdog(IWatchdog hardware, IClock clock)
            : this(hardware, clock, DefaultCheckinTimeoutMilliseconds, DefaultHardwareTimeoutMilliseconds, DefaultFeedPeriodMilliseconds)
        {
        }

        /// <summary>Creates the system watchdog with given timeouts (the feed period must be below the hardware timeout).</summary>
        /// <param name="hardware">The hardware watchdog.</param>
        /// <param name="clock">The board clock.</param>
        /// <param name="checkinTimeoutMilliseconds">Longest time without a checkin that still counts as progress.</param>
        /// <param name="hardwareTimeoutMilliseconds">Timeout the hardware watchdog is started with.</param>
        /// <param name="feedPeriodMilliseconds">How often the supervisor looks and feeds.</param>
        public SystemWatchdog(IWatchdog hardware, IClock clock, int checkinTimeoutMilliseconds, int hardwareTimeoutMilliseconds, int feedPeriodMilliseconds)
        {
            if (hardware == null) throw new ArgumentNullException("hardware");
            if (clock == null) throw new ArgumentNullException("clock");
            if (checkinTimeoutMilliseconds < 1) throw new ArgumentOutOfRangeException("checkinTimeoutMilliseconds");
            if (feedPeriodMilliseconds < 1 || feedPeriodMilliseconds >= hardwareTimeoutMilliseconds) throw new ArgumentOutOfRangeException("feedPeriodMilliseconds");
            _hardware = hardware;
            _clock = clock;
            _checkinTimeout = checkinTimeoutMilliseconds;
            _hardwareTimeout = hardwareTimeoutMilliseconds;
            _feedPeriod = feedPeriodMilliseconds;
        }

        /// <summary>Longest time without a checkin before feeding stops.</summary>
        public int CheckinTimeoutMilliseconds
        {
            get { return _checkinTimeout; }
        }

        /// <summary>The hardware watchdog's timeout.</summary>
        public int HardwareTimeoutMilliseconds
        {
            get { return _hardwareTimeout; }
        }

        /// <summary>How often the supervisor feeds.</summary>
        public int FeedPeriodMilliseconds
        {
            get { return _feedPeriod; }
        }

        /// <summary>Checkins so far (wraps).</summary>
        public int Checkins
        {
            get { return Interlocked.CompareExchange(ref _checkins, 0, 0); }
        }

        /// <summary>
        /// The longest time the supervisor saw without a check-in (to within a feed period), since the
        /// start: the margin figure against <see cref="CheckinTimeoutMilliseconds"/>.
        /// </summary>
        public int LongestCheckinGapMilliseconds
        {
            get { return Interlocked.CompareExchange(ref _longestGapMs, 0, 0); }
        }

        /// <summary>True once the supervisor has stopped feeding because checkins stopped (a reset is coming).</summary>
        public bool IsStarving
        {
            get { return Interlocked.CompareExchange(ref _starving, 0, 0) != 0; }
        }

        /// <summary>True once <see cref="ReportFault"/> was called: the supervisor no longer feeds.</summary>
        public bool IsFaulted
        {
            get { return Interlocked.CompareExchange(ref _faulted, 0, 0) != 0; }
        }

        /// <summary>
        /// A fault the board must reset from (e.g. the user app crashed): from now on the supervisor
        /// does not feed, whatever the checkins say, so the hardware watchdog resets the board within
        /// <see cref="FeedPeriodMilliseconds"/> + <see cref="HardwareTimeoutMilliseconds"/>. One
        /// Interlocked.Exchange: callable from any thread, allocation-free. Cleared only by a reset.
        /// </summary>
        public void ReportFault()
        {
            Interlocked.Exchange(ref _faulted, 1);
        }

        /// <summary>Called by the system thread once per loop: it is making progress.</summary>
        public void Checkin()
        {
            Interlocked.Increment(ref _checkins);
        }

        /// <summary>Starts the hardware watchdog and the supervisor thread. Counts as a first checkin.</summary>
        public void Start()
        {
            if (_thread != null && _thread.IsAlive) throw new InvalidOperationException("already running");
            Interlocked.Exchange(ref _stopRequested, 0);
            Interlocked.Exchange(ref _starving, 0);
            _stopEvent.Reset();
            _seenCheckins = Checkins;
            _lastProgressMs = _clock.UptimeMilliseconds;
            _hardware.Start(_hardwareTimeout);
            _hardware.Feed();
            _thread = _guard.NewThread(Run);
            _thread.Start();
        }

        /// <summary>Stops the supervisor (the hardware watchdog keeps running and resets the board unless fed).</summary>
        /// <param name="timeoutMilliseconds">How long to wait for the supervisor to end.</param>
        /// <returns>True when it ended within the timeout (or never ran).</returns>
        public bool Stop(int timeoutMilliseconds)
        {
            Interlocked.Exchange(ref _stopRequested, 1);
            _stopEvent.Set();
            Thread t = _thread;
            return t == null || t.Join(timeoutMilliseconds);
        }

        private readonly ThreadGuard _guard = new ThreadGuard("watchdog supervisor");

        /// <summary>Where an exception that ends this thread is reported (see <see cref="ThreadGuard"/>); set before it starts.</summary>
        public ThreadFaultLog ThreadFaults { get { return _guard.Faults; } set { _guard.Faults = value; } }

        private void Run()
        {
            while (Interlocked.CompareExchange(ref _stopRequested, 0, 0) == 0)
            {
                Supervise();
                _stopEvent.WaitOne(_feedPeriod, false);
            }
        }

        private void Supervise()
        {
            long now = _clock.UptimeMilliseconds;
            int c = Checkins;
            if (c != _seenCheckins)
            {
                _seenCheckins = c;
                _lastProgressMs = now;
            }

            long gap = now - _lastProgressMs;
            if (gap > _longestGapMs) Interlocked.Exchange(ref _longestGapMs, gap > int.MaxValue ? int.MaxValue : (int)gap);
            if (gap <= _checkinTimeout && Interlocked.CompareExchange(ref _faulted, 0, 0) == 0)
            {
                Interlocked.Exchange(ref _starving, 0);
                _hardware.Feed();
            }
            else
            {
                Interlocked.Exchange(ref _starving, 1);
            }
        }
    }
}
