using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Virtual.NanoClr;

/// <summary>
/// The virtual Core with its firmware interpreted by nanoCLR: a boot loop on a host thread loads the
/// deployments (mscorlib, the system, the board support, the firmware entry
/// <c>CoreFirmware.VirtualCore.Firmware.pe</c>) into the board's one nanoCLR and runs them. The firmware
/// does on nanoCLR what the runner's VirtualCore does on CoreCLR: bootloader, runtime, the app from the
/// application slot (its .pe, through Assembly.Load). A boot ends when the firmware resets the MCU (its
/// reboot: an update landed, safe mode requested), when the board's watchdog expires (the board resets
/// with the watchdog as the cause), when a part loses power under the firmware (a power cut: the MCU
/// stops with it, and the power comes back), or at <see cref="Stop"/>; then the board resets and the
/// loop boots again. The board must be built with <see cref="VirtualBoardOptions.HostDrivers"/> false.
/// </summary>
public sealed class NanoVirtualCore : IDisposable
{
    /// <summary>The reboot reason recorded when the hardware watchdog reset the board.</summary>
    public const string WatchdogRebootReason = "watchdog";

    /// <summary>File of the firmware entry in the device build's firmware folder.</summary>
    public const string FirmwarePe = "CoreFirmware.VirtualCore.Firmware.pe";

    private readonly object _sync = new();
    private readonly ManualResetEventSlim _stop = new(false);
    private readonly ManualResetEventSlim _watchdogExpired = new(false);
    private readonly ManualResetEventSlim _powerLost = new(false);
    private readonly List<string> _reboots = new();
    private readonly IReadOnlyList<string> _deployments;
    private Thread? _loop;
    private int _boots;
    private int _watchdogResets;
    private int _haltedBoots;
    private int _powerCuts;
    private string? _lastBootLine;
    private string? _lastAppLine;
    private NanoCoreStatus _status = NanoCoreStatus.None;
    private int _installs;
    private int _rollbacks;
    private int _bootFailures;
    private string? _lastBootError;
    private int _recoveriesBefore;
    private int _requestsBefore;
    private int _failuresBefore;
    private int _preemptionsBefore;
    private long _lastPreemptionTicks = -1;
    private long _heapHighWater;
    private (int CheckinGapMs, int SessionStartMs, int PingRoundTripMs) _longestTimings;
    private long _longestBusHoldTicks;

    /// <param name="board">A board without host drivers.</param>
    /// <param name="configuration">What the firmware reads as the board's configuration.</param>
    /// <param name="libraryPath">nanoCLR with the bridge (default <see cref="NanoClrLibrary.DefaultPath"/>).</param>
    /// <param name="firmwarePe">The firmware entry (default: the device build's).</param>
    public NanoVirtualCore(VirtualBoard board, NanoBoardConfiguration configuration, string? libraryPath = null, string? firmwarePe = null)
    {
        if (board.Options.HostDrivers) throw new ArgumentException("the board's own CoreCLR drivers would share its pins and bus with the firmware on nanoCLR: build it with HostDrivers = false", nameof(board));
        Board = board;
        Hal = new VirtualBoardHal(board) { Configuration = configuration };
        Host = new NanoClrHost(Hal, libraryPath);
        _deployments = NanoClrPaths.BasePe().Append(firmwarePe ?? Path.Combine(NanoClrPaths.FirmwareFolder, FirmwarePe)).ToArray();
        foreach (var f in _deployments.Where(f => !File.Exists(f)))
            throw new FileNotFoundException($"{f} is missing: run the device build (dotnet build nf-targets/SparkCore/DeviceBuild -c Release)", f);
        Host.Line += OnLine;
        Host.Failed += failure =>
        {
            if (failure.Code == NanoHalFailure.PowerLost) _powerLost.Set();
        };
        Hal.StatusReported += OnStatus;
    }

    public VirtualBoard Board { get; }

    /// <summary>The board as the natives see it (its configuration, crypto).</summary>
    public VirtualBoardHal Hal { get; }

    /// <summary>The MCU: nanoCLR, its output, its native call counts.</summary>
    public NanoClrHost Host { get; }

    /// <summary>Boots started.</summary>
    public int Boots { get { lock (_sync) return _boots; } }

    /// <summary>Reboots the firmware asked for (its reasons), oldest first.</summary>
    public IReadOnlyList<string> Reboots { get { lock (_sync) return _reboots.ToArray(); } }

    /// <summary>Resets carried out because the board's watchdog expired.</summary>
    public int WatchdogResets { get { lock (_sync) return _watchdogResets; } }

