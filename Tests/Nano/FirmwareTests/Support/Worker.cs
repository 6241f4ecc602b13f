using System;
using System.Threading;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// A real thread for a test (nanoCLR's scheduler on nanoCLR): what it throws is kept and reported
    /// by <see cref="JoinOrFail"/>, so a failed check on the worker fails the test instead of the runtime.
    /// </summary>
    public sealed class Worker
    {
        /// <summary>Bound on joining a worker that has no reason to block: generous for a loaded machine.</summary>
        public const int JoinBoundMilliseconds = 60000;

        private readonly string _name;
        private readonly ThreadStart _body;
        private readonly Thread _thread;
        private Exception _failure;

        private Worker(string name, ThreadStart body)
        {
            _name = name;
            _body = body;
            _thread = new Thread(Run);
        }

        /// <summary>Starts <paramref name="body"/> on a new thread called <paramref name="name"/> (for messages).</summary>
        public static Worker Start(string name, ThreadStart body)
        {
            Worker w = new Worker(name, body);
            w._thread.Start();
            return w;
        }

        /// <summary>What the body threw, or null.</summary>
        public Exception Failure
        {
            get { return _failure; }
        }

        /// <summary>True when the thread ended within <paramref name="milliseconds"/>.</summary>
        public bool Join(int milliseconds)
        {
            return _thread.Join(milliseconds);
        }

        /// <summary>Fails the test unless the thread ends within <see cref="JoinBoundMilliseconds"/> without an exception.</summary>
        public void JoinOrFail()
        {
            Assert.IsTrue(_thread.Join(JoinBoundMilliseconds), _name + " did not finish within " + JoinBoundMilliseconds.ToString() + " ms");
            if (_failure != null)
            {
                Assert.Fail(_name + " failed: " + _failure.GetType().FullName + ": " + _failure.Message);
            }
        }

        private void Run()
        {
            try
            {
                _body();
            }
            catch (Exception e)
            {
                _failure = e;
            }
        }
    }
}
