using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Drivers.Spi
{
    /// <summary>
    /// The shared SPI bus's arbiter (see ARCHITECTURE.md): one owner at a time for a whole logical
    /// transaction; waiting requests are granted by priority (<see cref="BusPriority"/>), then in
    /// arrival order; every acquire has a timeout; a holder is told how long it may keep the bus and
    /// overruns are counted.
    /// </summary>
    /// <remarks>
    /// Ownership is handed directly from the releasing thread to the chosen waiter, so a newcomer
    /// can never overtake a queued request. Waiters live in a <see cref="PriorityWaiterQueue"/>, a
    /// fixed pool of slots created up front: acquire and release allocate nothing.
    /// </remarks>
    public sealed class SpiBusArbiter : IBusArbiter
    {
        /// <summary>Default bound on a single hold: longer than the SST25's slowest erase (50 ms chip erase).</summary>
        public const int DefaultMaxHoldMilliseconds = 100;

        /// <summary>Default number of threads that may wait at once.</summary>
        public const int DefaultMaxWaiters = 16;

        private const int PriorityCount = 3;

        private readonly object _sync = new object();
        private readonly IClock _clock;
        private readonly int _maxHoldMs;

        private readonly PriorityWaiterQueue _waiters;

        private Thread _owner;
        private BusPriority _ownerPriority;
        private long _grantedAtTicks;

        private int _grants;
        private int _timeouts;
        private int _holdOverruns;
        private long _longestHoldTicks;
        private long _longestWaitTicks;

        /// <summary>Creates an arbiter with the default hold bound and waiter pool.</summary>
        public SpiBusArbiter(IClock clock) : this(clock, DefaultMaxHoldMilliseconds, DefaultMaxWaiters)
        {
        }

        /// <summary>Creates an arbiter bounding holds to <paramref name="maxHoldMilliseconds"/> with room for <paramref name="maxWaiters"/> waiting threads.</summary>
        public SpiBusArbiter(IClock clock, int maxHoldMilliseconds, int maxWaiters)
        {
            if (clock == null) throw new ArgumentNullException("clock");
            if (maxHoldMilliseconds <= 0) throw new ArgumentOutOfRangeException("maxHoldMilliseconds");
            if (maxWaiters <= 0) throw new ArgumentOutOfRangeException("maxWaiters");
            _clock = clock;
            _maxHoldMs = maxHoldMilliseconds;
            _waiters = new PriorityWaiterQueue("SPI bus", PriorityCount, maxWaiters);
        }

        /// <inheritdoc />
        public int MaxHoldMilliseconds
        {
            get { return _maxHoldMs; }
        }

        /// <summary>Number of grants so far.</summary>
        public int Grants
        {
            get { lock (_sync) return _grants; }
        }

        /// <summary>Number of acquires that ran out of time.</summary>
        public int Timeouts
        {
            get { lock (_sync) return _timeouts; }
        }

        /// <summary>Number of holds that lasted longer than <see cref="MaxHoldMilliseconds"/>.</summary>
        public int HoldOverruns
        {
            get { lock (_sync) return _holdOverruns; }
        }

        /// <summary>The longest hold so far, in 100 ns ticks.</summary>
        public long LongestHoldTicks
        {
            get { lock (_sync) return _longestHoldTicks; }
        }

        /// <summary>The longest wait for a grant so far, in 100 ns ticks.</summary>
        public long LongestWaitTicks
        {
            get { lock (_sync) return _longestWaitTicks; }
        }

        /// <summary>True when the calling thread holds the bus.</summary>
        public bool IsHeldByCurrentThread
        {
            get { lock (_sync) return _owner == Thread.CurrentThread; }
        }

        /// <summary>True when some thread holds the bus.</summary>
        public bool IsHeld
        {
            get { lock (_sync) return _owner != null; }
        }

        /// <summary>Number of threads waiting at <paramref name="priority"/>.</summary>
        public int WaitingCount(BusPriority priority)
        {
            lock (_sync) return _waiters.Count((int)priority);
        }

        /// <inheritdoc />
        public int RemainingHoldMilliseconds
        {
            get
            {
                lock (_sync)
                {
                    if (_owner == null) return _maxHoldMs;
                    long heldMs = (_clock.UptimeTicks - _grantedAtTicks) / TimeSpan.TicksPerMillisecond;
                    return _maxHoldMs - (int)heldMs;
                }
            }
        }

        /// <inheritdoc />
        public void Acquire(BusPriority priority, int timeoutMilliseconds)
        {
            if (!TryAcquire(priority, timeoutMilliseconds))
            {
                throw new SpiBusTimeoutException("SPI bus not granted to a " + PriorityName(priority)
                    + " request within " + timeoutMilliseconds.ToString() + " ms");
            }
        }

        /// <inheritdoc />
        public bool TryAcquire(BusPriority priority, int timeoutMilliseconds)
        {
            if (timeoutMilliseconds < 0) throw new ArgumentOutOfRangeException("timeoutMilliseconds", "every wait needs a finite timeout");
            int p = (int)priority;
            if (p < 0 || p >= PriorityCount) throw new ArgumentOutOfRangeException("priority");
            Thread me = Thread.CurrentThread;
            long askedAt = _clock.UptimeTicks;
            int slot;
            lock (_sync)
            {
                if (_owner == me) throw new InvalidOperationException("this thread already holds the SPI bus; transactions do not nest");
                if (_owner == null)
                {
                    // Release hands the bus straight to a waiter, so a free bus has an empty queue.
                    GrantLocked(me, priority, askedAt);
                    return true;
                }
                if (timeoutMilliseconds == 0)
                {
                    _timeouts++;
                    return false;
                }
                slot = _waiters.Enqueue(p, me);
            }

            _waiters.Wait(slot, timeoutMilliseconds);

            lock (_sync)
            {
                bool granted = _waiters.IsGranted(slot);
                if (!granted)
                {
                    _waiters.Unlink(p, slot);
                    _timeouts++;
                }
                else
                {
                    long waited = _clock.UptimeTicks - askedAt;
                    if (waited > _longestWaitTicks) _longestWaitTicks = waited;
                }
                _waiters.Free(slot);
                return granted;
            }
        }

        /// <inheritdoc />
        public void Release()
        {
            lock (_sync)
            {
                if (_owner != Thread.CurrentThread) throw new InvalidOperationException("the SPI bus is released by a thread that does not hold it");
                long now = _clock.UptimeTicks;
                long held = now - _grantedAtTicks;
                if (held > _longestHoldTicks) _longestHoldTicks = held;
                if (held > (long)_maxHoldMs * TimeSpan.TicksPerMillisecond) _holdOverruns++;
                _owner = null;
                int p;
                int slot = _waiters.DequeueFirst(out p);
                if (slot == PriorityWaiterQueue.None) return;
                GrantLocked(_waiters.ThreadOf(slot), (BusPriority)p, now);
                _waiters.Grant(slot);
            }
        }

        /// <summary>The priority of the current holder; meaningful only while <see cref="IsHeld"/>.</summary>
        public BusPriority OwnerPriority
        {
            get { lock (_sync) return _ownerPriority; }
        }

        private void GrantLocked(Thread owner, BusPriority priority, long now)
        {
            _owner = owner;
            _ownerPriority = priority;
            _grantedAtTicks = now;
            _grants++;
        }

        private static string PriorityName(BusPriority priority)
        {
            if (priority == BusPriority.Flash) return "flash";
            if (priority == BusPriority.SystemNetwork) return "system-network";
            return "user-network";
        }
    }
}
