using CoreFirmware.Drivers.Spi;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Spi;

public class SpiBusArbiterTests
{
    private static SpiBusArbiter NewArbiter(int maxHoldMs = SpiBusArbiter.DefaultMaxHoldMilliseconds, int maxWaiters = 16)
        => new(new VirtualClock(), maxHoldMs, maxWaiters);

    [Fact]
    public void FreeBusIsGrantedAtOnce()
    {
        var arbiter = NewArbiter();
        Assert.True(arbiter.TryAcquire(BusPriority.UserNetwork, 0));
        Assert.True(arbiter.IsHeldByCurrentThread);
        arbiter.Release();
        Assert.False(arbiter.IsHeld);
    }

    /// <summary>Queues one waiter per entry, in order, while the test thread holds the bus; then
    /// releases and returns the order in which the waiters were granted.</summary>
    private static List<string> GrantOrder(SpiBusArbiter arbiter, params (string Name, BusPriority Priority)[] waiters)
    {
        var order = new List<string>();
        arbiter.Acquire(BusPriority.Flash, 1000);
        var threads = new List<TestThread>();
        foreach (var (name, priority) in waiters)
        {
            int before = arbiter.WaitingCount(priority);
            var t = TestThread.Start(name, () =>
            {
                arbiter.Acquire(priority, 10_000);
                lock (order) order.Add(name);
                arbiter.Release();
            });
            threads.Add(t);
            // Wait until this waiter is queued, so arrival order is what the test says it is.
            Assert.True(SpinWait.SpinUntil(() => arbiter.WaitingCount(priority) == before + 1, 10_000));
        }
        arbiter.Release();
        foreach (var t in threads) Assert.True(t.Join(10_000));
        return order;
    }

    [Fact]
    public void WaitersAreGrantedByPriorityThenArrival()
    {
        var arbiter = NewArbiter();
        var order = GrantOrder(arbiter,
            ("user-1", BusPriority.UserNetwork),
            ("system-1", BusPriority.SystemNetwork),
            ("user-2", BusPriority.UserNetwork),
            ("flash-1", BusPriority.Flash),
            ("system-2", BusPriority.SystemNetwork),
            ("flash-2", BusPriority.Flash));
        Assert.Equal(new[] { "flash-1", "flash-2", "system-1", "system-2", "user-1", "user-2" }, order);
    }

    [Fact]
    public void WaitersOfOneClassAreFirstInFirstOut()
    {
        var arbiter = NewArbiter();
        var names = Enumerable.Range(1, 8).Select(i => ($"user-{i}", BusPriority.UserNetwork)).ToArray();
        var order = GrantOrder(arbiter, names);
        Assert.Equal(names.Select(n => n.Item1), order);
    }

    [Fact]
    public void AcquireTimesOutClearlyAndLeavesNoWaiterBehind()
    {
        var arbiter = NewArbiter();
        // The holder keeps the bus until the test is done with its timed-out attempts (not for a fixed
        // time: a loaded machine could let a fixed hold end in the middle of them).
        using var release = new ManualResetEventSlim();
        var holder = TestThread.Start("holder", () => { arbiter.Acquire(BusPriority.UserNetwork, 0); release.Wait(30_000); arbiter.Release(); });
        Assert.True(SpinWait.SpinUntil(() => arbiter.IsHeld, 5000));

        Assert.False(arbiter.TryAcquire(BusPriority.Flash, 30));
        var ex = Assert.Throws<SpiBusTimeoutException>(() => arbiter.Acquire(BusPriority.SystemNetwork, 30));
        Assert.Contains("system-network", ex.Message);
        Assert.Contains("30 ms", ex.Message);
        Assert.False(arbiter.TryAcquire(BusPriority.UserNetwork, 0));
        Assert.Equal(3, arbiter.Timeouts);
        Assert.Equal(0, arbiter.WaitingCount(BusPriority.Flash) + arbiter.WaitingCount(BusPriority.SystemNetwork));

        release.Set();
        holder.JoinOrFail(TimeSpan.FromSeconds(10));
        Assert.False(arbiter.IsHeld);
        Assert.True(arbiter.TryAcquire(BusPriority.UserNetwork, 0));
        arbiter.Release();
    }

    [Fact]
    public void ATimedOutWaiterDoesNotBlockTheOnesBehindIt()
    {
        var arbiter = NewArbiter();
        arbiter.Acquire(BusPriority.Flash, 0);
        bool shortWaiterGranted = true, longWaiterGranted = false;
        var shortWaiter = TestThread.Start("short waiter", () => { shortWaiterGranted = arbiter.TryAcquire(BusPriority.UserNetwork, 50); });
        Assert.True(SpinWait.SpinUntil(() => arbiter.WaitingCount(BusPriority.UserNetwork) == 1, 5000));
        var longWaiter = TestThread.Start("long waiter", () => { longWaiterGranted = arbiter.TryAcquire(BusPriority.UserNetwork, 10_000); if (longWaiterGranted) arbiter.Release(); });
        Assert.True(shortWaiter.Join(10_000));
        Assert.False(shortWaiterGranted);
        arbiter.Release();
        Assert.True(longWaiter.Join(10_000));
        Assert.True(longWaiterGranted);
        Assert.False(arbiter.IsHeld);
    }