    /// <summary>Boots that a power cut ended (a part threw PowerLossException under the firmware).</summary>
    public int PowerCuts { get { lock (_sync) return _powerCuts; } }

    /// <summary>Boots whose program ended without a reset (a firmware that fell out of Main): restarted.</summary>
    public int HaltedBoots { get { lock (_sync) return _haltedBoots; } }

    /// <summary>This boot's "@@boot ..." line (the bootloader's decision, or why the boot failed); null until the firmware printed it.</summary>
    public string? LastBootLine { get { lock (_sync) return _lastBootLine; } }

    /// <summary>This boot's "@@app ..." line (the app it runs, or why it does not); null until printed.</summary>
    public string? LastAppLine { get { lock (_sync) return _lastAppLine; } }

    /// <summary>Installs the bootloader carried out, over every boot (from the "@@boot" lines).</summary>
    public int Installs { get { lock (_sync) return _installs; } }

    /// <summary>Rollbacks the bootloader carried out, over every boot.</summary>
    public int Rollbacks { get { lock (_sync) return _rollbacks; } }

    /// <summary>Boots whose firmware reported a failed start ("@@boot failed ...").</summary>
    public int BootFailures { get { lock (_sync) return _bootFailures; } }

    /// <summary>Why the last failed boot failed, or null.</summary>
    public string? LastBootError { get { lock (_sync) return _lastBootError; } }

    /// <summary>CC3000 recoveries over every boot (each boot's last status report).</summary>
    public int ModuleRecoveries { get { lock (_sync) return _recoveriesBefore + _status.ModuleRecoveries; } }

    /// <summary>The app's requests and failures over every boot.</summary>
    public (int Requests, int Failures) AppTotals { get { lock (_sync) return (_requestsBefore + _status.AppRequests, _failuresBefore + _status.AppFailures); } }

    /// <summary>Preemptions of user networking over every boot (each boot's last status report).</summary>
    public int TotalPreemptions { get { lock (_sync) return _preemptionsBefore + _status.Preemptions; } }

    /// <summary>The latency of the last preemption any boot reported (clock ticks), -1 before the first.</summary>
    public long LastPreemptionTicks { get { lock (_sync) return _lastPreemptionTicks; } }

    /// <summary>This boot's counters, as the firmware's last status report gave them.</summary>
    public NanoCoreStatus Status { get { lock (_sync) return _status; } }

    /// <summary>
    /// The highest managed heap in use on nanoCLR (total minus free after its last garbage collection) seen
    /// at any status report since start: the interpreter's heap, not the host process's.
    /// </summary>
    public long HeapHighWaterBytes => Interlocked.Read(ref _heapHighWater);

    /// <summary>The longest watchdog check-in gap, cloud session start and ping round trip any boot measured (ms).</summary>
    public (int CheckinGapMs, int SessionStartMs, int PingRoundTripMs) LongestTimings { get { lock (_sync) return _longestTimings; } }

    /// <summary>The longest SPI bus hold any boot's arbiter measured (clock ticks).</summary>
    public long LongestBusHoldTicks => Interlocked.Read(ref _longestBusHoldTicks);

    /// <summary>
    /// Manufacture, as a factory programmer writes the external flash before the MCU ever runs: the device
    /// keys into the keys region and, when given, the signed <paramref name="factoryImage"/> into the factory
    /// slot (the first boot installs it). Call before <see cref="Start"/>.
    /// </summary>
    public void Provision(DeviceKeys keys, byte[]? factoryImage)
    {
        if (_loop != null) throw new InvalidOperationException("provision before Start");
        var map = SparkCoreFlashLayout.Create();
        var flash = new Sst25Flash(Board.FlashDevice, new SpiBusArbiter(Board.Clock, SpiBusArbiter.DefaultMaxHoldMilliseconds, SpiBusArbiter.DefaultMaxWaiters), Board.Clock);
        flash.Initialize();
        keys.Write(flash, map.Keys);
        if (factoryImage != null)
        {
            if (factoryImage.Length > map.Factory.Size) throw new ArgumentException("the factory image does not fit the factory slot", nameof(factoryImage));
            flash.EraseRange(map.Factory.Start, (factoryImage.Length + 4095) / 4096 * 4096);
            flash.Program(map.Factory.Start, factoryImage, 0, factoryImage.Length);
        }
    }

    /// <summary>Starts the boot loop.</summary>
    public void Start()
    {
        if (_loop != null) throw new InvalidOperationException("already started");
        Board.Watchdog.Expired += OnWatchdogExpired;
        _loop = Board.Faults.Start("nanoCLR core boot loop", BootLoop);
    }

