using CoreFirmware.Application.App;
using System.Globalization;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Cloud;
using CoreFirmware.Virtual.Runner;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// What a person would look at while the scenario runs, drawn with Spectre.Console: the status LED's
/// pattern and D7, the last Serial1 lines, the OTA's progress bar (from the cloud's flash job),
/// counters, and the last cycles. <see cref="Render"/> builds one frame from the runner's state.
/// </summary>
public sealed class LiveView
{
    public const int SerialLines = 8;
    public const int RecentCycles = 6;
    private const int BarWidth = 40;

    private readonly ScenarioRunner _runner;
    private readonly DateTime _started = DateTime.UtcNow;
    private int _lastRequests;
    private DateTime _lastAt = DateTime.UtcNow;
    private double _requestsPerSecond;

    public LiveView(ScenarioRunner runner) => _runner = runner;

    public IRenderable Render()
    {
        _runner.Sample();
        var c = CultureInfo.InvariantCulture;
        ScenarioOptions o = _runner.Options;
        IReadOnlyList<CycleResult> results = _runner.Results;
        var (requests, failures) = _runner.AppTotals;
        DateTime now = DateTime.UtcNow;
        if ((now - _lastAt).TotalSeconds >= 1)
        {
            _requestsPerSecond = (requests - _lastRequests) / (now - _lastAt).TotalSeconds;
            _lastRequests = requests;
            _lastAt = now;
        }

        string fault = _runner.CurrentFault == FaultKind.None ? "none" : FaultMix.Name(_runner.CurrentFault);
        var header = new Markup(
            $"[bold]CoreFirmware virtual Core[/]  cycle [bold]{_runner.CurrentCycle}/{o.Cycles}[/]  image [bold]v{Markup.Escape(_runner.CurrentVersion)}[/]  "
            + $"{(_runner.CurrentIdle ? "[grey]idle (app paused)[/]" : "[yellow]under load[/]")}  fault [bold]{fault}[/]  phase [aqua]{Markup.Escape(_runner.Phase)}[/]  "
            + $"[grey]{(now - _started).TotalSeconds.ToString("0", c)} s, Ctrl-C stops[/]");

        // Device: LED, D7, cloud, app. The same rows on either CLR (IScenarioCore); CoreCLR adds what it can read
        // from the firmware's objects (the deployment's status, factory restores).
        string led = _runner.Board.RgbLed.DescribePattern(TimeSpan.FromSeconds(2));
        IScenarioCore core = _runner.Device;
        VirtualCore? clrCore = (core as CoreClrScenarioCore)?.Core;
        var device = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        device.AddRow("status LED", $"[{LedColor(led)}]●[/] {Markup.Escape(led)}");
        device.AddRow("D7 LED", _runner.Board.UserLed.Level.ToString());
        device.AddRow("firmware runs on", core.Clr);
        device.AddRow("cloud link", core.CloudConnected ? "[green]connected[/]" : "[red]down[/]");
        device.AddRow("boot", $"{core.Boots} (reboots {core.Reboots}, watchdog resets {core.WatchdogResets})");
        var decision = core.Decision;
        string deployment = clrCore?.Runtime?.Deployment == null ? (decision is { TestBoot: true } ? "test boot" : "-") : clrCore.Runtime.Deployment.Status.ToString();
        string version = clrCore != null ? "v" + clrCore.RunningVersionText + " " : "";
        device.AddRow("running image", decision == null ? "-"
            : $"{Markup.Escape(version)}from the application slot ({deployment}); {Markup.Escape(decision.Value.Reason)}");
        device.AddRow("bootloader", $"installs {core.Installs}, rollbacks {core.Rollbacks}"
            + (clrCore != null ? $", factory restores {clrCore.FactoryRestores}" : ""));
        device.AddRow("updates pending", core.UpdatesPending ? "[fuchsia]yes[/]" : "no");
        device.AddRow("app (this boot)", core.AppToken == null ? "-" : $"{core.AppCompleted} parsed");
        device.AddRow("app (all boots)", $"{requests} requests ({_requestsPerSecond.ToString("0", c)}/s), {failures} failed");

        // OTA progress, from the cloud's flash job.
        var ota = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        FlashJob? job = _runner.CurrentJob;
        if (job == null)
        {
            ota.AddRow("flash", "[grey]none yet[/]");
        }
        else
        {
            OtaProgress p = job.Progress;
            double fraction = p.TotalBytes == 0 ? 0 : Math.Clamp(p.BytesSent / (double)p.TotalBytes, 0, 1);
            int filled = (int)Math.Round(fraction * BarWidth);
            string color = p.State == OtaState.Failed ? "red" : p.State == OtaState.Done ? "green" : "fuchsia";
            ota.AddRow("progress", $"[{color}]{new string('█', filled)}[/][grey]{new string('░', BarWidth - filled)}[/] {(fraction * 100).ToString("0", c)}%");
            ota.AddRow("state", $"{p.StateName} ({(p.Fast ? "fast" : "slow")} OTA), {p.BytesSent / 1024.0:0.0} of {p.TotalBytes / 1024.0:0.0} KiB, resends {p.Resends}");
            ota.AddRow("reason", Markup.Escape(p.Reason ?? "-"));
            ota.AddRow("device said", Markup.Escape(p.LastDeviceMessage ?? "-"));
        }

        // Serial1.
        var serial = new Rows(_runner.Board.Serial1.LastLines(SerialLines).Select(l => (IRenderable)new Text(l).Overflow(Overflow.Ellipsis)).DefaultIfEmpty(new Text("")));

        // Counters.
        ScenarioSummary s = Partial(results);
        var counters = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        counters.AddRow("OTAs tried / landed / rolled back / aborted / failed", $"{s.Tried} / [green]{s.Landed}[/] / {s.RolledBack} / [yellow]{s.Aborted}[/] / {(s.Failed > 0 ? "[red]" + s.Failed + "[/]" : "0")}");
        counters.AddRow("lockups", s.Lockups > 0 ? $"[red]{s.Lockups}[/]" : "0");
        counters.AddRow("preemption latency p50 / p99", $"{Ms(s.PreemptionP50, "0.00")} / {Ms(s.PreemptionP99, "0.00")}");
        counters.AddRow("OTA time idle / under load (p50)", $"{Ms(s.OtaIdleP50, "0")} / {Ms(s.OtaLoadedP50, "0")}");
        counters.AddRow("bus violations", s.BusViolations > 0 ? $"[red]{s.BusViolations}[/]" : "0");
        counters.AddRow($"heap ({_runner.Device.HeapSource}; high-water)", $"{_runner.Device.HeapBytes / 1024} KiB ({s.HeapHighWaterBytes / 1024} KiB)");
        counters.AddRow("module recoveries", s.ModuleRecoveries.ToString(c));
        counters.AddRow("host thread faults", s.HostThreadFaults > 0 ? $"[red]{s.HostThreadFaults}[/] ({Markup.Escape(s.HostThreadFaultLines.FirstOrDefault() ?? "")})" : "0");

        var recent = new Rows(results.TakeLast(RecentCycles).Select(r => (IRenderable)new Text(r.ToLine(o.Cycles)).Overflow(Overflow.Ellipsis)).DefaultIfEmpty(new Text("")));

        var top = new Grid().AddColumn().AddColumn();
        top.AddRow(new Panel(device).Header("device").Expand(), new Panel(ota).Header("OTA (cloud flash job)").Expand());
        return new Rows(
            header,
            top,
            new Panel(serial).Header($"Serial1 (last {SerialLines} lines)").Expand(),
            new Panel(counters).Header("counters").Expand(),
            new Panel(recent).Header("cycles").Expand());
    }

