using System;
using System.Threading;

namespace CoreFirmware.Application.App
{
    /// <summary>
    /// The user thread: runs the app's <see cref="IUserApp.Setup"/> once, then
    /// <see cref="IUserApp.Loop"/> until <see cref="Stop"/>. An exception thrown by the app stops
    /// the thread and is kept in <see cref="Fault"/>; it never reaches the system thread. It is a
    /// user-app fault: <see cref="FaultHandler"/> is called with it (on this thread) unless
    /// <see cref="Stop"/> had already been asked for (the board is resetting anyway).
    /// </summary>
    public sealed class UserThread
    {
        private readonly IUserApp _app;
        private readonly UserAppContext _context;
        private readonly ManualResetEvent _stopped = new ManualResetEvent(false);
        private Thread _thread;
        private int _stopRequested; // 0 or 1; nanoFramework has no 'volatile', so Interlocked reads it
        private int _loops;
        private Exception _fault;
        private UserFaultHandler _faultHandler;

        /// <summary>Creates the thread for <paramref name="app"/>; nothing runs until <see cref="Start"/>.</summary>
        public UserThread(IUserApp app, UserAppContext context)
        {
            if (app == null) throw new ArgumentNullException("app");
            if (context == null) throw new ArgumentNullException("context");
            _app = app;
            _context = context;
        }

        /// <summary>Completed <see cref="IUserApp.Loop"/> calls.</summary>
        public int Loops
        {
            get { return _loops; }
        }

        /// <summary>What the app threw, or null.</summary>
        public Exception Fault
        {
            get { return _fault; }
        }

        /// <summary>Called when the app faults (set before <see cref="Start"/>; null: the fault is only kept).</summary>
        public UserFaultHandler FaultHandler
        {
            get { return _faultHandler; }
            set { _faultHandler = value; }
        }

        /// <summary>True while the thread runs.</summary>
        public bool IsRunning
        {
            get { return _thread != null && _thread.IsAlive; }
        }

        /// <summary>Starts Setup and the loop.</summary>
        public void Start()
        {
            if (_thread != null) throw new InvalidOperationException("the user thread was already started");
            _thread = new Thread(Run);
            _thread.Start();
        }

        /// <summary>
        /// Asks the loop to end after the current <see cref="IUserApp.Loop"/> call and waits up to
        /// <paramref name="timeoutMilliseconds"/> for it. Returns true when it ended.
        /// </summary>
        public bool Stop(int timeoutMilliseconds)
        {
            Interlocked.Exchange(ref _stopRequested, 1);
            if (_thread == null) return true;
            return _stopped.WaitOne(timeoutMilliseconds, false);
        }

        private void Run()
        {
            try
            {
                _app.Setup(_context);
                while (Interlocked.CompareExchange(ref _stopRequested, 0, 0) == 0)
                {
                    _app.Loop();
                    _loops++;
                }
            }
            catch (Exception e)
            {
                _fault = e;
                UserFaultHandler handler = _faultHandler;
                if (handler != null && Interlocked.CompareExchange(ref _stopRequested, 0, 0) == 0)
                {
                    try
                    {
                        handler(this, e);
                    }
                    catch (Exception)
                    {
                        // The handler belongs to the board; a failure there must not escape the thread.
                    }
                }
            }
            finally
            {
                _stopped.Set();
            }
        }
    }
}
