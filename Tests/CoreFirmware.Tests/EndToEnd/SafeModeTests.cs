using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>D0 held high at boot: no user app, cloud and OTA only, LED breathing magenta.</summary>
[Trait("Category", "EndToEnd")]
[Collection(IsolatedCollection.Name)]
public class SafeModeTests
{
    private readonly ITestOutputHelper _out;

    public SafeModeTests(ITestOutputHelper output) => _out = output;

    private static byte[] Image(EndToEndRig rig, int seed) => rig.SignedImage(24 * 1024, seed);

    [Fact]
    public async Task WithD0HighTheAppDoesNotStartOtaStillWorksAndTheLedBreathesMagenta()
    {
        await using EndToEndRig rig = await EndToEndRig.StartAsync(r => new BitcoinTickerApp(EndToEndRig.TickerHost, r.Ticker.Port, EndToEndRig.TickerPath));
        rig.WaitForCloudLink(20_000);
        Assert.NotNull(rig.Core.CurrentApp);

        // Hold D0 high; the next boot (after an update) comes up in safe mode.
        rig.Board.D0.Drive(PinValue.High);
        int boots = rig.Core.Boots;
        Assert.Equal("done", (await rig.FlashAsync(Image(rig, 1), fast: false, TimeSpan.FromSeconds(60))).State);
        EndToEndRig.WaitUntil(() => rig.Core.Boots == boots + 1 && rig.Core.Runtime != null, () => "the reboot into safe mode", 20_000);
        Assert.True(rig.Core.Runtime!.SafeMode);
        Assert.Null(rig.Core.CurrentApp);
        rig.WaitForCloudLink(20_000);
        Thread.Sleep(3000); // one full breath (2.56 s)
        string led = rig.Board.RgbLed.DescribePattern(TimeSpan.FromSeconds(3));
        _out.WriteLine("safe mode LED: " + led);
        Assert.Equal("breathing magenta", led);

        // OTA works in safe mode; with D0 released the app is back after that update's reboot.
        rig.Board.D0.Drive(PinValue.Low);
        boots = rig.Core.Boots;
        Assert.Equal("done", (await rig.FlashAsync(Image(rig, 2), fast: true, TimeSpan.FromSeconds(60))).State);
        EndToEndRig.WaitUntil(() => rig.Core.Boots == boots + 1 && rig.Core.CurrentApp != null, () => "the reboot out of safe mode", 20_000);
        Assert.False(rig.Core.Runtime!.SafeMode);
        var app = (BitcoinTickerApp)rig.Core.CurrentApp!;
        EndToEndRig.WaitUntil(() => app.Parsed >= 3, () => "the app to run again", 20_000);
        Assert.Equal(0, rig.Board.Bus.ViolationCount);
    }
}