    /// <summary>The summary as a table (printed after the live display ends).</summary>
    public static IRenderable SummaryTable(ScenarioSummary summary)
    {
        var table = new Table().Title("summary").AddColumn("figure").AddColumn("value");
        foreach (var (label, value) in summary.Rows()) table.AddRow(Markup.Escape(label), Markup.Escape(value));
        return table;
    }

    private ScenarioSummary Partial(IReadOnlyList<CycleResult> results) => new()
    {
        Cycles = results,
        Figures = _runner.Figures,
        CyclesPlanned = _runner.Options.Cycles,
        Faults = _runner.Options.Faults.ToString(),
        FastOta = _runner.Options.FastOta,
        Elapsed = DateTime.UtcNow - _started,
        BusViolations = _runner.Board.Bus.ViolationCount,
        HeapHighWaterBytes = _runner.HeapHighWaterBytes,
        ModuleRecoveries = _runner.ModuleRecoveries,
        Boots = _runner.Device.Boots,
        BootFailures = _runner.Device.BootFailures,
        StuckUserThreads = _runner.Device.StuckUserThreads,
        AppRequests = 0,
        AppFailures = 0,
        HostThreadFaults = _runner.Board.Faults.Count + _runner.Ticker.Faults.Count,
        HostThreadFaultLines = _runner.Board.Faults.Kept.Concat(_runner.Ticker.Faults.Kept).Select(f => f.ToString()).ToArray(),
    };

    private static string Ms(double v, string format) => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture) + " ms";

    private static string LedColor(string pattern)
    {
        string[] words = pattern.Split(' ');
        return words[^1] switch
        {
            "cyan" => "aqua",
            "magenta" => "fuchsia",
            "green" => "green",
            "red" => "red",
            "blue" => "blue",
            "yellow" => "yellow",
            "white" => "white",
            _ => "grey",
        };
    }
}
