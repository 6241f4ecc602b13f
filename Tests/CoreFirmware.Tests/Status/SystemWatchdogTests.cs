using CoreFirmware.Ota.Status;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Status;

[Trait("Category", "Status")]
[Collection(IsolatedCollection.Name)] // timing margins of a few hundred ms: run alone, not beside 600 parallel tests
public sealed class SystemWatchdogTests
{
    // Short but generous test timeouts: the supervisor feeds every 50 ms, the hardware gives it
    // 1 s (20 feed periods, room for a noisy shared machine), a checkin gap of 400 ms is a stall.
    private const int CheckinTimeoutMs = 400;
    private const int HardwareTimeoutMs = 1000;
    private const int FeedPeriodMs = 50;
    private static readonly TimeSpan ExpiryBound = TimeSpan.FromSeconds(15);

    [Fact]
    public void Virtual_watchdog_expires_when_not_fed_and_not_while_fed()
    {
        using var wd = new VirtualWatchdog();
        using var expired = new ManualResetEventSlim();
        wd.Expired += (_, _) => expired.Set();
        Assert.False(wd.IsRunning);

        wd.Start(500);
        wd.Start(50_000);   // ignored, as on the IWDG
        Assert.True(wd.IsRunning);
        Assert.Equal(500, wd.TimeoutMilliseconds);
        for (int i = 0; i < 100; i++)
        {
            wd.Feed();
            Thread.Sleep(10);
        }

        // Fed every ~10 ms against a 500 ms timeout for about 1 s: no expiry (unless the host
        // froze this thread for ~half a second).
        Assert.False(expired.IsSet, "expired while fed");
        Assert.Equal(100, wd.FeedCount);
        Assert.True(expired.Wait(ExpiryBound), "watchdog never expired without feeding");
        Assert.Equal(1, wd.ExpiryCount);
        Assert.True(wd.HasExpired);

        wd.ResetByBoard(causedByWatchdog: true);
        Assert.False(wd.IsRunning);
        Assert.True(wd.LastResetWasWatchdog);
    }

    [Fact]
    public void Board_reset_from_the_expired_handler_records_a_watchdog_reset()
    {
        using var wd = new VirtualWatchdog();
        using var reset = new ManualResetEventSlim();
        wd.Expired += (_, _) => { wd.ResetByBoard(causedByWatchdog: true); reset.Set(); };
        wd.Start(50);
        Assert.True(reset.Wait(ExpiryBound));
        Assert.True(wd.LastResetWasWatchdog);
        Assert.False(wd.IsRunning);

        wd.Start(50);   // the rebooted firmware starts it again
        Assert.True(wd.IsRunning);
        wd.ResetByBoard(causedByWatchdog: false);
        Assert.False(wd.LastResetWasWatchdog);
    }

    [Fact]
    public void Checkins_keep_the_board_alive_and_a_stalled_system_thread_makes_it_expire()
    {
        using var hw = new VirtualWatchdog();
        using var expired = new ManualResetEventSlim();
        hw.Expired += (_, _) => expired.Set();
        var watchdog = new SystemWatchdog(hw, new VirtualClock(), CheckinTimeoutMs, HardwareTimeoutMs, FeedPeriodMs);

        using var stall = new ManualResetEventSlim();
        using var stalled = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int loops = 0;
        var system = TestThread.Start("system (test)", () =>
        {
            while (true)
            {
                if (stall.IsSet)
                {
                    stalled.Set();
                    release.Wait(TimeSpan.FromSeconds(30));   // the injected stall (bounded)
                    return;
                }

                watchdog.Checkin();
                Interlocked.Increment(ref loops);
                Thread.Sleep(5);
            }
        });

        watchdog.Start();
        try
        {
            // Healthy phase: ~1.5 s of checkins, i.e. more than the checkin and hardware timeouts
            // together; the watchdog must not expire and must be fed.
            for (int i = 0; i < 30; i++)
            {
                Thread.Sleep(50);
                Assert.False(expired.IsSet, "watchdog expired while the system thread checked in");
            }

            Assert.True(hw.IsRunning);
            Assert.Equal(HardwareTimeoutMs, hw.TimeoutMilliseconds);
            Assert.True(hw.FeedCount > 1);
            Assert.True(Volatile.Read(ref loops) > 1);
            Assert.False(watchdog.IsStarving);

            // Stall the system thread: feeding stops, the hardware watchdog expires.
            stall.Set();
            Assert.True(stalled.Wait(ExpiryBound));
            // Compared once the thread stands still (while it runs, a checkin can fall between the two reads).
            Assert.Equal(Volatile.Read(ref loops), watchdog.Checkins);
            Assert.True(expired.Wait(ExpiryBound), "stalled system thread did not make the watchdog expire");
            Assert.True(watchdog.IsStarving);
            Assert.Equal(1, hw.ExpiryCount);
        }
        finally
        {
            release.Set();
            Assert.True(watchdog.Stop(5000));
            Assert.True(system.Join(5000));
        }
    }

    [Fact]
    public void Defaults_are_consistent()
    {
        Assert.True(SystemWatchdog.DefaultFeedPeriodMilliseconds * 5 < SystemWatchdog.DefaultHardwareTimeoutMilliseconds);
        // Longer than the longest single bounded step between two checkins (a socket call bounded by
        // the connect timeout, a network start step at boot), with margin.
        var settings = new CoreFirmware.Ota.Cloud.CloudLinkSettings();
        int longestStep = Math.Max(settings.ConnectTimeoutMilliseconds, CoreFirmware.Ota.Runtime.SystemRuntime.NetworkStartTimeoutMilliseconds);
        longestStep = Math.Max(longestStep, settings.SendTimeoutMilliseconds);
        Assert.True(SystemWatchdog.DefaultCheckinTimeoutMilliseconds >= longestStep * 5 / 4);
        var w = new SystemWatchdog(new VirtualWatchdog(), new VirtualClock());
        Assert.Equal(SystemWatchdog.DefaultHardwareTimeoutMilliseconds, w.HardwareTimeoutMilliseconds);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SystemWatchdog(new VirtualWatchdog(), new VirtualClock(), 100, 100, 100));
    }

    [Fact]
    public void A_reported_fault_stops_the_feeding_although_checkins_continue()
    {
        using var hw = new VirtualWatchdog();
        using var expired = new ManualResetEventSlim();
        hw.Expired += (_, _) => expired.Set();
        var watchdog = new SystemWatchdog(hw, new VirtualClock(), CheckinTimeoutMs, HardwareTimeoutMs, FeedPeriodMs);
        using var stop = new ManualResetEventSlim();
        var system = TestThread.Start("system (test)", () =>
        {
            while (!stop.IsSet)
            {
                watchdog.Checkin();
                Thread.Sleep(10);
            }
        });
        watchdog.Start();
        try
        {
            // Fed while healthy: some feeds counted, no expiry yet.
            long end = Environment.TickCount64 + 15_000;
            while (hw.FeedCount < 5 && Environment.TickCount64 < end) Thread.Sleep(10);
            Assert.True(hw.FeedCount >= 5);
            Assert.False(watchdog.IsFaulted);

            watchdog.ReportFault();
            Assert.True(watchdog.IsFaulted);
            Assert.True(expired.Wait(ExpiryBound), "the hardware watchdog did not expire after a fault");
            Assert.True(watchdog.IsStarving);
        }
        finally
        {
            stop.Set();
            Assert.True(watchdog.Stop(5000));
            Assert.True(system.Join(5000));
        }
    }
}
