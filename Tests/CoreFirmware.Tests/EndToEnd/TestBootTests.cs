using CoreFirmware.Application.App;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Drivers.Update;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Runner;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>
/// Test boot end to end (Ota/Boot/BOOT-DESIGN.md), with the app loaded from the application slot:
/// the board ships the ticker app 1.0.0 in its factory slot; a new image arrives by OTA through the
/// cloud, the bootloader installs it and boots it in test mode. An image that never confirms is
/// rolled back by the next ordinary reset; one that crashes in a loop is rolled back after the
/// stated number of watchdog resets; one that confirms itself (or runs healthy with the cloud
/// connected) stays.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(IsolatedCollection.Name)]
public sealed class TestBootTests
{
    private const string TickerApp = "CoreFirmware.Application.Samples.BitcoinTicker.BitcoinTickerApp";
    private readonly ITestOutputHelper _out;

    public TestBootTests(ITestOutputHelper output) => _out = output;

    private static readonly ImageVersion V110 = new(1, 1, 0, 0);

    private static Task<EndToEndRig> Start(int autoConfirmMs = 1500, bool testBoot = true) => EndToEndRig.StartAsync(appFactory: null, new VirtualCoreOptions
    {
        AutoConfirmMilliseconds = autoConfirmMs,
        TestBootEnabled = testBoot,
        // A short hardware watchdog so a crash loop turns into resets quickly; feeding stays well inside it.
        WatchdogHardwareTimeoutMilliseconds = 1000,
        WatchdogFeedPeriodMilliseconds = 200,
    });

    private async Task FlashAndReboot(EndToEndRig rig, byte[] image, string what, bool expectTestBoot = true)
    {
        int boots = rig.Core.Boots;
        OtaRun ota = await rig.FlashAsync(image, fast: false, TimeSpan.FromSeconds(40));
        Assert.True(ota.State == "done", $"{what}: flash ended {ota.State} ({ota.Reason})");
        EndToEndRig.WaitUntil(() => rig.Core.Boots > boots && rig.Core.Runtime != null, () => what + ": the reboot", 30_000);
        rig.AssertInstalled(image, what, expectTestBoot);
        _out.WriteLine($"{what}: {rig.Core.LastBootDecision!.Reason}; app {rig.Core.LastAppName}");
    }

