using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Spi
{
    /// <summary>
    /// The shared SPI bus's arbiter (Drivers/Spi/SpiBusArbiter) with real threads: priority, then FIFO
    /// within a priority; bounded waits with clear timeouts; misuse refused; one holder at a time.
    /// Every wait is on a state, bounded; nothing asserts on how long anything took.
    /// </summary>
    [TestClass]
    public class SpiBusArbiterTests
    {
        [TestMethod]
        public void AFreeBusIsGrantedAtOnce()
        {
            SpiBusArbiter arbiter = new SpiBusArbiter(new SystemClock());
            Assert.IsTrue(arbiter.TryAcquire(BusPriority.UserNetwork, 0));
            Assert.IsTrue(arbiter.IsHeldByCurrentThread);
            Assert.AreEqual(BusPriority.UserNetwork, arbiter.OwnerPriority);
            arbiter.Release();
            Assert.IsFalse(arbiter.IsHeld);
            Assert.AreEqual(1, arbiter.Grants);
        }

        [TestMethod]
        public void WaitersAreGrantedByPriorityThenArrival()
        {
            string[] names = { "user-1", "system-1", "user-2", "flash-1", "system-2", "flash-2" };
            BusPriority[] priorities =
            {
                BusPriority.UserNetwork, BusPriority.SystemNetwork, BusPriority.UserNetwork,
                BusPriority.Flash, BusPriority.SystemNetwork, BusPriority.Flash,
            };
            string[] order = GrantOrder(names, priorities);
            Assert.AreEqual("flash-1 flash-2 system-1 system-2 user-1 user-2", Join(order));
        }

        [TestMethod]
        public void WaitersOfOnePriorityAreFirstInFirstOut()
        {
            string[] names = { "u1", "u2", "u3", "u4", "u5", "u6", "u7" };
            BusPriority[] priorities = new BusPriority[names.Length];
            for (int i = 0; i < priorities.Length; i++) priorities[i] = BusPriority.UserNetwork;
            Assert.AreEqual("u1 u2 u3 u4 u5 u6 u7", Join(GrantOrder(names, priorities)));
        }

        [TestMethod]
        public void AcquireTimesOutClearlyAndLeavesNoWaiterBehind()
        {
            SpiBusArbiter arbiter = new SpiBusArbiter(new SystemClock());
            BusHolder holder = new BusHolder(arbiter);
            holder.Hold();
            Assert.IsFalse(arbiter.TryAcquire(BusPriority.Flash, 30));
            Exception e = Assert.Throws(typeof(SpiBusTimeoutException), delegate { arbiter.Acquire(BusPriority.SystemNetwork, 30); });
            Assert.Contains("system-network", e.Message);
            Assert.Contains("30 ms", e.Message);
            Assert.IsFalse(arbiter.TryAcquire(BusPriority.UserNetwork, 0), "0 ms: no wait at all");
            Assert.AreEqual(3, arbiter.Timeouts);
            Assert.AreEqual(0, arbiter.WaitingCount(BusPriority.Flash) + arbiter.WaitingCount(BusPriority.SystemNetwork) + arbiter.WaitingCount(BusPriority.UserNetwork));
            holder.Release();
            Assert.IsFalse(arbiter.IsHeld);
            Assert.IsTrue(arbiter.TryAcquire(BusPriority.UserNetwork, 0));
            arbiter.Release();
        }

        [TestMethod]
        public void ATimedOutWaiterDoesNotBlockTheOnesBehindIt()
        {
            SpiBusArbiter arbiter = new SpiBusArbiter(new SystemClock());
            arbiter.Acquire(BusPriority.Flash, 0);
            bool[] granted = new bool[2];
            bool[] done = new bool[1];
            Worker shortWaiter = Worker.Start("short waiter", delegate
            {
                granted[0] = arbiter.TryAcquire(BusPriority.UserNetwork, 1000);
                done[0] = true;
            });
            // Queued, or (on a machine too loaded to see it queued within its second) already timed out.
            Waiting.Until(new QueuedOrDone(arbiter, BusPriority.UserNetwork, done), "the short waiter to queue");
            Worker longWaiter = Worker.Start("long waiter", delegate
            {
                granted[1] = arbiter.TryAcquire(BusPriority.UserNetwork, Waiting.BoundMilliseconds);
                if (granted[1]) arbiter.Release();
            });
            shortWaiter.JoinOrFail();
            Assert.IsFalse(granted[0], "the short waiter timed out");
            arbiter.Release();
            longWaiter.JoinOrFail();
            Assert.IsTrue(granted[1], "the long waiter got the bus after it");
            Assert.IsFalse(arbiter.IsHeld);
        }

        [TestMethod]
        public void MisuseIsRefusedWithClearErrors()
        {
            SpiBusArbiter arbiter = new SpiBusArbiter(new SystemClock());
            Assert.Throws(typeof(InvalidOperationException), delegate { arbiter.Release(); });
            Assert.Throws(typeof(ArgumentOutOfRangeException), delegate { arbiter.TryAcquire(BusPriority.Flash, -1); });
            Assert.Throws(typeof(ArgumentOutOfRangeException), delegate { arbiter.TryAcquire((BusPriority)3, 0); });
            arbiter.Acquire(BusPriority.Flash, 0);
            Exception nested = Assert.Throws(typeof(InvalidOperationException), delegate { arbiter.Acquire(BusPriority.Flash, 0); });
            Assert.Contains("do not nest", nested.Message);
            Exception[] fromOther = new Exception[1];
            Worker other = Worker.Start("other", delegate
            {
                try
                {
                    arbiter.Release();
                }
                catch (Exception e)
                {
                    fromOther[0] = e;
                }
            });
            other.JoinOrFail();
            Assert.IsTrue(fromOther[0] is InvalidOperationException, "a thread that does not hold the bus cannot release it");
            Assert.IsTrue(arbiter.IsHeldByCurrentThread);
            arbiter.Release();
        }

        [TestMethod]
        public void AWaiterBeyondThePoolIsRefused()
        {
            SpiBusArbiter arbiter = new SpiBusArbiter(new SystemClock(), SpiBusArbiter.DefaultMaxHoldMilliseconds, 1);
            arbiter.Acquire(BusPriority.Flash, 0);
            Worker first = Worker.Start("first", delegate
            {
                if (arbiter.TryAcquire(BusPriority.UserNetwork, Waiting.BoundMilliseconds)) arbiter.Release();
            });
            Waiting.Until(new WaitersReach(arbiter, BusPriority.UserNetwork, 1), "the first waiter to queue");
            Exception[] second = new Exception[1];
            Worker t = Worker.Start("second", delegate
            {
                try
                {
                    arbiter.TryAcquire(BusPriority.UserNetwork, 1000);
                }
                catch (Exception e)
                {
                    second[0] = e;
                }
            });
            t.JoinOrFail();
            Assert.IsTrue(second[0] is InvalidOperationException, "the pool of one waiter is full");
            arbiter.Release();
            first.JoinOrFail();
        }

        [TestMethod]
        public void HoldingPastTheBoundIsCountedAndVisibleToTheHolder()
        {
            ManualClock clock = new ManualClock();
            SpiBusArbiter arbiter = new SpiBusArbiter(clock, 10, 4);
            arbiter.Acquire(BusPriority.Flash, 0);
            Assert.AreEqual(10, arbiter.RemainingHoldMilliseconds);
            clock.Advance(40);
            Assert.AreEqual(-30, arbiter.RemainingHoldMilliseconds);
            arbiter.Release();
            Assert.AreEqual(1, arbiter.HoldOverruns);
            Assert.AreEqual(40 * TimeSpan.TicksPerMillisecond, arbiter.LongestHoldTicks);
            arbiter.Acquire(BusPriority.Flash, 0);
            clock.Advance(10);
            arbiter.Release();
            Assert.AreEqual(1, arbiter.HoldOverruns, "exactly the bound is no overrun");
        }

        [TestMethod]
        public void OnlyOneHolderAtATimeUnderContention()
        {
            SpiBusArbiter arbiter = new SpiBusArbiter(new SystemClock());
            int[] counters = new int[3]; // inside, most inside at once, grants
            Worker[] workers = new Worker[4];
            int[] progress = new int[workers.Length];
            for (int w = 0; w < workers.Length; w++)
            {
                BusPriority priority = (BusPriority)(w % 3);
                int me = w;
                workers[w] = Worker.Start("contender " + w.ToString(), delegate
                {
                    for (int n = 0; n < 100; n++)
                    {
                        arbiter.Acquire(priority, 20000);
                        int now = Interlocked.Increment(ref counters[0]);
                        if (now > counters[1]) counters[1] = now;
                        Interlocked.Increment(ref counters[2]);
                        Interlocked.Decrement(ref counters[0]);
                        arbiter.Release();
                        progress[me] = n + 1;
                    }
                });
            }

            for (int w = 0; w < workers.Length; w++)
            {
                if (!workers[w].Join(Worker.JoinBoundMilliseconds))
                {
                    Assert.Fail("contender " + w.ToString() + " did not finish; acquires done per contender: " + progress[0].ToString() + " "
                        + progress[1].ToString() + " " + progress[2].ToString() + " " + progress[3].ToString() + "; bus held: " + arbiter.IsHeld.ToString()
                        + "; waiting: " + arbiter.WaitingCount(BusPriority.Flash).ToString() + "/" + arbiter.WaitingCount(BusPriority.SystemNetwork).ToString()
                        + "/" + arbiter.WaitingCount(BusPriority.UserNetwork).ToString() + "; timeouts: " + arbiter.Timeouts.ToString());
                }

                workers[w].JoinOrFail();
            }

            Assert.AreEqual(1, counters[1], "most holders at once");
            Assert.AreEqual(400, counters[2]);
            Assert.AreEqual(0, arbiter.Timeouts);
            Assert.IsFalse(arbiter.IsHeld);
        }

        // The test thread holds the bus, queues one waiter per name in order (each seen queued before
        // the next starts), releases, and returns the order of the grants.
        private static string[] GrantOrder(string[] names, BusPriority[] priorities)
        {
            SpiBusArbiter arbiter = new SpiBusArbiter(new SystemClock());
            string[] order = new string[names.Length];
            int[] next = new int[1];
            object sync = new object();
            arbiter.Acquire(BusPriority.Flash, 0);
            Worker[] workers = new Worker[names.Length];
            for (int i = 0; i < names.Length; i++)
            {
                int before = arbiter.WaitingCount(priorities[i]);
                GrantRecorder recorder = new GrantRecorder(arbiter, priorities[i], names[i], order, next, sync);
                workers[i] = Worker.Start(names[i], recorder.Run);
                Waiting.Until(new WaitersReach(arbiter, priorities[i], before + 1), names[i] + " to queue");
            }

            arbiter.Release();
            for (int i = 0; i < workers.Length; i++) workers[i].JoinOrFail();
            Assert.IsFalse(arbiter.IsHeld);
            return order;
        }

        private static string Join(string[] parts)
        {
            string s = "";
            for (int i = 0; i < parts.Length; i++) s += (i == 0 ? "" : " ") + parts[i];
            return s;
        }
    }
}
