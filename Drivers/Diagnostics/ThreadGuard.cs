using System;
using System.Threading;

namespace CoreFirmware.Drivers.Diagnostics
{
    /// <summary>
    /// The catch-all of one of the firmware's own threads: <see cref="NewThread"/> makes a thread whose
    /// body runs inside a try that reports whatever escapes it to <see cref="Faults"/> under the
    /// thread's name, and then lets the thread end. Without it the same defect ends differently on
    /// the two CLRs: nanoCLR ends only the thread, CoreCLR the whole process.
    /// </summary>
    /// <remarks>
    /// One guard per owner; the owner sets <see cref="Faults"/> before its thread starts (or later:
    /// the log is read when the fault happens). Allocates only in <see cref="NewThread"/>.
    /// </remarks>
    public sealed class ThreadGuard
    {
        private readonly string _threadName;
        private ThreadFaultLog _faults;

        /// <summary>A guard for the thread named <paramref name="threadName"/> in fault reports.</summary>
        public ThreadGuard(string threadName)
        {
            if (threadName == null) throw new ArgumentNullException("threadName");
            _threadName = threadName;
        }

        /// <summary>The name faults are reported under.</summary>
        public string ThreadName
        {
            get { return _threadName; }
        }

        /// <summary>Where a fault is reported (null: <see cref="ThreadFaultLog.Orphans"/>).</summary>
        public ThreadFaultLog Faults
        {
            get { return _faults; }
            set { _faults = value; }
        }

        /// <summary>A new, unstarted thread that runs <paramref name="body"/> inside this guard.</summary>
        public Thread NewThread(ThreadStart body)
        {
            if (body == null) throw new ArgumentNullException("body");
            return new Thread(new GuardedBody(this, body).Run);
        }

        private void Report(Exception e)
        {
            ThreadFaultLog.Report(_faults, _threadName, e);
        }

        // One thread's body with its guard: a delegate to Run is what the thread starts.
        private sealed class GuardedBody
        {
            private readonly ThreadGuard _guard;
            private readonly ThreadStart _body;

            public GuardedBody(ThreadGuard guard, ThreadStart body)
            {
                _guard = guard;
                _body = body;
            }

            public void Run()
            {
                try
                {
                    _body();
                }
                catch (Exception e)
                {
                    _guard.Report(e);
                }
            }
        }
    }
}
