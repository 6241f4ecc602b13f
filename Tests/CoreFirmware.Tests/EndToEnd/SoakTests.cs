using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Scenario;
using CoreFirmware.Virtual.Sst25;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>
/// The soak, short: 20 update cycles through the local cloud while the ticker app hammers the
/// ticker server, with the fault mix (link drops, corrupted chunks, module hangs, power cuts inside
/// the bootloader's install, a bad release that must be rolled back) and four idle cycles. The app runs from the application slot, so each
/// landed cycle runs the image it flashed. Every cycle must end on a valid image, nothing may lock
/// up, clean cycles must land, and the bus model must see no violation.
/// </summary>
[Trait("Category", "EndToEnd")]
[Trait("Category", "Soak")]
[Collection(IsolatedCollection.Name)]
public class SoakTests
{
    private readonly ITestOutputHelper _out;

    public SoakTests(ITestOutputHelper output) => _out = output;

    private sealed class OutputWriter(ITestOutputHelper output) : StringWriter
    {
        public override void WriteLine(string? value) => output.WriteLine(value ?? "");
    }

    [Fact(Timeout = TestTimeouts.Series)]
    public async Task TwentyCyclesWithTheFaultMixEndOnValidImagesWithoutLockups()
    {
        var options = new ScenarioOptions
        {
            Cycles = 20,
            Faults = FaultMix.All,
            IdleEvery = 5,
            Interval = TimeSpan.Zero,
            FlashTiming = Sst25TimingProfile.Fast,
            LockupTimeout = TimeSpan.FromSeconds(30),
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3.5)); // a backstop below the test timeout; lockups are detected per phase
        ScenarioSummary summary = await SoakCommand.RunAsync(options, new OutputWriter(_out), timeout.Token);

        AssertTwentyCyclesWithTheFaultMix(summary);
    }

    /// <summary>What a 20-cycle soak with the whole fault mix must show, on either CLR (the nanoCLR soak test asserts it too).</summary>
    internal static void AssertTwentyCyclesWithTheFaultMix(ScenarioSummary summary)
    {
        Assert.Null(summary.StoppedEarly);
        Assert.Equal(20, summary.Cycles.Count);
        Assert.All(summary.Cycles, c => Assert.True(c.ImageValid, $"cycle {c.Cycle} ended on an invalid image: {c.ImageState}"));
        Assert.Equal(0, summary.Lockups);
        Assert.Equal(0, summary.Failed);
        Assert.True(summary.HostThreadFaults == 0, "host thread faults: " + string.Join("; ", summary.HostThreadFaultLines));
        Assert.True(summary.Passed);

        // Clean cycles (idle or loaded, no fault) land; a fault may abort its cycle, never more.
        Assert.Equal(0, summary.UnexpectedAborts);
        int clean = summary.Cycles.Count(c => c.Fault == FaultKind.None || !c.FaultInjected);
        Assert.True(summary.Landed >= clean, $"{summary.Landed} landed, {clean} cycles had no fault");
        Assert.Equal(4, summary.Cycles.Count(c => c.Idle));

        // The mix was injected: every link drop and hang (both trigger a third of the way in), the corrupted chunks.
        Assert.Contains(summary.Cycles, c => c.Fault == FaultKind.LinkDrop && c.FaultInjected);
        Assert.Contains(summary.Cycles, c => c.Fault == FaultKind.CorruptChunks && c.FaultInjected && c.Outcome == CycleOutcome.Landed && c.Resends > 0);
        Assert.Contains(summary.Cycles, c => c.Fault == FaultKind.CorruptChunks && c.FaultInjected && c.Outcome == CycleOutcome.Aborted);
        Assert.Contains(summary.Cycles, c => c.Fault == FaultKind.ModuleHang && c.FaultInjected);
        Assert.True(summary.ModuleRecoveries >= summary.Cycles.Count(c => c.Fault == FaultKind.ModuleHang && c.FaultInjected));
        // Power cuts inside the install: at least one hit (the cut point is random within the install),
        // and every such cycle still landed: the next boot resumed the install.
        Assert.True(summary.PowerCuts >= 1, $"no power cut hit an install ({summary.Cycles.Count(c => c.Fault == FaultKind.PowerCutDuringInstall)} cycles armed one)");
        Assert.All(summary.Cycles.Where(c => c.Fault == FaultKind.PowerCutDuringInstall), c => Assert.Equal(CycleOutcome.Landed, c.Outcome));
        Assert.True(summary.Installs >= summary.Landed, $"{summary.Installs} installs for {summary.Landed} landed cycles");

        // A bad release (signed, but its app does not start) is installed, test-booted, and rolled back
        // after the watchdog resets; nothing else rolls back.
        Assert.Contains(summary.Cycles, c => c.Fault == FaultKind.BadRelease);
        Assert.All(summary.Cycles.Where(c => c.Fault == FaultKind.BadRelease), c => Assert.Equal(CycleOutcome.RolledBack, c.Outcome));
        Assert.Equal(0, summary.UnexpectedRollbacks);

        Assert.Equal(0, summary.BusViolations);
        Assert.Equal(0, summary.StuckUserThreads);
        Assert.False(double.IsNaN(summary.PreemptionP99));
        Assert.False(double.IsNaN(summary.OtaIdleP50));
        Assert.False(double.IsNaN(summary.OtaLoadedP50));
        // The firmware's own timing figures reach the summary (every boot starts a cloud session; on nanoCLR through its status reports).
        Assert.True(summary.LongestTimings.SessionStartMs > 0, "no cloud session start time from the firmware");
    }
}
