using System.Diagnostics;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Runner;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>
/// The 2014 report, end to end: the Bitcoin ticker app loops with no delay on the virtual Core while
/// the cloud flashes a new image through the REST API, again and again. Every update must complete,
/// be reported "pending size crc", land in the staging slot with its pending record, reboot the
/// device, and the app must come back; the bus model must see no violation.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(IsolatedCollection.Name)]
public class OtaUnderLoadTests
{
    private readonly ITestOutputHelper _out;

    public OtaUnderLoadTests(ITestOutputHelper output) => _out = output;

    [Fact(Timeout = TestTimeouts.Series)]
    public async Task FiftyUpdatesInARowUnderTheTickerLoadAllComplete()
    {
        await RunSeries(50);
    }

    private async Task RunSeries(int runs)
    {
        var total = Stopwatch.StartNew();
        await using EndToEndRig rig = await EndToEndRig.StartAsync(r => new BitcoinTickerApp(EndToEndRig.TickerHost, r.Ticker.Port, EndToEndRig.TickerPath));
        var random = new Random(2014);
        var otaMs = new List<double>();
        var latencyMs = new List<double>();
        int successes = 0, failuresAroundPreemption = 0;

        for (int run = 1; run <= runs; run++)
        {
            // The app is at full speed before the update starts.
            var app = (BitcoinTickerApp)rig.Core.CurrentApp!;
            int parsedBefore = app.Parsed;
            EndToEndRig.WaitUntil(() => app.Parsed >= parsedBefore + 3, () => $"run {run}: the app to make requests (parsed {app.Parsed}, failures {app.Failures}, last {app.LastResult})", 20_000);
            // Failures only around the preemption: none while the app ran undisturbed.
            int failuresBefore = app.Failures;
            Assert.True(failuresBefore == 0, $"run {run}: {failuresBefore} app failures before any update began (last {app.LastResult})");
            int reboots = rig.Core.Reboots, boots = rig.Core.Boots;

            byte[] image = rig.SignedImage(random.Next(16, 65) * 1024 - random.Next(0, 256), random.Next());
            bool fast = run % 2 == 0; // slow (spark-cli's default) and fast OTA in turn
            OtaRun ota = await rig.FlashAsync(image, fast, TimeSpan.FromSeconds(60));
            Assert.True(ota.State == "done", $"run {run}: flash ended {ota.State} ({ota.Reason}); device said {ota.DeviceMessage}");
            string? said = await rig.WaitForAcceptedAsync(image, TimeSpan.FromSeconds(20));
            Assert.True(EndToEndRig.Accepted(image, said), $"run {run}: the device said '{said}'");

            // The device reboots into a new boot and the app comes back.
            EndToEndRig.WaitUntil(() => rig.Core.Reboots == reboots + 1 && rig.Core.Boots == boots + 1, () => $"run {run}: the reboot (reboots {rig.Core.Reboots}, boots {rig.Core.Boots})", 20_000);
            Assert.Equal("ota: new image pending", rig.Core.LastRebootReason);
            int failuresAround = app.Failures - failuresBefore; // the old boot's app, up to its end
            failuresAroundPreemption += failuresAround;

            // Staging slot as received, and the new boot's bootloader installed it (test boot).
            Assert.Equal(image, rig.PeekStaging(image.Length));
            rig.AssertInstalled(image, $"run {run}");

            var resumed = (BitcoinTickerApp)rig.Core.CurrentApp!;
            Assert.NotSame(app, resumed);
            EndToEndRig.WaitUntil(() => resumed.Parsed >= 3, () => $"run {run}: the app to resume (parsed {resumed.Parsed}, failures {resumed.Failures}, last {resumed.LastResult})", 20_000);
            rig.WaitForCloudLink(20_000);

            VirtualCoreReboot reboot = rig.Core.RebootHistory[^1];
            long[] samples = reboot.LatencyTicks;
            Assert.Single(samples);
            double latency = EndToEndRig.TicksToMs(samples[0]);
            latencyMs.Add(latency);
            otaMs.Add(ota.Elapsed.TotalMilliseconds);
            successes++;
            _out.WriteLine($"run {run,2}: {(fast ? "fast" : "slow")} {image.Length,6} B in {ota.Elapsed.TotalMilliseconds,6:0} ms, preemption latency {latency,6:0.00} ms, "
                + $"app requests {app.Requests} (failed around the preemption {failuresAround}: "
                + $"sockets aborted {reboot.SocketsAborted}, calls answered Preempted {reboot.PreemptedCalls}, refused UpdateInProgress {reboot.RefusedCalls}), resumed with {resumed.Parsed} parsed");
        }

        Assert.Equal(runs, successes);
        Assert.Equal(0, rig.Board.Bus.ViolationCount);
        Assert.Equal(0, rig.Core.StuckUserThreads);
        Assert.Equal(runs, rig.Core.Reboots);
        _out.WriteLine($"{successes}/{runs} updates completed in {total.Elapsed.TotalSeconds:0.0} s; OTA time p50 {EndToEndRig.Percentile(otaMs, 50):0} ms, "
            + $"max {otaMs.Max():0} ms; preemption latency p50 {EndToEndRig.Percentile(latencyMs, 50):0.00} ms, p99 {EndToEndRig.Percentile(latencyMs, 99):0.00} ms; "
            + $"app failures around preemptions {failuresAroundPreemption}; bus violations {rig.Board.Bus.ViolationCount}");
    }
}
