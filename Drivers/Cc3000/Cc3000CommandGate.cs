using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// The CC3000's command gate: the module takes one command at a time, and a caller holds the
    /// gate from writing its command until the answer is in. Waiting callers are let in by
    /// priority (<see cref="BusPriority"/>: system network before user network), then in arrival
    /// order; every wait has a timeout. This is what keeps the cloud and OTA path ahead of user
    /// sockets that poll the module every millisecond.
    /// </summary>
    /// <remarks>
    /// Same scheme as <see cref="SpiBusArbiter"/>, for a different resource, and the same waiting
    /// room (<see cref="PriorityWaiterQueue"/>): the gate is handed straight from the leaving thread
    /// to the chosen waiter, so a newcomer never overtakes a queued caller of its own or a higher
    /// priority, and entering and leaving allocate nothing. Unlike the
    /// bus, the gate has no hold bound of its own: a command's hold is bounded by its answer
    /// timeout (hang detection in <see cref="Cc3000CommandChannel"/>).
    /// </remarks>
    internal sealed class Cc3000CommandGate
    {
        /// <summary>
        /// Callers that may wait at once: 16. The board runs a handful of threads that use the
        /// module (system, OTA, user, a few user worker threads); 16 leaves ample margin.
        /// </summary>
        public const int DefaultMaxWaiters = 16;

        // BusPriority has three values (Flash, SystemNetwork, UserNetwork).
        private const int PriorityCount = 3;

        private readonly object _sync = new object();
        private readonly IClock _clock;

        // The waiting room, and per slot: when the waiter asked and the number of grants made
        // before it asked (to count how many others went first).
        private readonly PriorityWaiterQueue _waiters;
        private readonly long[] _slotAskedAt;
        private readonly int[] _slotGrantsBefore;

        // Statistics per priority.
        private readonly int[] _grants = new int[PriorityCount];
        private readonly int[] _waited = new int[PriorityCount];
        private readonly int[] _timeouts = new int[PriorityCount];
        private readonly long[] _waitTicks = new long[PriorityCount];
        private readonly long[] _longestWaitTicks = new long[PriorityCount];
        private readonly int[] _mostOvertaken = new int[PriorityCount];

        private Thread _owner;
        private int _totalGrants;

        /// <summary>Creates a gate with room for <paramref name="maxWaiters"/> waiting callers.</summary>
        public Cc3000CommandGate(IClock clock, int maxWaiters)
        {
            if (clock == null) throw new ArgumentNullException("clock");
            if (maxWaiters <= 0) throw new ArgumentOutOfRangeException("maxWaiters");
            _clock = clock;
            _waiters = new PriorityWaiterQueue("CC3000 command gate", PriorityCount, maxWaiters);
            _slotAskedAt = new long[maxWaiters];
            _slotGrantsBefore = new int[maxWaiters];
        }

        /// <summary>
        /// Waits up to <paramref name="timeoutMilliseconds"/> (0 or less = do not wait) for the
        /// gate. False when the time ran out; the caller then does not hold the gate.
        /// </summary>
        public bool Enter(BusPriority priority, int timeoutMilliseconds)
        {
            return Enter(priority, timeoutMilliseconds, null, 0);
        }

        /// <summary>
        /// As <see cref="Enter(BusPriority, int)"/>, but the wait also ends (false) when
        /// <paramref name="cancellation"/> says <paramref name="token"/> is cancelled; it is asked
        /// whenever the waiter wakes, so <see cref="Nudge"/> makes a cancelled waiter give up at once.
        /// A waiter that is not cancelled keeps its place in the queue.
        /// </summary>
        public bool Enter(BusPriority priority, int timeoutMilliseconds, ICc3000WaitCancellation cancellation, int token)
        {
            int p = (int)priority;
            if (p < 0 || p >= PriorityCount) throw new ArgumentOutOfRangeException("priority");
            Thread me = Thread.CurrentThread;
            int slot;
            lock (_sync)
            {
                if (_owner == me) throw new InvalidOperationException("this thread already holds the CC3000 command gate");
                if (_owner == null)
                {
                    // Exit hands the gate straight to a waiter, so a free gate has an empty queue.
                    _owner = me;
                    _totalGrants++;
                    _grants[p]++;
                    return true;
                }
                if (timeoutMilliseconds <= 0)
                {
                    _timeouts[p]++;
                    return false;
                }
                slot = _waiters.Enqueue(p, me);
                _slotAskedAt[slot] = _clock.UptimeTicks;
                _slotGrantsBefore[slot] = _totalGrants;
            }

            // Cancellation is asked before every wait: an abort that set its flag before this
            // waiter queued is seen here, one after it nudges the queued waiter's event.
            long deadline = _clock.UptimeMilliseconds + timeoutMilliseconds;
            while (true)
            {
                bool cancelled = cancellation != null && cancellation.IsCancelled(token);
                lock (_sync)
                {
                    if (_waiters.IsGranted(slot)) return Leave(slot, true);
                    if (cancelled || _clock.UptimeMilliseconds >= deadline)
                    {
                        _waiters.Unlink(p, slot);
                        _timeouts[p]++;
                        return Leave(slot, false);
                    }
                }
                long left = deadline - _clock.UptimeMilliseconds;
                if (left > 0) _waiters.Wait(slot, (int)left);
                // Woken by a grant, the deadline, or a nudge (maybe for another waiter): look again.
            }
        }

        /// <summary>
        /// Wakes every waiter without granting anything, so waiters whose wait was cancelled (see
        /// <see cref="Enter(BusPriority, int, ICc3000WaitCancellation, int)"/>) give up now; the others wait on.
        /// </summary>
        public void Nudge()
        {
            lock (_sync) _waiters.WakeAll();
        }

        // Caller holds _sync: frees the waiter slot.
        private bool Leave(int slot, bool granted)
        {
            _waiters.Free(slot);
            return granted;
        }

        /// <summary>Leaves the gate and hands it to the first waiter of the highest priority.</summary>
        public void Exit()
        {
            lock (_sync)
            {
                if (_owner != Thread.CurrentThread) throw new InvalidOperationException("the CC3000 command gate is left by a thread that does not hold it");
                _owner = null;
                int p;
                int slot = _waiters.DequeueFirst(out p);
                if (slot == PriorityWaiterQueue.None) return;

                long waited = _clock.UptimeTicks - _slotAskedAt[slot];
                int overtaken = _totalGrants - _slotGrantsBefore[slot];
                _waited[p]++;
                _waitTicks[p] += waited;
                if (waited > _longestWaitTicks[p]) _longestWaitTicks[p] = waited;
                if (overtaken > _mostOvertaken[p]) _mostOvertaken[p] = overtaken;

                _owner = _waiters.ThreadOf(slot);
                _totalGrants++;
                _grants[p]++;
                _waiters.Grant(slot);
            }
        }

        /// <summary>True when the calling thread holds the gate.</summary>
        public bool IsHeldByCurrentThread
        {
            get { lock (_sync) return _owner == Thread.CurrentThread; }
        }

        /// <summary>Entries granted at <paramref name="priority"/>.</summary>
        public int Grants(BusPriority priority)
        {
            lock (_sync) return _grants[Index(priority)];
        }

        /// <summary>Entries at <paramref name="priority"/> that had to queue.</summary>
        public int Waits(BusPriority priority)
        {
            lock (_sync) return _waited[Index(priority)];
        }

        /// <summary>Entries at <paramref name="priority"/> whose time ran out.</summary>
        public int Timeouts(BusPriority priority)
        {
            lock (_sync) return _timeouts[Index(priority)];
        }

        /// <summary>Total time queued callers of <paramref name="priority"/> waited, in 100 ns ticks.</summary>
        public long WaitTicks(BusPriority priority)
        {
            lock (_sync) return _waitTicks[Index(priority)];
        }

        /// <summary>Longest time a caller of <paramref name="priority"/> waited, in 100 ns ticks.</summary>
        public long LongestWaitTicks(BusPriority priority)
        {
            lock (_sync) return _longestWaitTicks[Index(priority)];
        }

        /// <summary>
        /// The most grants made to other callers while one caller of <paramref name="priority"/>
        /// waited (the holder it found is not counted). 0 for the highest waiting priority.
        /// </summary>
        public int MostOvertaken(BusPriority priority)
        {
            lock (_sync) return _mostOvertaken[Index(priority)];
        }

        /// <summary>Clears the statistics (not the gate's state).</summary>
        public void ResetStatistics()
        {
            lock (_sync)
            {
                for (int p = 0; p < PriorityCount; p++)
                {
                    _grants[p] = 0;
                    _waited[p] = 0;
                    _timeouts[p] = 0;
                    _waitTicks[p] = 0;
                    _longestWaitTicks[p] = 0;
                    _mostOvertaken[p] = 0;
                }
            }
        }

        private static int Index(BusPriority priority)
        {
            int p = (int)priority;
            if (p < 0 || p >= PriorityCount) throw new ArgumentOutOfRangeException("priority");
            return p;
        }
    }
}
