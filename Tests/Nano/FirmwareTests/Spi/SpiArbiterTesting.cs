using System.Threading;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Nano.FirmwareTests.Support;

namespace CoreFirmware.Nano.FirmwareTests.Spi
{
    /// <summary>A waiter count of an arbiter reaching a value (the waiter is queued).</summary>
    public sealed class WaitersReach : ICondition
    {
        private readonly SpiBusArbiter _arbiter;
        private readonly BusPriority _priority;
        private readonly int _count;

        /// <summary>True once <paramref name="count"/> threads wait at <paramref name="priority"/>.</summary>
        public WaitersReach(SpiBusArbiter arbiter, BusPriority priority, int count)
        {
            _arbiter = arbiter;
            _priority = priority;
            _count = count;
        }

        /// <inheritdoc />
        public bool IsMet
        {
            get { return _arbiter.WaitingCount(_priority) == _count; }
        }
    }

    /// <summary>A waiter is queued at a priority, or has already finished.</summary>
    public sealed class QueuedOrDone : ICondition
    {
        private readonly SpiBusArbiter _arbiter;
        private readonly BusPriority _priority;
        private readonly bool[] _done;

        /// <summary>True once one thread waits at <paramref name="priority"/> or <paramref name="done"/>[0] is set.</summary>
        public QueuedOrDone(SpiBusArbiter arbiter, BusPriority priority, bool[] done)
        {
            _arbiter = arbiter;
            _priority = priority;
            _done = done;
        }

        /// <inheritdoc />
        public bool IsMet
        {
            get { return _done[0] || _arbiter.WaitingCount(_priority) == 1; }
        }
    }

    /// <summary>The arbiter is held by someone.</summary>
    public sealed class BusHeld : ICondition
    {
        private readonly SpiBusArbiter _arbiter;

        /// <summary>True once some thread holds <paramref name="arbiter"/>.</summary>
        public BusHeld(SpiBusArbiter arbiter)
        {
            _arbiter = arbiter;
        }

        /// <inheritdoc />
        public bool IsMet
        {
            get { return _arbiter.IsHeld; }
        }
    }

    /// <summary>One waiter of a grant-order test: acquires at its priority, notes its name in the shared order, releases.</summary>
    public sealed class GrantRecorder
    {
        private readonly SpiBusArbiter _arbiter;
        private readonly BusPriority _priority;
        private readonly string _name;
        private readonly string[] _order;
        private readonly object _sync;
        private readonly int[] _next;

        /// <summary>A waiter named <paramref name="name"/> writing into <paramref name="order"/> at <paramref name="next"/>[0] under <paramref name="sync"/>.</summary>
        public GrantRecorder(SpiBusArbiter arbiter, BusPriority priority, string name, string[] order, int[] next, object sync)
        {
            _arbiter = arbiter;
            _priority = priority;
            _name = name;
            _order = order;
            _next = next;
            _sync = sync;
        }

        /// <summary>The thread body.</summary>
        public void Run()
        {
            _arbiter.Acquire(_priority, Waiting.BoundMilliseconds);
            lock (_sync)
            {
                _order[_next[0]++] = _name;
            }

            _arbiter.Release();
        }
    }

    /// <summary>Holds the bus on its own thread until told to let go.</summary>
    public sealed class BusHolder
    {
        private readonly SpiBusArbiter _arbiter;
        private readonly ManualResetEvent _letGo = new ManualResetEvent(false);
        private Worker _worker;

        /// <summary>A holder of <paramref name="arbiter"/> (not yet holding).</summary>
        public BusHolder(SpiBusArbiter arbiter)
        {
            _arbiter = arbiter;
        }

        /// <summary>Starts the thread and returns once it holds the bus.</summary>
        public void Hold()
        {
            _worker = Worker.Start("bus holder", Body);
            Waiting.Until(new BusHeld(_arbiter), "the holder to take the bus");
        }

        /// <summary>Lets go and joins the thread.</summary>
        public void Release()
        {
            _letGo.Set();
            _worker.JoinOrFail();
        }

        private void Body()
        {
            _arbiter.Acquire(BusPriority.UserNetwork, 0);
            _letGo.WaitOne(Waiting.BoundMilliseconds, false);
            _arbiter.Release();
        }
    }
}