    /// <summary>Waits (bounded) until a line that <paramref name="match"/> accepts was printed.</summary>
    public bool WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Host.Lines.Any(match)) return true;
            if (_stop.Wait(50)) return false;
        }
        return Host.Lines.Any(match);
    }

    /// <summary>Stops the firmware and the boot loop; true when both ended within <paramref name="timeout"/>.</summary>
    public bool Stop(TimeSpan timeout)
    {
        _stop.Set();
        Thread? loop = _loop;
        return loop == null || loop.Join(timeout);
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(20));
        Board.Watchdog.Expired -= OnWatchdogExpired;
        Hal.Dispose();
    }

    // On the interpreter thread: the counters, and the heap as the last collection left it.
    private void OnStatus(int[] values)
    {
        var status = NanoCoreStatus.From(values);
        var (total, free) = Host.Heap;
        long inUse = total - free;
        lock (_sync)
        {
            _status = status;
            if (status.Preemptions > 0) _lastPreemptionTicks = status.LastPreemptionTicks;
            if (inUse > _heapHighWater) Interlocked.Exchange(ref _heapHighWater, inUse);
            if (status.LongestBusHoldTicks > _longestBusHoldTicks) Interlocked.Exchange(ref _longestBusHoldTicks, status.LongestBusHoldTicks);
            _longestTimings = (Math.Max(_longestTimings.CheckinGapMs, status.LongestCheckinGapMs),
                Math.Max(_longestTimings.SessionStartMs, status.LongestSessionStartMs),
                Math.Max(_longestTimings.PingRoundTripMs, status.LongestPingRoundTripMs));
        }
    }

    private void OnWatchdogExpired(object? sender, EventArgs e) => _watchdogExpired.Set();

    private void OnLine(string line)
    {
        if (line.StartsWith("@@boot ", StringComparison.Ordinal))
        {
            lock (_sync)
            {
                _lastBootLine = line;
                if (line.StartsWith("@@boot failed", StringComparison.Ordinal))
                {
                    _bootFailures++;
                    _lastBootError = line["@@boot failed".Length..].Trim();
                }
                _installs += Field(line, "installs");
                _rollbacks += Field(line, "rollbacks");
            }
        }
        else if (line.StartsWith("@@app ", StringComparison.Ordinal))
        {
            lock (_sync) _lastAppLine = line;
        }
    }

    /// <summary>The number after "name=" in a "@@boot" line; 0 when it has none.</summary>
    public static int Field(string line, string name)
    {
        int at = line.IndexOf(" " + name + "=", StringComparison.Ordinal);
        if (at < 0) return 0;
        int start = at + name.Length + 2, end = start;
        while (end < line.Length && char.IsDigit(line[end])) end++;
        return int.TryParse(line.AsSpan(start, end - start), out int value) ? value : 0;
    }

    private void BootLoop()
    {
        while (!_stop.IsSet)
        {
            _watchdogExpired.Reset();
            _powerLost.Reset();
            foreach (var pe in _deployments) Host.Load(pe);
            lock (_sync)
            {
                _boots++;
                _lastBootLine = null;
                _lastAppLine = null;
                // The last boot's counters go into the totals; this boot's start from zero.
                _recoveriesBefore += _status.ModuleRecoveries;
                _requestsBefore += _status.AppRequests;
                _failuresBefore += _status.AppFailures;
                _preemptionsBefore += _status.Preemptions;
                _status = NanoCoreStatus.None;
            }
            Host.Start();

            // The run ends by itself (a reset, or a program that fell out of Main), or the watchdog or Stop ends it.
            while (!Host.WaitForExit(TimeSpan.FromMilliseconds(50)) && !_watchdogExpired.IsSet && !_powerLost.IsSet && !_stop.IsSet)
            {
            }
            bool powerCut = _powerLost.IsSet;
            bool watchdog = !powerCut && _watchdogExpired.IsSet && !Host.HasExited;
            if (!Host.HasExited && !Host.Stop(TimeSpan.FromSeconds(30)))
                throw new InvalidOperationException("nanoCLR did not stop within 30 s; last native call " + Host.LastNativeCall);
            Hal.Detach();
            if (_stop.IsSet) return;

            string? reason = Host.ResetReason;
            lock (_sync)
            {
                if (powerCut) _powerCuts++;
                else if (watchdog) _watchdogResets++;
                else if (reason != null) _reboots.Add(reason);
                else _haltedBoots++;
            }
            Board.Reset(causedByWatchdog: watchdog);
        }
    }
}
