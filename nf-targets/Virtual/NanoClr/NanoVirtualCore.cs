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
/// with the watchdog as the cause), or at <see cref="Stop"/>; then the board resets and the loop boots
/// again. The board must be built with <see cref="VirtualBoardOptions.HostDrivers"/> false.
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
    private readonly List<string> _reboots = new();
    private readonly IReadOnlyList<string> _deployments;
    private Thread? _loop;
    private int _boots;
    private int _watchdogResets;
    private int _haltedBoots;
    private string? _lastBootLine;
    private string? _lastAppLine;

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

    /// <summary>Boots whose program ended without a reset (a firmware that fell out of Main): restarted.</summary>
    public int HaltedBoots { get { lock (_sync) return _haltedBoots; } }

    /// <summary>This boot's "@@boot ..." line (the bootloader's decision, or why the boot failed); null until the firmware printed it.</summary>
    public string? LastBootLine { get { lock (_sync) return _lastBootLine; } }

    /// <summary>This boot's "@@app ..." line (the app it runs, or why it does not); null until printed.</summary>
    public string? LastAppLine { get { lock (_sync) return _lastAppLine; } }

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

    private void OnWatchdogExpired(object? sender, EventArgs e) => _watchdogExpired.Set();

    private void OnLine(string line)
    {
        if (line.StartsWith("@@boot ", StringComparison.Ordinal)) lock (_sync) _lastBootLine = line;
        else if (line.StartsWith("@@app ", StringComparison.Ordinal)) lock (_sync) _lastAppLine = line;
    }

    private void BootLoop()
    {
        while (!_stop.IsSet)
        {
            _watchdogExpired.Reset();
            foreach (var pe in _deployments) Host.Load(pe);
            lock (_sync)
            {
                _boots++;
                _lastBootLine = null;
                _lastAppLine = null;
            }
            Host.Start();

            // The run ends by itself (a reset, or a program that fell out of Main), or the watchdog or Stop ends it.
            while (!Host.WaitForExit(TimeSpan.FromMilliseconds(50)) && !_watchdogExpired.IsSet && !_stop.IsSet)
            {
            }
            bool watchdog = _watchdogExpired.IsSet && !Host.HasExited;
            if (!Host.HasExited && !Host.Stop(TimeSpan.FromSeconds(30)))
                throw new InvalidOperationException("nanoCLR did not stop within 30 s; last native call " + Host.LastNativeCall);
            Hal.Detach();
            if (_stop.IsSet) return;

            string? reason = Host.ResetReason;
            lock (_sync)
            {
                if (watchdog) _watchdogResets++;
                else if (reason != null) _reboots.Add(reason);
                else _haltedBoots++;
            }
            Board.Reset(causedByWatchdog: watchdog);
        }
    }
}
