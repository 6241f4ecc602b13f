using CoreFirmware.Application.App;
using CoreFirmware.Cloud;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.Ota.Status;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Runner;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>
/// The hardware watchdog on the virtual board, end to end: a stalled system thread and a crashed user
/// app both end in a watchdog reset and a device that is back on the cloud; without the watchdog the
/// same stall leaves the device unreachable. Short firmware timeouts (checkin 2.5 s, hardware 1-2 s);
/// every wait is an outcome with a generous bound, never a measured duration.
/// </summary>
[Trait("Category", "EndToEnd")]
[Trait("Category", "Watchdog")]
[Collection(IsolatedCollection.Name)]
public class WatchdogTests
{
    // Longer than any wait below put together: the stall cannot simply end on its own during a test.
    private const int StallMs = 120_000;

    // Bound on the reset after a stall/fault. Expected: checkin 2.5 s + feed 0.1 s + hardware 1 s.
    private const int ResetBoundMs = 20_000;

    private readonly ITestOutputHelper _out;

    public WatchdogTests(ITestOutputHelper output) => _out = output;

    private static VirtualCoreOptions ShortWatchdog(bool enabled = true, int hardwareMs = 1000,
        Func<INetworkSockets, INetworkSockets>? systemSockets = null) => new()
    {
        SystemSockets = systemSockets,
        WatchdogEnabled = enabled,
        WatchdogCheckinTimeoutMilliseconds = 2500,
        WatchdogHardwareTimeoutMilliseconds = hardwareMs,
        WatchdogFeedPeriodMilliseconds = 100,
    };

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task AStalledSystemThreadIsResetByTheWatchdogAndTheDeviceReconnects()
    {
        StallingSockets? view = null;
        await using EndToEndRig rig = await EndToEndRig.StartAsync(_ => new IdleApp(), ShortWatchdog(systemSockets: inner => view = new StallingSockets(inner)));
        StallingSockets stalling = view!; // the first boot's: the stall happens there
        SystemRuntime first = rig.Core.Runtime!;
        Assert.NotNull(first.Watchdog);
        Assert.False(first.LastResetWasWatchdog);
        Assert.True(rig.Board.Watchdog.IsRunning);
        int boots = rig.Core.Boots;
        int sessions = first.Cloud.Sessions;

        stalling.StallNextReceive(StallMs);
        // A board's reset ends every thread: the stuck call is let go once the watchdog has fired.
        EndToEndRig.WaitUntil(() => rig.Board.Watchdog.ExpiryCount == 1, () => $"the watchdog to fire (stalled {stalling.IsStalled})", ResetBoundMs);
        stalling.Release();
        EndToEndRig.WaitUntil(() => rig.Core.WatchdogResets == 1 && rig.Core.Boots == boots + 1 && rig.Core.Runtime != null,
            () => $"the watchdog reset (resets {rig.Core.WatchdogResets}, boots {rig.Core.Boots}, expiries {rig.Board.Watchdog.ExpiryCount})", ResetBoundMs);

        SystemRuntime second = rig.Core.Runtime!;
        Assert.NotSame(first, second);
        Assert.True(second.LastResetWasWatchdog, "the next boot must read the watchdog as the reset cause");
        Assert.Equal(VirtualCore.WatchdogRebootReason, rig.Core.LastRebootReason);
        Assert.True(first.Watchdog!.IsStarving, "the supervisor stopped feeding because checkins stopped");
        Assert.Equal(1, rig.Board.Watchdog.ExpiryCount);

        // Back on the cloud with a new session, long before the injected stall would have ended.
        rig.WaitForCloudLink(20_000);
        Assert.True(second.Cloud.Sessions >= 1);
        Assert.Equal(sessions, first.Cloud.Sessions);
        Assert.Equal(0, rig.Core.StuckUserThreads);
        Assert.Equal(0, rig.Board.Bus.ViolationCount);
        _out.WriteLine($"reboots: {string.Join(", ", rig.Core.RebootHistory.Select(r => r.Reason))}");
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task WithoutTheWatchdogTheSameStallLeavesTheDeviceUnreachable()
    {
        StallingSockets? view = null;
        await using EndToEndRig rig = await EndToEndRig.StartAsync(_ => new IdleApp(),
            ShortWatchdog(enabled: false, systemSockets: inner => view = new StallingSockets(inner)));
        StallingSockets stalling = view!;
        SystemRuntime runtime = rig.Core.Runtime!;
        Assert.Null(runtime.Watchdog);
        Assert.False(rig.Board.Watchdog.IsRunning);
        int boots = rig.Core.Boots;

        stalling.StallNextReceive(StallMs);
        try
        {
            await RemainsUnreachable(rig, runtime, stalling, boots);
        }
        finally
        {
            stalling.Release(); // the rig's shutdown then finds the link thread free
        }
    }

    private async Task RemainsUnreachable(EndToEndRig rig, SystemRuntime runtime, StallingSockets stalling, int boots)
    {
        // The loop enters the stall within one receive slice (100 ms).
        EndToEndRig.WaitUntil(() => stalling.IsStalled, () => "the cloud link to enter the stall", 10_000);
        int received = runtime.Cloud.MessagesReceived;

        // The cloud cannot reach the device: its request goes unanswered.
        SafeModeResult probe = await rig.Cloud.Cloud.RequestSafeModeAsync(rig.Id, TimeSpan.FromSeconds(3));
        _out.WriteLine("probe during the stall: " + probe);
        Assert.Equal(SafeModeOutcome.NoAnswer, probe.Outcome);

        // For as long as the watchdog run was given to recover, nothing recovers this one.
        long end = Environment.TickCount64 + ResetBoundMs;
        while (Environment.TickCount64 < end)
        {
            Assert.Equal(boots, rig.Core.Boots);
            Assert.Same(runtime, rig.Core.Runtime);
            Thread.Sleep(100);
        }

        Assert.Equal(0, rig.Core.WatchdogResets);
        Assert.Equal(0, rig.Core.Reboots);
        Assert.Equal(received, runtime.Cloud.MessagesReceived);
        Assert.Equal(0, rig.Board.Watchdog.ExpiryCount);
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task AUserAppFaultShowsSosAndTheWatchdogResetsTheBoard()
    {
        int apps = 0;
        CrashingApp? crashing = null;
        // The first boot's app throws from its loop; the apps of later boots behave.
        await using EndToEndRig rig = await EndToEndRig.StartAsync(_ =>
        {
            if (Interlocked.Increment(ref apps) == 1)
            {
                crashing = new CrashingApp(crashAfterLoops: 50);
                return crashing;
            }

            return new IdleApp();
        }, ShortWatchdog(hardwareMs: 2000), waitForCloud: false);

        // The core counts the fault before the runtime has recorded it: wait for both.
        EndToEndRig.WaitUntil(() => rig.Core.UserFaults == 1 && rig.Core.Runtime?.UserFault != null, () => "the app to fault", 20_000);
        SystemRuntime first = rig.Core.Runtime!;
        Assert.NotNull(first.UserFault);
        Assert.Contains("InvalidOperationException", first.UserFault);
        Assert.True(first.Watchdog!.IsFaulted, "the fault stops the feeding");
        Assert.Equal(StatusPattern.Sos, first.Led.Pattern);
        Assert.Equal(SystemRuntime.UserFaultSosCode, first.Led.SosCode);

        int boots = rig.Core.Boots;
        EndToEndRig.WaitUntil(() => rig.Core.WatchdogResets == 1 && rig.Core.Boots == boots + 1 && rig.Core.Runtime != null,
            () => $"the watchdog reset after the fault (resets {rig.Core.WatchdogResets}, boots {rig.Core.Boots})", ResetBoundMs);

        // The LED showed red (only the SOS is pure red) before the reset.
        bool sawRed = rig.Board.RgbLed.History(TimeSpan.FromSeconds(30)).Any(s => s.Red > 0 && s.Green == 0 && s.Blue == 0);
        Assert.True(sawRed, "red SOS on the status LED");

        SystemRuntime second = rig.Core.Runtime!;
        Assert.True(second.LastResetWasWatchdog);
        Assert.Null(second.UserFault);
        Assert.Equal(VirtualCore.WatchdogRebootReason, rig.Core.LastRebootReason);
        Assert.IsType<IdleApp>(rig.Core.CurrentApp);
        rig.WaitForCloudLink(20_000);
        EndToEndRig.WaitUntil(() => rig.Core.CurrentUserThread!.Loops > 10, () => "the app of the new boot to run", 10_000);
        Assert.Equal(1, rig.Core.UserFaults);
    }

    /// <summary>An app that does nothing, politely.</summary>
    private sealed class IdleApp : IUserApp
    {
        public void Setup(UserAppContext context)
        {
        }

        public void Loop() => Thread.Sleep(10);
    }

    /// <summary>An app with a bug: its loop throws after a while.</summary>
    private sealed class CrashingApp(int crashAfterLoops) : IUserApp
    {
        private int _loops;

        public void Setup(UserAppContext context)
        {
        }

        public void Loop()
        {
            Thread.Sleep(10);
            if (++_loops >= crashAfterLoops) throw new InvalidOperationException("bug in the user loop");
        }
    }
}
