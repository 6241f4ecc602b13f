using CoreFirmware.Application.App;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Diagnostics;
using CoreFirmware.Virtual.Scenario;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>
/// A boot that ends releases everything it started. The virtual Core (cloud link, ticker app loaded
/// from the application slot into its own load context, hammering the ticker server) is rebooted
/// 50 times; at the same point of every boot (online, the app running) the host's threads, timers,
/// sockets, app load contexts and the handlers on the board's CC3000 IRQ pin are counted, and after
/// the last boot they must be back at the baseline taken at boot 2. A boot that leaves one thread,
/// timer, handler or load context behind shows as +48 by then, far beyond the few threads and
/// timers the .NET runtime itself starts and ends at will (the slack). Counts, not times.
/// The negative run leaks as the soak's runner and the CC3000 driver used to (an app object and an
/// IRQ handler kept per boot) and shows the check catches it.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(IsolatedCollection.Name)]
public class BootCycleResourceTests
{
    private const int Boots = 50;

    // The runtime's own threads (tiered compilation, the thread pool's gate) and timers come and go: a little slack.
    private const int ThreadSlack = 3;
    private const int TimerSlack = 3;
    private const int SocketSlack = 3;

    private readonly ITestOutputHelper _out;

    public BootCycleResourceTests(ITestOutputHelper output) => _out = output;

    /// <summary>What one boot holds at the measuring point.</summary>
    private sealed record BootFigures(HostResources Host, int IrqHandlers)
    {
        public string Contexts { get; } = string.Join(", ", CoreFirmware.Virtual.Runner.SlotAppLoader.ContextNamesInMemory());

        public override string ToString() => $"{Host}, CC3000 IRQ handlers {IrqHandlers}, app contexts in memory: {Contexts}";
    }

    [Fact(Timeout = TestTimeouts.Series)]
    public async Task FiftyBootsReturnThreadsTimersSocketsAndLoadContextsToTheirBaseline()
    {
        var (baseline, last) = await RebootAsync(Boots, leak: null);

        Assert.True(last.Host.DedicatedThreads <= baseline.Host.DedicatedThreads + ThreadSlack,
            $"threads (not the pool's) grew over {Boots} boots: {baseline.Host.DedicatedThreads} -> {last.Host.DedicatedThreads}; by name now: {ThreadNames()}");
        Assert.True(last.Host.Timers <= baseline.Host.Timers + TimerSlack, $"timers grew over {Boots} boots: {baseline.Host.Timers} -> {last.Host.Timers}");
        Assert.True(last.Host.Sockets <= baseline.Host.Sockets + SocketSlack, $"sockets grew over {Boots} boots: {baseline.Host.Sockets} -> {last.Host.Sockets}");
        Assert.True(last.Host.AppLoadContexts <= baseline.Host.AppLoadContexts,
            $"app load contexts in memory grew over {Boots} boots: {baseline.Host.AppLoadContexts} -> {last.Host.AppLoadContexts}");
        Assert.Equal(1, baseline.IrqHandlers);
        Assert.Equal(1, last.IrqHandlers);
    }

    [Fact(Timeout = TestTimeouts.Series)]
    public async Task NegativeRunABootThatLeaksItsAppAndAnIrqHandlerIsCaught()
    {
        // What the scenario runner did (it kept every boot's app) and what the CC3000 driver did (its
        // IRQ handler stayed on the pin): 12 boots, so 10 after the baseline.
        var kept = new List<object>();
        var (baseline, last) = await RebootAsync(12, leak: rig =>
        {
            IUserApp? app = rig.Core.CurrentApp;
            if (app != null) kept.Add(app);
            rig.Board.Cc3000.Irq.ValueChanged += (_, _) => { };
        });

        Assert.True(last.Host.AppLoadContexts >= baseline.Host.AppLoadContexts + 10,
            $"the kept apps should keep their load contexts: {baseline.Host.AppLoadContexts} -> {last.Host.AppLoadContexts}");
        Assert.True(last.IrqHandlers >= baseline.IrqHandlers + 10, $"IRQ handlers {baseline.IrqHandlers} -> {last.IrqHandlers}");
        GC.KeepAlive(kept);
    }

    /// <summary>
    /// Boots the rig, reboots it until <paramref name="boots"/> boots ran (each waits, bounded, until
    /// the device is online and the app made a request), and returns the figures of boot 2 and of
    /// the last boot. <paramref name="leak"/> runs once per boot (the negative run).
    /// </summary>
    private async Task<(BootFigures Baseline, BootFigures Last)> RebootAsync(int boots, Action<EndToEndRig>? leak)
    {
        await using EndToEndRig rig = await EndToEndRig.StartAsync(appFactory: null);
        await RunningAsync(rig, 1);
        leak?.Invoke(rig);
        BootFigures? baseline = null;
        BootFigures figures = Take(rig);
        for (int boot = 2; boot <= boots; boot++)
        {
            int before = rig.Core.Boots;
            (rig.Core.Runtime ?? throw new InvalidOperationException("no runtime")).RequestReboot("test: boot cycle");
            await Eventually.UntilAsync(() => rig.Core.Boots > before, TimeSpan.FromSeconds(60),
                () => $"boot {boot} (boots {rig.Core.Boots}, failures {rig.Core.BootFailures}: {rig.Core.LastBootError})");
            await RunningAsync(rig, boot);
            leak?.Invoke(rig);
            figures = Take(rig);
            if (boot == 2)
            {
                baseline = figures;
                _out.WriteLine($"baseline (boot 2): {baseline}");
            }
            else if (boot % 10 == 0 || boot == boots)
            {
                _out.WriteLine($"boot {boot}: {figures}");
            }
        }

        Assert.Equal(boots, rig.Core.Boots);
        Assert.Equal(0, rig.Core.StuckUserThreads);
        return (baseline!, figures);
    }

    // Online, and this boot's app made a request: the same point of every boot.
    private static async Task RunningAsync(EndToEndRig rig, int boot)
    {
        await Eventually.UntilAsync(() => rig.Core.Runtime?.Cloud?.IsConnected == true && rig.Cloud.Cloud.Devices.IsOnline(rig.Id)
                && ScenarioRunner.Unwrap(rig.Core.CurrentApp) is { Completed: > 0 },
            TimeSpan.FromSeconds(60),
            () => $"boot {boot} online with its app running (boots {rig.Core.Boots}, failures {rig.Core.BootFailures}: {rig.Core.LastBootError}, app {rig.Core.LastAppName ?? "none"})");
    }

    private static BootFigures Take(EndToEndRig rig) => new(HostResources.Take(), rig.Board.Cc3000.Irq.EdgeHandlers);

    private static string ThreadNames() => string.Join(", ", HostResources.ThreadNames().Select(t => $"{t.Name} {t.Count}"));
}
