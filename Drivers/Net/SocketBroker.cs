using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Drivers.Net
{
    /// <summary>
    /// The user's <see cref="INetworkSockets"/>: it stands in front of the network stack's USER view,
    /// tracks every handle it gave out, and lets the OTA service take user networking away at once
    /// (see OTA-DESIGN.md, "Preemption"). The cloud's socket lives on the system view and is never
    /// seen, counted or touched here.
    /// </summary>
    /// <remarks>
    /// <para><see cref="BeginPreemption"/>: <see cref="UpdatesPending"/> becomes true, every open user
    /// socket is aborted through <see cref="ISocketAborter"/> with <see cref="SocketError.Preempted"/>
    /// (a call blocked in it returns within milliseconds), and from then on the aborted handles answer
    /// every call but Close with Preempted without entering the stack, while Open and ResolveHost
    /// answer <see cref="SocketError.UpdateInProgress"/> until <see cref="EndPreemption"/> (after holding the
    /// caller up to <see cref="RefusalHoldMilliseconds"/>, so a loop with no delay does not spin). An aborted
    /// handle stays reserved until the user closes it (the stack closed it on the module already).</para>
    /// <para>Preemption latency is the time from <see cref="BeginPreemption"/> until "user networking
    /// quiet": no user socket left open and no user call inside the stack. It is measured in
    /// <see cref="IClock.UptimeTicks"/> and kept in a ring of <see cref="LatencySampleCapacity"/> samples.</para>
    /// <para>Only handles this broker returned are accepted (others give
    /// <see cref="SocketError.InvalidSocket"/>): CC3000 handles are shared by all views, and user code
    /// must not reach the cloud's socket by guessing its number. At most the given number of user
    /// sockets are open at once, so the module always keeps one for the cloud.</para>
    /// <para>All bookkeeping is under one lock, never held across a call into the stack. Nothing is
    /// allocated after construction.</para>
    /// </remarks>
    public sealed class SocketBroker : INetworkSockets, IUpdateNotice, IUserNetworkPreemption
    {
        /// <summary>
        /// Handles tracked at once: the CC3000 driver's socket table has 8 slots
        /// (Cc3000SocketTable.Slots), so the user can never hold more.
        /// </summary>
        public const int MaxTrackedSockets = 8;

        /// <summary>Default user-socket limit: the table's 8 less one kept for the cloud link.</summary>
        public const int DefaultMaxUserSockets = MaxTrackedSockets - 1;

        /// <summary>Latency samples kept (a ring; the oldest is overwritten): enough for p99 over many updates.</summary>
        public const int LatencySampleCapacity = 256;

        /// <summary>
        /// How long Open and ResolveHost hold a caller during an update before refusing it with
        /// <see cref="SocketError.UpdateInProgress"/> (never longer than the caller's own timeout).
        /// A user loop with no delay would otherwise spin on the refusal and take the CPU from the
        /// system thread that runs the update; held, it asks at most about once a second.
        /// </summary>
        public const int RefusalHoldMilliseconds = 1000;

        private const int SlotFree = 0;
        private const int SlotOpening = 1;
        private const int SlotOpen = 2;
        private const int SlotAborted = 3;

        private readonly object _sync = new object();
        private readonly INetworkSockets _inner;
        private readonly ISocketAborter _aborter;
        private readonly IClock _clock;
        private readonly int _maxUserSockets;
        private readonly int[] _handle = new int[MaxTrackedSockets];
        private readonly int[] _state = new int[MaxTrackedSockets];
        private readonly int[] _abortList = new int[MaxTrackedSockets];
        private readonly long[] _latency = new long[LatencySampleCapacity];
        private readonly ManualResetEvent _quiet = new ManualResetEvent(true);
        private int _closing; // 1 after Shutdown(): refusals no longer hold the caller
        private readonly ManualResetEvent _networkingBack = new ManualResetEvent(true); // set while no update holds user networking
        private int _latencyCount;
        private int _latencyNext;
        private int _pending;
        private bool _preempting;
        private bool _waitingQuiet;
        private long _preemptStartTicks;
        private long _lastLatencyTicks = -1;
        private int _callsInside;
        private int _preemptions;
        private int _socketsAborted;
        private int _refusedCalls;
        private int _preemptedCalls;
        private int _notQuietInTime;

        /// <summary>
        /// Creates the broker over the stack's user view <paramref name="inner"/> and its aborter
        /// (normally the same object), allowing <see cref="DefaultMaxUserSockets"/> user sockets.
        /// </summary>
        public SocketBroker(INetworkSockets inner, ISocketAborter aborter, IClock clock)
            : this(inner, aborter, clock, DefaultMaxUserSockets)
        {
        }

        /// <summary>Creates the broker allowing at most <paramref name="maxUserSockets"/> (1 to <see cref="MaxTrackedSockets"/>) user sockets.</summary>
        public SocketBroker(INetworkSockets inner, ISocketAborter aborter, IClock clock, int maxUserSockets)
        {
            if (inner == null) throw new ArgumentNullException("inner");
            if (aborter == null) throw new ArgumentNullException("aborter");
            if (clock == null) throw new ArgumentNullException("clock");
            if (maxUserSockets < 1 || maxUserSockets > MaxTrackedSockets) throw new ArgumentOutOfRangeException("maxUserSockets");
            _inner = inner;
            _aborter = aborter;
            _clock = clock;
            _maxUserSockets = maxUserSockets;
        }

        /// <summary>True between <see cref="BeginPreemption"/> and <see cref="EndPreemption"/>. Any thread may read it.</summary>
        public bool UpdatesPending
        {
            get { return Interlocked.CompareExchange(ref _pending, 0, 0) != 0; }
        }

        /// <summary>User sockets currently held (open, opening, or aborted and not yet closed by the user).</summary>
        public int UserSocketCount
        {
            get { lock (_sync) { return CountUsedLocked(); } }
        }

        /// <summary>User calls currently inside the network stack.</summary>
        public int CallsInside
        {
            get { lock (_sync) { return _callsInside; } }
        }

        /// <summary>True when no user socket is open (aborted handles do not count) and no user call is inside the stack.</summary>
        public bool IsQuiet
        {
            get { lock (_sync) { return IsQuietLocked(); } }
        }

        /// <summary>Preemptions begun since construction.</summary>
        public int Preemptions { get { lock (_sync) { return _preemptions; } } }

        /// <summary>User sockets aborted by preemptions.</summary>
        public int SocketsAborted { get { lock (_sync) { return _socketsAborted; } } }

        /// <summary>Open/ResolveHost calls refused with UpdateInProgress.</summary>
        public int RefusedCalls { get { lock (_sync) { return _refusedCalls; } } }

        /// <summary>Calls answered with Preempted (by the broker or by the stack).</summary>
        public int PreemptedCalls { get { lock (_sync) { return _preemptedCalls; } } }

        /// <summary>Preemptions that ended before user networking went quiet (no latency sample for them).</summary>
        public int NotQuietInTime { get { lock (_sync) { return _notQuietInTime; } } }

        /// <summary>Number of latency samples kept (at most <see cref="LatencySampleCapacity"/>).</summary>
        public int LatencySampleCount { get { lock (_sync) { return _latencyCount; } } }

        /// <summary>The last preemption latency in ticks, or -1 before the first.</summary>
        public long LastLatencyTicks { get { lock (_sync) { return _lastLatencyTicks; } } }

        /// <summary>
        /// Copies the kept latency samples (ticks, oldest first) into <paramref name="destination"/>
        /// from <paramref name="offset"/>; returns how many were copied (limited by the room there).
        /// </summary>
        public int CopyLatencySamples(long[] destination, int offset)
        {
            if (destination == null) throw new ArgumentNullException("destination");
            if (offset < 0 || offset > destination.Length) throw new ArgumentOutOfRangeException("offset");
            lock (_sync)
            {
                int n = _latencyCount;
                if (n > destination.Length - offset) n = destination.Length - offset;
                int first = _latencyCount < LatencySampleCapacity ? 0 : _latencyNext;
                for (int i = 0; i < n; i++)
                {
                    destination[offset + i] = _latency[(first + i) % LatencySampleCapacity];
                }
                return n;
            }
        }

        /// <summary>
        /// Takes user networking away: raises <see cref="UpdatesPending"/>, aborts every open user
        /// socket with <see cref="SocketError.Preempted"/> and refuses new ones until
        /// <see cref="EndPreemption"/>. Returns at once (it does not wait for blocked calls to leave;
        /// use <see cref="WaitQuiet"/>). A second call while preempting does nothing.
        /// </summary>
        public void BeginPreemption()
        {
            int n = 0;
            lock (_sync)
            {
                if (_preempting) return;
                _preempting = true;
                Interlocked.Exchange(ref _pending, 1);
                _preemptions++;
                _preemptStartTicks = _clock.UptimeTicks;
                _waitingQuiet = true;
                _quiet.Reset();
                _networkingBack.Reset();
                for (int i = 0; i < MaxTrackedSockets; i++)
                {
                    if (_state[i] == SlotOpen)
                    {
                        _state[i] = SlotAborted;
                        _abortList[n++] = _handle[i];
                    }
                }
                _socketsAborted += n;
            }

            // Outside the lock: a woken call leaves through Leave(), which takes it.
            for (int i = 0; i < n; i++)
            {
                _aborter.Abort(_abortList[i], SocketError.Preempted);
            }

            lock (_sync)
            {
                CheckQuietLocked();
            }
        }

        /// <summary>Gives user networking back: new sockets work again. Handles aborted earlier still answer Preempted until closed.</summary>
        public void EndPreemption()
        {
            lock (_sync)
            {
                if (!_preempting) return;
                _preempting = false;
                Interlocked.Exchange(ref _pending, 0);
                if (_waitingQuiet)
                {
                    _waitingQuiet = false;
                    _notQuietInTime++;
                }
                _quiet.Set();
                _networkingBack.Set();
            }
        }

        /// <summary>
        /// Waits up to <paramref name="timeoutMilliseconds"/> for user networking to go quiet after
        /// <see cref="BeginPreemption"/>. True when quiet (or not preempting).
        /// </summary>
        public bool WaitQuiet(int timeoutMilliseconds)
        {
            if (timeoutMilliseconds < 0) throw new ArgumentOutOfRangeException("timeoutMilliseconds");
            return _quiet.WaitOne(timeoutMilliseconds, false);
        }

        /// <summary>
        /// For a reset: takes user networking away for good (as <see cref="BeginPreemption"/>) and
        /// refuses Open and ResolveHost at once instead of holding the caller, so the user thread
        /// can be stopped without waiting out <see cref="RefusalHoldMilliseconds"/>.
        /// </summary>
        public void Shutdown()
        {
            BeginPreemption();
            Interlocked.Exchange(ref _closing, 1);
            _networkingBack.Set();
        }

        // During an update, waits (bounded) for it to end; false when it is still running, which the
        // caller reports as UpdateInProgress.
        private bool HoldWhileUpdating(int timeoutMilliseconds)
        {
            if (Interlocked.CompareExchange(ref _pending, 0, 0) == 0) return true;
            if (Interlocked.CompareExchange(ref _closing, 0, 0) != 0)
            {
                lock (_sync) _refusedCalls++;
                return false;
            }
            int hold = timeoutMilliseconds < RefusalHoldMilliseconds ? timeoutMilliseconds : RefusalHoldMilliseconds;
            if (hold < 0) hold = 0;
            if (_networkingBack.WaitOne(hold, false)) return true;
            lock (_sync) _refusedCalls++;
            return false;
        }

        /// <inheritdoc />
        public int Open(int timeoutMilliseconds)
        {
            if (!HoldWhileUpdating(timeoutMilliseconds)) return (int)SocketError.UpdateInProgress;
            int slot = -1;
            lock (_sync)
            {
                if (_preempting)
                {
                    _refusedCalls++;
                    return (int)SocketError.UpdateInProgress;
                }
                if (CountUsedLocked() >= _maxUserSockets) return (int)SocketError.NoFreeSocket;
                for (int i = 0; i < MaxTrackedSockets; i++)
                {
                    if (_state[i] == SlotFree)
                    {
                        slot = i;
                        break;
                    }
                }
                if (slot < 0) return (int)SocketError.NoFreeSocket;
                _state[slot] = SlotOpening;
                _handle[slot] = -1;
                _callsInside++;
            }

            int r = (int)SocketError.ModuleError;
            bool closeAgain = false;
            try
            {
                r = _inner.Open(timeoutMilliseconds);
            }
            finally
            {
                lock (_sync)
                {
                    if (r >= 0 && !_preempting)
                    {
                        _handle[slot] = r;
                        _state[slot] = SlotOpen;
                    }
                    else
                    {
                        _state[slot] = SlotFree;
                        closeAgain = r >= 0;
                        if (closeAgain) _refusedCalls++;
                    }
                    if (!closeAgain)
                    {
                        _callsInside--;
                        CheckQuietLocked();
                    }
                }
            }

            if (closeAgain)
            {
                // A preemption began while the module opened it: give it straight back.
                try
                {
                    _inner.Close(r);
                }
                finally
                {
                    Leave();
                }
                return (int)SocketError.UpdateInProgress;
            }
            return r;
        }

        /// <inheritdoc />
        public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds)
        {
            int refused = Enter(socket);
            if (refused != 0) return refused;
            int r;
            try
            {
                r = _inner.Connect(socket, ipv4, port, timeoutMilliseconds);
            }
            finally
            {
                Leave();
            }
            return Count(r);
        }

        /// <inheritdoc />
        public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            int refused = Enter(socket);
            if (refused != 0) return refused;
            int r;
            try
            {
                r = _inner.Send(socket, buffer, offset, count, timeoutMilliseconds);
            }
            finally
            {
                Leave();
            }
            return Count(r);
        }

        /// <inheritdoc />
        public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            int refused = Enter(socket);
            if (refused != 0) return refused;
            int r;
            try
            {
                r = _inner.Receive(socket, buffer, offset, count, timeoutMilliseconds);
            }
            finally
            {
                Leave();
            }
            return Count(r);
        }

        /// <inheritdoc />
        public int Close(int socket)
        {
            lock (_sync)
            {
                int slot = FindLocked(socket);
                if (slot < 0) return (int)SocketError.InvalidSocket;
                _state[slot] = SlotFree;
                _handle[slot] = -1;
                _callsInside++;
            }
            try
            {
                return _inner.Close(socket);
            }
            finally
            {
                Leave();
            }
        }

        /// <inheritdoc />
        public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
        {
            ipv4 = 0;
            if (!HoldWhileUpdating(timeoutMilliseconds)) return (int)SocketError.UpdateInProgress;
            lock (_sync)
            {
                if (_preempting)
                {
                    _refusedCalls++;
                    return (int)SocketError.UpdateInProgress;
                }
                _callsInside++;
            }
            try
            {
                return _inner.ResolveHost(hostName, out ipv4, timeoutMilliseconds);
            }
            finally
            {
                Leave();
            }
        }

        // Admits a call on an existing handle: 0, or the error to return without entering the stack.
        private int Enter(int socket)
        {
            lock (_sync)
            {
                int slot = FindLocked(socket);
                if (slot < 0) return (int)SocketError.InvalidSocket;
                if (_state[slot] == SlotAborted)
                {
                    _preemptedCalls++;
                    return (int)SocketError.Preempted;
                }
                _callsInside++;
                return 0;
            }
        }

        private void Leave()
        {
            lock (_sync)
            {
                _callsInside--;
                CheckQuietLocked();
            }
        }

        private int Count(int result)
        {
            if (result == (int)SocketError.Preempted)
            {
                lock (_sync)
                {
                    _preemptedCalls++;
                }
            }
            return result;
        }

        private int FindLocked(int socket)
        {
            if (socket < 0) return -1;
            for (int i = 0; i < MaxTrackedSockets; i++)
            {
                if ((_state[i] == SlotOpen || _state[i] == SlotAborted) && _handle[i] == socket) return i;
            }
            return -1;
        }

        private int CountUsedLocked()
        {
            int n = 0;
            for (int i = 0; i < MaxTrackedSockets; i++)
            {
                if (_state[i] != SlotFree) n++;
            }
            return n;
        }

        private bool IsQuietLocked()
        {
            if (_callsInside != 0) return false;
            for (int i = 0; i < MaxTrackedSockets; i++)
            {
                if (_state[i] == SlotOpen || _state[i] == SlotOpening) return false;
            }
            return true;
        }

        private void CheckQuietLocked()
        {
            if (!_waitingQuiet || !IsQuietLocked()) return;
            _waitingQuiet = false;
            long latency = _clock.UptimeTicks - _preemptStartTicks;
            if (latency < 0) latency = 0;
            _lastLatencyTicks = latency;
            _latency[_latencyNext] = latency;
            _latencyNext = (_latencyNext + 1) % LatencySampleCapacity;
            if (_latencyCount < LatencySampleCapacity) _latencyCount++;
            _quiet.Set();
        }
    }
}
