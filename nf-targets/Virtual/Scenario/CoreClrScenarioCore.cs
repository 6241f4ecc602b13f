using System.Net;
using CoreFirmware.Application.App;
using CoreFirmware.Drivers.Cc3000;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.Virtual.Runner;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// <see cref="IScenarioCore"/> over the runner's <see cref="VirtualCore"/>: the firmware runs on CoreCLR in
/// this process, so its objects (runtime, broker, cloud link, the app through its <see cref="AppGate"/>)
/// are read directly. Only this boot's driver and app are held: an app object keeps its load context (and
/// through it the whole runtime of its boot) in memory; their counts are folded in when a new one is seen.
/// </summary>
public sealed class CoreClrScenarioCore : IScenarioCore
{
    private readonly object _sync = new();
    private readonly AppGate _gate;
    private Cc3000Driver? _driver;
    private int _recoveriesBefore;
    private IAppCounters? _app;
    private int _requestsBefore;
    private int _failuresBefore;
    private long _longestHold;
    private (int CheckinGapMs, int SessionStartMs, int PingRoundTripMs) _timings;

    public CoreClrScenarioCore(VirtualBoard board, VirtualCoreOptions options, AppGate gate)
    {
        _gate = gate;
        Core = new VirtualCore(board, options);
        // The app runs from the application slot (what the last OTA installed); the gate lets idle cycles pause it.
        Core.AppWrapper = app => gate.Wrap(app);
    }

    public VirtualCore Core { get; }

    public string Clr => "CoreCLR";

    public VirtualBoard Board => Core.Board;

    public void Provision(DeviceKeys keys, byte[] factoryImage) => Core.Provision(keys, factoryImage);

    public void Start(IPEndPoint cloud) => Core.Start(cloud);

    public bool Stop(int timeoutMilliseconds) => Core.Stop(timeoutMilliseconds);

    public int Boots => Core.Boots;
    public int Reboots => Core.Reboots;
    public int BootFailures => Core.BootFailures;
    public string? LastBootError => Core.LastBootError;
    public int Installs => Core.Installs;
    public int Rollbacks => Core.Rollbacks;
    public int WatchdogResets => Core.WatchdogResets;
    public int StuckUserThreads => Core.StuckUserThreads;
    public bool Running => Core.Runtime != null;

    public (bool RunApplication, bool TestBoot, string Reason)? Decision =>
        Core.LastBootDecision is { } d ? (d.RunApplication, d.TestBoot, d.Reason ?? "") : null;

    public bool CloudConnected => Core.Runtime?.Cloud is { } c && c.IsConnected;
    public int CloudSessions => Core.Runtime?.Cloud?.Sessions ?? 0;
    public int CloudConnectAttempts => Core.Runtime?.Cloud?.ConnectAttempts ?? 0;
    public Func<(int Count, long LastTicks)> PreemptionProbe()
    {
        // The broker object of this boot: its counters stay readable after the reboot.
        var broker = Core.Runtime?.Broker;
        return () => broker == null ? (0, -1) : (broker.Preemptions, broker.LastLatencyTicks);
    }
    public bool UpdatesPending => Core.Runtime?.Broker.UpdatesPending ?? false;
    public int ChunksReceived => Core.Runtime?.Ota?.ChunksReceived ?? 0;

    public int ModuleRecoveries { get { lock (_sync) return _recoveriesBefore + (_driver?.Recoveries ?? 0); } }

    public long LongestBusHoldTicks { get { lock (_sync) return Math.Max(_longestHold, Board.Arbiter?.LongestHoldTicks ?? 0); } }

    public (int CheckinGapMs, int SessionStartMs, int PingRoundTripMs) LongestTimings
    {
        get
        {
            var now = Current();
            lock (_sync) return (Math.Max(_timings.CheckinGapMs, now.CheckinGapMs), Math.Max(_timings.SessionStartMs, now.SessionStartMs), Math.Max(_timings.PingRoundTripMs, now.PingRoundTripMs));
        }
    }

    private (int CheckinGapMs, int SessionStartMs, int PingRoundTripMs) Current()
    {
        var rt = Core.Runtime;
        return (rt?.Watchdog?.LongestCheckinGapMilliseconds ?? 0, rt?.Cloud?.LongestSessionStartMilliseconds ?? 0, rt?.Cloud?.LongestPingRoundTripMilliseconds ?? 0);
    }

    /// <summary>The counters of this boot's app (unwrapped), or null.</summary>
    public IAppCounters? App => ScenarioRunner.Unwrap(Core.CurrentApp);

    public object? AppToken => App;
    public int AppCompleted => App?.Completed ?? 0;

    public (int Requests, int Failures) AppTotals
    {
        get { lock (_sync) return (_requestsBefore + (_app?.Requests ?? 0), _failuresBefore + (_app?.Failures ?? 0)); }
    }

    public bool AppPaused
    {
        get => _gate.Paused;
        set => _gate.Paused = value;
    }

    public bool AppInLoop => _gate.InLoop;

    public long HeapBytes => GC.GetTotalMemory(false);

    public string HeapSource => "host process";

    public void Sample()
    {
        Cc3000Driver driver = Board.Cc3000Driver;
        IAppCounters? app = App;
        long hold = Board.Arbiter?.LongestHoldTicks ?? 0;
        var timings = Current();
        lock (_sync)
        {
            if (hold > _longestHold) _longestHold = hold;
            _timings = (Math.Max(_timings.CheckinGapMs, timings.CheckinGapMs), Math.Max(_timings.SessionStartMs, timings.SessionStartMs), Math.Max(_timings.PingRoundTripMs, timings.PingRoundTripMs));
            if (driver != _driver)
            {
                _recoveriesBefore += _driver?.Recoveries ?? 0;
                _driver = driver;
            }
            if (app != null && app != _app)
            {
                _requestsBefore += _app?.Requests ?? 0;
                _failuresBefore += _app?.Failures ?? 0;
                _app = app;
            }
        }
    }
}
