using System;
using System.Threading;

namespace CoreFirmware.Drivers.Spi
{
    /// <summary>
    /// The waiting room shared by <see cref="SpiBusArbiter"/> and the CC3000 command gate: a fixed
    /// pool of waiter slots, each with its own event created up front, and one FIFO list per
    /// priority. The owner of the resource guards every call with its own lock; the queue only
    /// keeps the order, so queueing, granting and leaving allocate nothing.
    /// </summary>
    internal sealed class PriorityWaiterQueue
    {
        /// <summary>No slot.</summary>
        public const int None = -1;

        private readonly string _resource;
        private readonly AutoResetEvent[] _event;
        private readonly Thread[] _thread;
        private readonly int[] _next;
        private readonly bool[] _granted;
        private readonly bool[] _inUse;
        private readonly int[] _head;
        private readonly int[] _tail;

        /// <summary>Creates room for <paramref name="maxWaiters"/> waiters in <paramref name="priorities"/> classes;
        /// <paramref name="resource"/> names what they wait for in errors.</summary>
        public PriorityWaiterQueue(string resource, int priorities, int maxWaiters)
        {
            if (priorities <= 0) throw new ArgumentOutOfRangeException("priorities");
            if (maxWaiters <= 0) throw new ArgumentOutOfRangeException("maxWaiters");
            _resource = resource;
            _event = new AutoResetEvent[maxWaiters];
            _thread = new Thread[maxWaiters];
            _next = new int[maxWaiters];
            _granted = new bool[maxWaiters];
            _inUse = new bool[maxWaiters];
            _head = new int[priorities];
            _tail = new int[priorities];
            for (int i = 0; i < maxWaiters; i++) _event[i] = new AutoResetEvent(false);
            for (int p = 0; p < priorities; p++)
            {
                _head[p] = None;
                _tail[p] = None;
            }
        }

        /// <summary>Number of slots.</summary>
        public int Capacity
        {
            get { return _inUse.Length; }
        }

        /// <summary>Puts <paramref name="thread"/> at the end of <paramref name="priority"/>'s list; returns its slot.</summary>
        public int Enqueue(int priority, Thread thread)
        {
            int slot = None;
            for (int i = 0; i < _inUse.Length; i++)
            {
                if (!_inUse[i])
                {
                    slot = i;
                    break;
                }
            }
            if (slot == None)
            {
                throw new InvalidOperationException("more than " + _inUse.Length.ToString() + " threads wait for the " + _resource + " at once");
            }
            _inUse[slot] = true;
            _thread[slot] = thread;
            _granted[slot] = false;
            _next[slot] = None;
            _event[slot].Reset();
            if (_tail[priority] == None) _head[priority] = slot;
            else _next[_tail[priority]] = slot;
            _tail[priority] = slot;
            return slot;
        }

        /// <summary>Takes the first waiter of the highest non-empty priority off its list (0 is highest);
        /// returns its slot, or <see cref="None"/>, and that priority.</summary>
        public int DequeueFirst(out int priority)
        {
            for (int p = 0; p < _head.Length; p++)
            {
                int slot = _head[p];
                if (slot == None) continue;
                _head[p] = _next[slot];
                if (_head[p] == None) _tail[p] = None;
                priority = p;
                return slot;
            }
            priority = None;
            return None;
        }

        /// <summary>Removes a waiter that gave up from <paramref name="priority"/>'s list.</summary>
        public void Unlink(int priority, int slot)
        {
            int prev = None;
            for (int s = _head[priority]; s != None; prev = s, s = _next[s])
            {
                if (s != slot) continue;
                if (prev == None) _head[priority] = _next[s];
                else _next[prev] = _next[s];
                if (_tail[priority] == s) _tail[priority] = prev;
                return;
            }
        }

        /// <summary>Marks the dequeued waiter in <paramref name="slot"/> as granted and wakes it.</summary>
        public void Grant(int slot)
        {
            _granted[slot] = true;
            _event[slot].Set();
        }

        /// <summary>True once <see cref="Grant"/> was called for the waiter in <paramref name="slot"/>.</summary>
        public bool IsGranted(int slot)
        {
            return _granted[slot];
        }

        /// <summary>The thread waiting in <paramref name="slot"/>.</summary>
        public Thread ThreadOf(int slot)
        {
            return _thread[slot];
        }

        /// <summary>Frees <paramref name="slot"/> after its waiter left (granted or not).</summary>
        public void Free(int slot)
        {
            _thread[slot] = null;
            _inUse[slot] = false;
        }

        /// <summary>Blocks the waiter (outside the owner's lock) until woken or <paramref name="timeoutMilliseconds"/>.</summary>
        public void Wait(int slot, int timeoutMilliseconds)
        {
            _event[slot].WaitOne(timeoutMilliseconds, false);
        }

        /// <summary>Wakes every waiter not yet granted, without granting anything.</summary>
        public void WakeAll()
        {
            for (int i = 0; i < _inUse.Length; i++)
            {
                if (_inUse[i] && !_granted[i]) _event[i].Set();
            }
        }

        /// <summary>Number of waiters at <paramref name="priority"/>.</summary>
        public int Count(int priority)
        {
            int n = 0;
            for (int s = _head[priority]; s != None; s = _next[s]) n++;
            return n;
        }
    }
}