    [Fact]
    public void MisuseIsRefusedWithClearErrors()
    {
        var arbiter = NewArbiter();
        Assert.Throws<InvalidOperationException>(() => arbiter.Release());
        Assert.Throws<ArgumentOutOfRangeException>(() => arbiter.TryAcquire(BusPriority.Flash, -1));
        arbiter.Acquire(BusPriority.Flash, 0);
        var nested = Assert.Throws<InvalidOperationException>(() => arbiter.Acquire(BusPriority.Flash, 0));
        Assert.Contains("do not nest", nested.Message);
        Exception? fromOther = null;
        var other = TestThread.Start("other", () => { try { arbiter.Release(); } catch (Exception e) { fromOther = e; } });
        other.JoinOrFail(TimeSpan.FromSeconds(10));
        Assert.IsType<InvalidOperationException>(fromOther);
        Assert.True(arbiter.IsHeldByCurrentThread);
        arbiter.Release();
    }

    [Fact]
    public void AWaiterBeyondThePoolIsRefused()
    {
        var arbiter = NewArbiter(maxWaiters: 1);
        arbiter.Acquire(BusPriority.Flash, 0);
        var first = TestThread.Start("first", () => { if (arbiter.TryAcquire(BusPriority.UserNetwork, 10_000)) arbiter.Release(); });
        Assert.True(SpinWait.SpinUntil(() => arbiter.WaitingCount(BusPriority.UserNetwork) == 1, 5000));
        Exception? second = null;
        var t = TestThread.Start("second", () => { try { arbiter.TryAcquire(BusPriority.UserNetwork, 1000); } catch (Exception e) { second = e; } });
        t.JoinOrFail(TimeSpan.FromSeconds(10));
        Assert.IsType<InvalidOperationException>(second);
        arbiter.Release();
        first.JoinOrFail(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void HoldingPastTheBoundIsCountedAndVisibleToTheHolder()
    {
        var arbiter = NewArbiter(maxHoldMs: 10);
        arbiter.Acquire(BusPriority.Flash, 0);
        Assert.True(arbiter.RemainingHoldMilliseconds <= 10);
        Thread.Sleep(40); // at least 40 ms: past a 10 ms bound whatever the scheduler does
        Assert.True(arbiter.RemainingHoldMilliseconds < 0);
        arbiter.Release();
        Assert.Equal(1, arbiter.HoldOverruns);
        Assert.True(arbiter.LongestHoldTicks >= TimeSpan.FromMilliseconds(40).Ticks);
    }

    [Fact]
    public void OnlyOneHolderAtATimeUnderContention()
    {
        var arbiter = NewArbiter();
        int inside = 0, maxInside = 0, grants = 0;
        var threads = Enumerable.Range(0, 6).Select(i => TestThread.Start($"contender {i}", () =>
        {
            var priority = (BusPriority)(i % 3);
            for (int n = 0; n < 2000; n++)
            {
                arbiter.Acquire(priority, 30_000);
                int now = Interlocked.Increment(ref inside);
                if (now > Volatile.Read(ref maxInside)) Volatile.Write(ref maxInside, now);
                Interlocked.Increment(ref grants);
                Interlocked.Decrement(ref inside);
                arbiter.Release();
            }
        })).ToList();
        threads.ForEach(t => Assert.True(t.Join(60_000), t.Name + " did not finish"));
        Assert.Equal(1, maxInside);
        Assert.Equal(12_000, grants);
        Assert.Equal(0, arbiter.Timeouts);
        Assert.False(arbiter.IsHeld);
    }

    [Fact]
    public void AcquireAndReleaseAllocateNothing()
    {
        var arbiter = NewArbiter();
        for (int i = 0; i < 1000; i++) { arbiter.Acquire(BusPriority.UserNetwork, 0); _ = arbiter.RemainingHoldMilliseconds; arbiter.Release(); }

        long uncontended = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 100_000; i++) { arbiter.Acquire(BusPriority.UserNetwork, 0); _ = arbiter.RemainingHoldMilliseconds; arbiter.Release(); }
        });
        Assert.Equal(0, uncontended);

        // Contended: two threads hand the bus back and forth, so every acquire queues and waits.
        long contended = -1;
        var stop = new ManualResetEventSlim();
        var rival = TestThread.Start("rival", () =>
        {
            while (!stop.IsSet) { if (arbiter.TryAcquire(BusPriority.Flash, 100)) { Thread.SpinWait(50); arbiter.Release(); } }
        });
        var measured = TestThread.Start("measured", () =>
        {
            for (int i = 0; i < 200; i++) { arbiter.Acquire(BusPriority.UserNetwork, 10_000); arbiter.Release(); }
            contended = Allocations.SteadyState(() =>
            {
                for (int i = 0; i < 5000; i++) { arbiter.Acquire(BusPriority.UserNetwork, 10_000); Thread.SpinWait(50); arbiter.Release(); }
            });
        });
        Assert.True(measured.Join(60_000), "the measured thread did not finish");
        stop.Set();
        rival.JoinOrFail(TimeSpan.FromSeconds(10));
        Assert.Equal(0, contended);
    }
}
