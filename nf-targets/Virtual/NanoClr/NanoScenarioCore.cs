using System.Net;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.Virtual.Scenario;

namespace CoreFirmware.Virtual.NanoClr;

/// <summary>
/// <see cref="IScenarioCore"/> over <see cref="NanoVirtualCore"/>: the firmware is interpreted by nanoCLR, so
/// what the scenario measures comes from the firmware's own status reports (four a second), its boot lines
/// and nanoCLR's heap; the app is paused through a board setting the firmware's gate reads at each Loop.
/// </summary>
public sealed class NanoScenarioCore : IScenarioCore
{
    private readonly VirtualBoard _board;
    private readonly Func<uint, int, NanoBoardConfiguration> _configuration;
    private NanoVirtualCore? _core;
    private DeviceKeys? _keys;
    private byte[]? _factoryImage;

    /// <param name="board">A board built with HostDrivers = false.</param>
    /// <param name="configuration">The board's configuration for the cloud at (IPv4 host order, port).</param>
    public NanoScenarioCore(VirtualBoard board, Func<uint, int, NanoBoardConfiguration> configuration)
    {
        _board = board;
        _configuration = configuration;
    }

    /// <summary>The ticker app's deployment from the device build: the scenario's image payload on nanoCLR.</summary>
    public static string TickerPePath => Path.Combine(NanoClrPaths.DeployFolder, "CoreFirmware.Apps.BitcoinTicker.pe");

    /// <summary>The core, once started.</summary>
    public NanoVirtualCore Core => _core ?? throw new InvalidOperationException("not started");

    public string Clr => "nanoCLR";

    public VirtualBoard Board => _board;

    public void Provision(DeviceKeys keys, byte[] factoryImage)
    {
        _keys = keys;
        _factoryImage = factoryImage;
    }

    public void Start(IPEndPoint cloud)
    {
        byte[] a = cloud.Address.GetAddressBytes();
        uint ipv4 = (uint)(a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]);
        _core = new NanoVirtualCore(_board, _configuration(ipv4, cloud.Port));
        if (_keys != null) _core.Provision(_keys, _factoryImage);
        _core.Start();
    }

    public bool Stop(int timeoutMilliseconds)
    {
        if (_core == null) return true;
        bool stopped = _core.Stop(TimeSpan.FromMilliseconds(timeoutMilliseconds));
        if (stopped) _core.Dispose();
        return stopped;
    }

    private NanoCoreStatus Status => _core?.Status ?? NanoCoreStatus.None;

    public int Boots => _core?.Boots ?? 0;
    public int Reboots => _core?.Reboots.Count ?? 0;
    public int BootFailures => _core?.BootFailures ?? 0;
    public string? LastBootError => _core?.LastBootError;
    public int Installs => _core?.Installs ?? 0;
    public int Rollbacks => _core?.Rollbacks ?? 0;
    public int WatchdogResets => _core?.WatchdogResets ?? 0;
    public int StuckUserThreads => 0;

    // A boot's first status report comes once its runtime booted.
    public bool Running => _core != null && !ReferenceEquals(_core.Status, NanoCoreStatus.None);

    public (bool RunApplication, bool TestBoot, string Reason)? Decision =>
        _core?.LastBootLine is { } line && !line.StartsWith("@@boot failed", StringComparison.Ordinal)
            ? (NanoVirtualCore.Field(line, "run") == 1, NanoVirtualCore.Field(line, "testboot") == 1, line["@@boot ".Length..])
            : null;

    public bool CloudConnected => Status.CloudConnected;
    public int CloudSessions => Status.CloudSessions;
    public int CloudConnectAttempts => Status.CloudConnectAttempts;
    public Func<(int Count, long LastTicks)> PreemptionProbe()
    {
        // Counted over every boot: the reboot that ends this boot keeps its last report in the totals.
        var core = _core;
        return () => core == null ? (0, -1) : (core.TotalPreemptions, core.LastPreemptionTicks);
    }
    public bool UpdatesPending => Status.UpdatesPending;
    public int ChunksReceived => Status.ChunksReceived;
    public int ModuleRecoveries => _core?.ModuleRecoveries ?? 0;
    public long LongestBusHoldTicks => _core?.LongestBusHoldTicks ?? 0;
    public (int CheckinGapMs, int SessionStartMs, int PingRoundTripMs) LongestTimings => _core?.LongestTimings ?? (0, 0, 0);

    // The boot number while this boot's app runs: a new boot's app is a new token.
    public object? AppToken => _core is { } c && c.LastAppLine != null && !c.LastAppLine.StartsWith("@@app failed", StringComparison.Ordinal)
        && !c.LastAppLine.StartsWith("@@app none", StringComparison.Ordinal) ? c.Boots : null;

    public int AppCompleted => Status.AppCompleted;
    public (int Requests, int Failures) AppTotals => _core?.AppTotals ?? (0, 0);

    public bool AppPaused
    {
        get => _core?.Hal.AppPaused ?? false;
        set
        {
            if (_core != null) _core.Hal.AppPaused = value;
        }
    }

    public bool AppInLoop => Status.AppInLoop;

    public long HeapBytes => _core?.HeapHighWaterBytes ?? 0;

    public string HeapSource => "nanoCLR managed heap, after a collection";

    public void Sample()
    {
    }
}
