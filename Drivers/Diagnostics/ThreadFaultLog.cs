using System;

namespace CoreFirmware.Drivers.Diagnostics
{
    /// <summary>
    /// Exceptions that reached the top of one of the firmware's own threads (the CC3000 event
    /// dispatcher, the cloud link, the status LED and its monitor, the watchdog supervisor, the
    /// deployment watcher, the cloud-call worker). Each of those threads runs its loop inside a
    /// catch-all that reports here. Without it the same defect ends differently on the two CLRs: on
    /// nanoCLR an uncaught exception ends only its thread, on CoreCLR it ends the whole process (the
    /// virtual board's test host with every test in it). With it, the thread ends on both, the fault
    /// is kept, and the <see cref="Listener"/> is told: the system runtime reboots, as a device must
    /// when one of its system threads is gone.
    /// </summary>
    /// <remarks>
    /// Bounded: the first <see cref="Capacity"/> faults are kept (thread name and exception), all are
    /// counted. Reporting allocates nothing but what the exception already holds.
    /// </remarks>
    public sealed class ThreadFaultLog
    {
        /// <summary>Faults kept with their details; later ones are only counted.</summary>
        public const int Capacity = 4;

        // Faults of threads whose owner was given no log: kept too, never lost.
        private static readonly ThreadFaultLog Unowned = new ThreadFaultLog();

        private readonly object _sync = new object();
        private readonly string[] _threads = new string[Capacity];
        private readonly Exception[] _exceptions = new Exception[Capacity];
        private int _count;
        private IThreadFaultListener _listener;

        /// <summary>Where the faults of threads that were given no log go.</summary>
        public static ThreadFaultLog Orphans
        {
            get { return Unowned; }
        }

        /// <summary>Records a fault in <paramref name="log"/>, or in <see cref="Orphans"/> when it is null.</summary>
        public static void Report(ThreadFaultLog log, string thread, Exception exception)
        {
            (log != null ? log : Unowned).Add(thread, exception);
        }

        /// <summary>Told of every fault after it was recorded (null: none).</summary>
        public IThreadFaultListener Listener
        {
            get { lock (_sync) return _listener; }
            set { lock (_sync) _listener = value; }
        }

        /// <summary>Faults recorded so far.</summary>
        public int Count
        {
            get { lock (_sync) return _count; }
        }

        /// <summary>The name of the thread of kept fault <paramref name="index"/> (0 = first).</summary>
        public string ThreadAt(int index)
        {
            lock (_sync)
            {
                CheckIndex(index);
                return _threads[index];
            }
        }

        /// <summary>The exception of kept fault <paramref name="index"/> (0 = first).</summary>
        public Exception ExceptionAt(int index)
        {
            lock (_sync)
            {
                CheckIndex(index);
                return _exceptions[index];
            }
        }

        /// <summary>How many faults are kept with their details (at most <see cref="Capacity"/>).</summary>
        public int Kept
        {
            get { lock (_sync) return _count < Capacity ? _count : Capacity; }
        }

        private void CheckIndex(int index)
        {
            int kept = _count < Capacity ? _count : Capacity;
            if (index < 0 || index >= kept) throw new ArgumentOutOfRangeException("index");
        }

        private void Add(string thread, Exception exception)
        {
            IThreadFaultListener listener;
            lock (_sync)
            {
                if (_count < Capacity)
                {
                    _threads[_count] = thread;
                    _exceptions[_count] = exception;
                }

                _count++;
                listener = _listener;
            }

            if (listener == null) return;
            try
            {
                listener.OnThreadFault(thread, exception);
            }
            catch (Exception)
            {
                // A listener that throws must not turn the catch-all into a crash; the fault is recorded.
            }
        }
    }
}
