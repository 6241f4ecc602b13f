using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Ota.Update;
using CoreFirmware.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>The RGB LED says what the system does, as a person would read it off the board.</summary>
[Trait("Category", "EndToEnd")]
[Collection(IsolatedCollection.Name)]
public class StatusLedEndToEndTests
{
    private readonly ITestOutputHelper _out;

    public StatusLedEndToEndTests(ITestOutputHelper output) => _out = output;

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task BreathingCyanWhenConnectedAndFlashingMagentaDuringAnUpdate()
    {
        await using EndToEndRig rig = await EndToEndRig.StartAsync(r => new BitcoinTickerApp(EndToEndRig.TickerHost, r.Ticker.Port, EndToEndRig.TickerPath));
        rig.WaitForCloudLink(20_000);
        // A whole breath takes 2.56 s; three seconds of history show its ramp.
        string connected = rig.WaitForLedPattern("breathing cyan", TimeSpan.FromSeconds(3));
        _out.WriteLine("connected: " + connected);

        // A slow OTA of 256 KB takes a few seconds: look at the LED while it runs.
        byte[] image = rig.SignedImage(256 * 1024, 7);
        // On a loaded machine the link may be re-establishing when the flash is asked for; the cloud then
        // refuses at once ("not connected"): wait for the link and ask again (bounded).
        Task<OtaRun> flash = rig.FlashAsync(image, fast: false, TimeSpan.FromSeconds(60));
        for (int attempt = 1; attempt < 3; attempt++)
        {
            if (await Task.WhenAny(flash, Task.Delay(500)) != flash) break; // still running: the update is under way
            OtaRun early = await flash;
            if (early.State != "refused") break;
            _out.WriteLine($"flash refused ({early.Reason}); waiting for the link and trying again");
            rig.WaitForCloudLink(20_000);
            flash = rig.FlashAsync(image, fast: false, TimeSpan.FromSeconds(60));
        }

        var runtime = rig.Core.Runtime!;
        EndToEndRig.WaitUntil(() => runtime.Ota.State == OtaState.Receiving && runtime.Ota.BytesReceived > 16 * 1024,
            () => $"the update to be under way (state {runtime.Ota.State}, {runtime.Ota.BytesReceived} B, last abort '{runtime.Ota.LastAbortReason}', "
                + $"reboots {rig.Core.Reboots}, device drop '{runtime.Cloud.LastDropReason}', cloud drops [{string.Join("; ", rig.Cloud.Cloud.Devices.RecentDrops.Select(d => d.Reason))}], "
                + $"flash {(flash.IsCompleted ? flash.Result.ToString() : "running")})", 20_000);
        string updating = rig.WaitForLedPattern("flashing magenta", TimeSpan.FromMilliseconds(500));
        _out.WriteLine("updating: " + updating);
        var result = await Eventually.Within(flash, TimeSpan.FromSeconds(90), "the flash to end");
        Assert.Equal("done", result.State);
    }
}