    private static void WaitForTickerRequests(EndToEndRig rig, string what)
    {
        EndToEndRig.WaitUntil(() => rig.Core.CurrentApp is IAppCounters c && c.Completed >= 3,
            () => $"{what}: the ticker app from the slot to make requests (app {rig.Core.LastAppName})", 30_000);
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task TheFactoryImageRunsFromTheApplicationSlot()
    {
        await using EndToEndRig rig = await Start();
        BootDecision d = rig.Core.LastBootDecision!;
        Assert.True(d.RunApplication);
        Assert.Equal(1, rig.Core.FactoryRestores);
        Assert.Equal(TickerApp, rig.Core.LastAppName);
        Assert.NotSame(typeof(CoreFirmware.Application.Samples.BitcoinTicker.BitcoinTickerApp).Assembly, rig.Core.CurrentApp!.GetType().Assembly);
        WaitForTickerRequests(rig, "factory image");
        Assert.Equal(PackedImageVersion.Pack(1, 0, 0), rig.Core.RunningVersion);
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task ABoardWithNothingValidWaitsInSafeModeAndAnOtaFromThereRunsTheApp()
    {
        await using EndToEndRig rig = await EndToEndRig.StartAsync(appFactory: null, new VirtualCoreOptions { AutoConfirmMilliseconds = 1500 },
            factoryImage: false);
        BootDecision d = rig.Core.LastBootDecision!;
        Assert.False(d.RunApplication);
        Assert.Contains("no valid image", d.Reason);
        Assert.True(rig.Core.Runtime!.SafeMode);
        Assert.Null(rig.Core.CurrentApp);
        rig.WaitForLedPattern("breathing magenta", TimeSpan.FromSeconds(3)); // a whole breath is 2.56 s

        await FlashAndReboot(rig, rig.TickerImage(V110), "ticker 1.1.0 into an empty board");
        Assert.False(rig.Core.Runtime!.SafeMode);
        Assert.Equal(TickerApp, rig.Core.LastAppName);
        WaitForTickerRequests(rig, "after the install");
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task AnImageThatNeverConfirmsIsRolledBackAtTheNextReset()
    {
        await using EndToEndRig rig = await Start(autoConfirmMs: 500);
        WaitForTickerRequests(rig, "before");
        await FlashAndReboot(rig, rig.TestAppImage("NeverConfirm", V110, ImageFlags.ManualConfirm), "never-confirm 1.1.0");
        Assert.Equal("CoreFirmware.TestApps.NeverConfirm.NeverConfirmApp", rig.Core.LastAppName);
        Assert.Equal(DeploymentStatus.Testing, rig.Core.Runtime!.Deployment.Status);

        // Manual confirm: well past the auto-confirm time with the cloud connected, it is still under test.
        rig.WaitForCloudLink(20_000);
        Thread.Sleep(2000);
        Assert.Equal(DeploymentStatus.Testing, rig.Core.Runtime!.Deployment.Status);
        Assert.Equal(0, rig.Core.Runtime!.Deployment.AutoConfirms);

        // An ordinary reset: the image had its test boot and did not confirm.
        int boots = rig.Core.Boots;
        rig.Core.Runtime!.RequestReboot("test: ordinary reset");
        EndToEndRig.WaitUntil(() => rig.Core.Boots > boots && rig.Core.Runtime != null, () => "the reboot", 30_000);
        BootDecision d = rig.Core.LastBootDecision!;
        _out.WriteLine($"after the reset: {d.Reason}");
        Assert.Equal(1, d.Rollbacks);
        Assert.Contains("not confirmed", d.Reason);
        Assert.Equal(PackedImageVersion.Pack(1, 0, 0), rig.Core.RunningVersion);
        Assert.Equal(TickerApp, rig.Core.LastAppName);
        WaitForTickerRequests(rig, "after the rollback");
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task AnImageThatCrashesInALoopIsRolledBackAfterTheStatedWatchdogResets()
    {
        await using EndToEndRig rig = await Start(autoConfirmMs: 20_000);
        WaitForTickerRequests(rig, "before");
        int resets = rig.Core.WatchdogResets;
        await FlashAndReboot(rig, rig.TestAppImage("CrashLoop", V110), "crash-loop 1.1.0");

        EndToEndRig.WaitUntil(() => rig.Core.Rollbacks == 1 && rig.Core.Runtime != null,
            () => $"the rollback (watchdog resets {rig.Core.WatchdogResets - resets}, user faults {rig.Core.UserFaults}, last boot '{rig.Core.LastBootDecision?.Reason}')", 90_000);
        BootDecision d = rig.Core.LastBootDecision!;
        _out.WriteLine($"after {rig.Core.WatchdogResets - resets} watchdog resets: {d.Reason}");
        Assert.Equal(Bootloader.DefaultMaxTestWatchdogResets, rig.Core.WatchdogResets - resets);
        Assert.Contains("watchdog", d.Reason);
        Assert.True(rig.Core.UserFaults >= Bootloader.DefaultMaxTestWatchdogResets);
        Assert.Equal(PackedImageVersion.Pack(1, 0, 0), rig.Core.RunningVersion);
        Assert.Equal(TickerApp, rig.Core.LastAppName);
        WaitForTickerRequests(rig, "after the rollback");
    }

    /// <summary>The negative run: test boot switched off, the same crash-looping image is never rolled back.</summary>
    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task WithoutTestBootTheCrashLoopingImageKeepsTheBoardInResets()
    {
        await using EndToEndRig rig = await Start(autoConfirmMs: 20_000, testBoot: false);
        WaitForTickerRequests(rig, "before");
        int resets = rig.Core.WatchdogResets;
        await FlashAndReboot(rig, rig.TestAppImage("CrashLoop", V110), "crash-loop 1.1.0, test boot off", expectTestBoot: false);

        int bound = Bootloader.DefaultMaxTestWatchdogResets + 2;
        EndToEndRig.WaitUntil(() => rig.Core.WatchdogResets - resets >= bound, () => $"{bound} watchdog resets (so far {rig.Core.WatchdogResets - resets})", 90_000);
        _out.WriteLine($"{rig.Core.WatchdogResets - resets} watchdog resets, rollbacks {rig.Core.Rollbacks}, last boot '{rig.Core.LastBootDecision?.Reason}'");
        Assert.Equal(0, rig.Core.Rollbacks);
        Assert.Equal(PackedImageVersion.Pack(1, 1, 0), rig.Core.LastBootDecision!.ActiveVersion);
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task AnImageThatConfirmsItselfStays()
    {
        await using EndToEndRig rig = await Start(autoConfirmMs: 60_000);
        await FlashAndReboot(rig, rig.TestAppImage("Confirming", V110, ImageFlags.ManualConfirm), "confirming 1.1.0");
        EndToEndRig.WaitUntil(() => rig.Core.Runtime?.Deployment.Status == DeploymentStatus.Confirmed,
            () => $"the app's confirm (serial: {string.Join(" | ", rig.Board.Serial1.LastLines(3))})", 20_000);
        Assert.Contains("confirming: confirmed", rig.Board.Serial1.LastLines(20));

        int boots = rig.Core.Boots;
        rig.Core.Runtime!.RequestReboot("test: ordinary reset");
        EndToEndRig.WaitUntil(() => rig.Core.Boots > boots && rig.Core.Runtime != null, () => "the reboot", 30_000);
        BootDecision d = rig.Core.LastBootDecision!;
        Assert.Equal(0, d.Rollbacks);
        Assert.False(d.TestBoot);
        Assert.Equal(PackedImageVersion.Pack(1, 1, 0), rig.Core.RunningVersion);
        Assert.Equal("CoreFirmware.TestApps.Confirming.ConfirmingApp", rig.Core.LastAppName);
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task AHealthyImageIsConfirmedAutomaticallyAfterTheStatedConnectedTimeAndStays()
    {
        await using EndToEndRig rig = await Start(autoConfirmMs: 1500);
        await FlashAndReboot(rig, rig.TickerImage(V110), "ticker 1.1.0");
        EndToEndRig.WaitUntil(() => rig.Core.Runtime?.Deployment.Status == DeploymentStatus.Confirmed, () => "the auto-confirm", 30_000);
        Assert.Equal(1, rig.Core.Runtime!.Deployment.AutoConfirms);

        int boots = rig.Core.Boots;
        rig.Core.Runtime!.RequestReboot("test: ordinary reset");
        EndToEndRig.WaitUntil(() => rig.Core.Boots > boots && rig.Core.Runtime != null, () => "the reboot", 30_000);
        Assert.Equal(0, rig.Core.LastBootDecision!.Rollbacks);
        Assert.Equal(PackedImageVersion.Pack(1, 1, 0), rig.Core.RunningVersion);
        WaitForTickerRequests(rig, "after the reset");
    }
}
