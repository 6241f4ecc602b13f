using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Cloud.Cli;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Cloud;
using CoreFirmware.Tests.Support;
using Spectre.Console;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>D0 held high at boot, or the cloud's request: no user app, cloud and OTA only, LED breathing magenta.</summary>
[Trait("Category", "EndToEnd")]
[Collection(IsolatedCollection.Name)]
public class SafeModeTests
{
    private readonly ITestOutputHelper _out;

    public SafeModeTests(ITestOutputHelper output) => _out = output;

    private static byte[] Image(EndToEndRig rig, int seed) => rig.SignedImage(24 * 1024, seed);

    [Fact(Timeout = TestTimeouts.EndToEnd)]
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
        // A whole breath takes 2.56 s: three seconds of history show its ramp.
        string led = rig.WaitForLedPattern("breathing magenta", TimeSpan.FromSeconds(3));
        _out.WriteLine("safe mode LED: " + led);

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

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task TheCloudsRequestRebootsIntoSafeModeOnceOtaWorksThereAndTheNextBootRunsTheApp()
    {
        await using EndToEndRig rig = await EndToEndRig.StartAsync(r => new BitcoinTickerApp(EndToEndRig.TickerHost, r.Ticker.Port, EndToEndRig.TickerPath));
        rig.WaitForCloudLink(20_000);
        Assert.NotNull(rig.Core.CurrentApp);
        Assert.False(rig.Core.Runtime!.SafeMode);

        // Unknown device: 404 from the REST API.
        using (HttpResponseMessage unknown = await rig.Cloud.Http.PostAsync("v1/devices/ffffffffffffffffffffffff/safe-mode?access_token=" + CloudTestHost.Token, null))
        {
            Assert.Equal(404, (int)unknown.StatusCode);
        }

        // corefw safe-mode <device> -> POST /v1/devices/{id}/safe-mode -> POST s/safe-mode on the link.
        int boots = rig.Core.Boots;
        var (exit, output) = await RunCliAsync(rig, "safe-mode", rig.Id, "--api-url", rig.Cloud.Cloud.ApiUrl.ToString(), "--token", CloudTestHost.Token);
        _out.WriteLine(output);
        Assert.Equal(0, exit);
        Assert.Contains("safe mode", output);

        EndToEndRig.WaitUntil(() => rig.Core.Boots == boots + 1 && rig.Core.Runtime != null, () => "the reboot into safe mode", 20_000);
        SystemRuntime safe = rig.Core.Runtime!;
        Assert.True(safe.SafeMode);
        Assert.True(safe.SafeModeRequestedByCloud);
        Assert.Null(rig.Core.CurrentApp);
        Assert.Equal(SystemRuntime.SafeModeRebootReason, rig.Core.LastRebootReason);
        Assert.False(ReadBootState(rig).Has(BootStateFlags.SafeModeRequested), "the flag is one-shot: cleared by the safe-mode boot");
        rig.WaitForCloudLink(20_000);
        // A whole breath takes 2.56 s: three seconds of history show its ramp.
        string led = rig.WaitForLedPattern("breathing magenta", TimeSpan.FromSeconds(3));
        _out.WriteLine("safe mode LED: " + led);

        // OTA works in safe mode; the reboot after it runs the app again (the request was for one boot).
        boots = rig.Core.Boots;
        Assert.Equal("done", (await rig.FlashAsync(Image(rig, 3), fast: true, TimeSpan.FromSeconds(60))).State);
        EndToEndRig.WaitUntil(() => rig.Core.Boots == boots + 1 && rig.Core.CurrentApp != null, () => "the reboot out of safe mode", 20_000);
        Assert.False(rig.Core.Runtime!.SafeMode);
        Assert.False(rig.Core.Runtime!.SafeModeRequestedByCloud);
        var app = (BitcoinTickerApp)rig.Core.CurrentApp!;
        EndToEndRig.WaitUntil(() => app.Parsed >= 3, () => "the app to run again", 20_000);
        Assert.Equal(0, rig.Board.Bus.ViolationCount);
    }

    private static BootState ReadBootState(EndToEndRig rig)
    {
        var layout = SparkCoreFlashLayout.Create();
        return new BootStateStore(rig.Board.Flash, layout.BootStateA, layout.BootStateB).Read();
    }

    private static async Task<(int Exit, string Output)> RunCliAsync(EndToEndRig rig, params string[] args)
    {
        var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        var env = new CliEnvironment
        {
            HomeDirectory = rig.Cloud.Folder, // no real ~ is read or written
            Variable = _ => null,
            Output = writer,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        int exit = await CorefwCli.RunAsync(args, console, env, timeout.Token);
        return (exit, writer.ToString());
    }
}
