using CoreFirmware.Cloud.Images;
using CoreFirmware.Tests.Cc3000.Legacy;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Cc3000;
using CoreFirmware.Virtual.Runner;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>
/// Issue 12 item 2: the seed's hang of 2014, reproduced and survived. The seed: the Bitcoin ticker app
/// hammering the network from its loop, an OTA flash started meanwhile, and the Core hung (LED still
/// breathing cyan, no serial output, no OTA answer, the CLI's flash ending in ECONNRESET) until someone
/// pressed reset. The cause: the CC3000's free-buffer reports (0x4100) going wrong under a tight send
/// loop, and a host driver that waited for free buffers for ever, on the one thread that also served
/// the cloud. Both runs below put the same fault into the module under the same app: the free-buffer
/// reports of more buffers than the module has are lost. With a 2014-style driver (test code:
/// <see cref="Cc3000Driver2014"/>; no arbiter, no preemption, no watchdog reset, as the 2014 Core
/// recovered from none of it) the test observes the seed's symptoms through bounded waits; with the
/// firmware's driver the device resynchronises its count and lands the update.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(IsolatedCollection.Name)]
public class Cc3000HangOf2014Tests
{
    // More lost reports than the module has buffers: a count that believes the reports ends at 0 for good.
    private const int LostReports = Cc3000Model.TxBufferCount + 2;

    private readonly ITestOutputHelper _out;

    public Cc3000HangOf2014Tests(ITestOutputHelper output) => _out = output;

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task WithA2014DriverLostFreeBufferReportsHangTheCoreWithTheLedStillCyanUntilAReset()
    {
        Cc3000Driver2014? legacy = null;
        var options = new VirtualCoreOptions
        {
            PreemptionEnabled = false,
            WatchdogEnabled = false,
            StopTimeoutMilliseconds = 3000,
            WifiModule = board => legacy = new Cc3000Driver2014(board.Cc3000),
        };
        await using EndToEndRig rig = await EndToEndRig.StartAsync(null, options);
        try
        {
            WaitForTickerOutput(rig);
            rig.Board.Cc3000.Model.LoseFreeBufferReports(LostReports);

            // The hang begins: a send waits for a free buffer that its count will never show.
            EndToEndRig.WaitUntil(() => legacy!.SendersBlocked > 0,
                () => $"a send to block on free buffers (driver count {legacy!.FreeBuffers}, module free {rig.Board.Cc3000.Model.FreeBuffersNow})", 60_000);
            long serialAtHang = rig.Board.Serial1.BytesWritten;
            int reboots = rig.Core.Reboots;

            // The cloud flashes the ticker's next version meanwhile: the device never answers.
            byte[] image = rig.TickerImage(new ImageVersion(1, 0, 1, 0));
            OtaRun ota = await rig.FlashAsync(image, fast: false, TimeSpan.FromSeconds(60));
            _out.WriteLine($"2014 driver: flash {ota.State} ({ota.Reason}); device said '{ota.DeviceMessage}'");
            // The CLI of 2014 saw ECONNRESET; this cloud answers the PUT with the failure, or ends the job failed.
            Assert.True(ota.State is "refused" or "failed", $"the flash ended {ota.State}");
            Assert.Contains("no UpdateReady", ota.Reason);

            // The seed's symptoms, still there after the flash gave up: nothing recovered by itself.
            rig.WaitForLedPattern("breathing cyan", TimeSpan.FromSeconds(2));
            Assert.True(rig.Core.Runtime?.Cloud?.IsConnected == true, "the device's own view of the cloud link changed: the LED would too");
            Assert.True(legacy!.SendersBlocked > 0, "the blocked send returned: the device recovered");
            Assert.Equal(serialAtHang, rig.Board.Serial1.BytesWritten);   // Serial1 silent since the hang
            Assert.Equal(reboots, rig.Core.Reboots);                      // no reboot, no new image
            Assert.Equal(0, rig.Core.WatchdogResets);
            Assert.NotEqual("1.0.1", rig.Core.RunningVersionText);
            _out.WriteLine($"hung: LED breathing cyan, Serial1 at {serialAtHang} B since the hang, driver count {legacy.FreeBuffers} free, module {rig.Board.Cc3000.Model.FreeBuffersNow} free");
        }
        finally
        {
            // The reset button: pull the 2014 driver's plug so every blocked thread returns, then stop.
            legacy?.Stop();
            Assert.Null(legacy?.WorkerFault);
        }
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task WithTheFirmwaresDriverTheSameLostFreeBufferReportsAreSurvivedAndTheUpdateLands()
    {
        await using EndToEndRig rig = await EndToEndRig.StartAsync(null);
        var driver = rig.Board.Cc3000Driver;
        WaitForTickerOutput(rig);
        rig.Board.Cc3000.Model.LoseFreeBufferReports(LostReports);

        // The fault bites (the count is found wrong and set from the module) and the device stays up.
        EndToEndRig.WaitUntil(() => driver.BufferResyncs > 0,
            () => $"the driver to resynchronise its free-buffer count (count {driver.FreeBuffers}, module free {rig.Board.Cc3000.Model.FreeBuffersNow}, recoveries {driver.Recoveries})", 60_000);
        rig.WaitForCloudLink(60_000);
        long serial = rig.Board.Serial1.BytesWritten;
        EndToEndRig.WaitUntil(() => rig.Board.Serial1.BytesWritten > serial, () => "the ticker app to print again", 30_000);

        int reboots = rig.Core.Reboots;
        byte[] image = rig.TickerImage(new ImageVersion(1, 0, 1, 0));
        OtaRun ota = await rig.FlashAsync(image, fast: false, TimeSpan.FromSeconds(60));
        _out.WriteLine($"firmware driver: flash {ota.State} in {ota.Elapsed.TotalMilliseconds:0} ms ({ota.Reason}); resyncs {driver.BufferResyncs}, recoveries {driver.Recoveries}");
        Assert.Equal("done", ota.State);
        EndToEndRig.WaitUntil(() => rig.Core.Reboots == reboots + 1, () => "the reboot into the update", 30_000);
        rig.WaitForCloudLink(30_000);
        Assert.Equal("1.0.1", rig.Core.RunningVersionText);
        rig.AssertInstalled(image, "the update");
    }

    private static void WaitForTickerOutput(EndToEndRig rig)
    {
        long before = rig.Board.Serial1.BytesWritten;
        EndToEndRig.WaitUntil(() => rig.Board.Serial1.BytesWritten > before + 200, () => "the ticker app to print its quotes", 30_000);
    }
}
