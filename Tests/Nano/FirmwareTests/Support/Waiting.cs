using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>A condition another thread makes true; polled with a bound, never a fixed sleep.</summary>
    public interface ICondition
    {
        /// <summary>True once the awaited state is reached.</summary>
        bool IsMet { get; }
    }

    /// <summary>Waits for conditions with a bound (a loaded machine can be slow; a hang must still end).</summary>
    public static class Waiting
    {
        /// <summary>The bound: far above what any wait here needs.</summary>
        public const int BoundMilliseconds = 30000;

        private static readonly SystemClock Clock = new SystemClock();

        /// <summary>Polls <paramref name="condition"/> every few milliseconds; fails the test naming <paramref name="what"/> after the bound.</summary>
        public static void Until(ICondition condition, string what)
        {
            long deadline = Clock.UptimeMilliseconds + BoundMilliseconds;
            while (!condition.IsMet)
            {
                if (Clock.UptimeMilliseconds > deadline) Assert.Fail("waited " + BoundMilliseconds.ToString() + " ms for " + what);
                Thread.Sleep(2);
            }
        }
    }
}
