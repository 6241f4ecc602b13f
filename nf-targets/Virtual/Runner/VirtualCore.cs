using CoreFirmware.Drivers.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using CoreFirmware.Application.App;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.NegativeRuns;

namespace CoreFirmware.Virtual.Runner;

/// <summary>
/// Runs the firmware on a <see cref="VirtualBoard"/> as the Core does: a boot loop on a host thread
/// builds the system runtime over the board's drivers of this boot, boots it, starts the user
/// thread with a fresh app, and waits until the runtime asks for a reboot (an OTA update that ended
/// "pending") or <see cref="Stop"/>. A reboot shuts the runtime down, stops the user thread (bounded),
/// resets the board (new drivers over the same parts; the flash keeps its contents) and boots again.
/// Every wait is bounded; a user thread that does not stop in time is counted and left behind (it
/// holds only the dead boot's drivers), as a real reset would simply cut it off.
/// <para>Watchdog: the board's <see cref="VirtualWatchdog"/> is handed to the runtime (unless
/// <see cref="VirtualCoreOptions.WatchdogEnabled"/> is false). When it expires the loop treats it as
/// the hardware reset it is: the runtime is shut down (bounded), the board is reset with the watchdog
/// as the cause (the next boot reads <c>LastResetWasWatchdog</c> true), the reboot is recorded with
/// reason <see cref="WatchdogRebootReason"/> and counted in <see cref="WatchdogResets"/>. A user-app
/// fault (an exception escaping the user thread) goes to <see cref="SystemRuntime.ReportUserFault(string, int)"/>:
/// red SOS, feeding stops, the watchdog resets the board.</para>
/// <para>Boot path (Ota/Boot/BOOT-DESIGN.md): every boot first runs the <see cref="Bootloader"/> over
/// the board's flash parts (install, test boot, rollback, factory fallback), then the runtime with
/// its decision, then the app: by default the assembly in the application slot's payload, loaded
/// by <see cref="SlotAppLoader"/>, so an OTA really changes what runs. A factory given to
/// <see cref="Start(Func{IUserApp}, IPEndPoint)"/> replaces the slot's app (tests that need a
/// particular app object); the bootloader still runs. An app that does not load is a user fault.</para>
/// </summary>
public sealed class VirtualCore : IDisposable
{
    private readonly object _sync = new();
    private readonly ManualResetEvent _stop = new(false);
    // Bounded history: a soak reboots thousands of times; counts are kept whole, details of the last ones only.
    private readonly Queue<VirtualCoreReboot> _reboots = new();
    private readonly Queue<long> _latency = new();
    private int _rebootCount;
    private string? _lastRebootReason;
    private readonly ManualResetEvent _watchdogExpired = new(false);
    private Thread? _loop;
    private Func<IUserApp>? _appFactory;
    private IPEndPoint? _cloud;
    private SystemRuntime? _runtime;
    private IUserApp? _app;
    private UserThread? _user;
    private HostCrypto? _crypto;
    private int _boots;
    private int _bootFailures;
    private int _stuckUserThreads;
    private int _watchdogResets;
    private int _userFaults;
    private string? _lastBootError;
    private readonly SlotAppLoader _loader = new();
    private BootDecision? _lastDecision;
    private string? _lastAppName;
    private int _installs;
    private int _rollbacks;
    private int _factoryRestores;
    private int _appLoadFailures;
    private long _lastBootloaderTicks;

    /// <summary>Reboots whose details <see cref="RebootHistory"/> keeps (the last ones).</summary>
    public const int RebootHistoryCapacity = 64;

    /// <summary>Preemption latency samples <see cref="LatencySamplesTicks"/> keeps (the last ones).</summary>
    public const int LatencyHistoryCapacity = 4096;

    /// <summary>The reboot reason recorded when the hardware watchdog reset the board.</summary>
    public const string WatchdogRebootReason = "watchdog";

    // The name of the boot loop's thread (what Board.Faults names when the loop itself fails).
    private const string BootLoopName = "virtual-core boot loop";

    public VirtualCore(VirtualBoard board, VirtualCoreOptions? options = null)
    {
        Board = board ?? throw new ArgumentNullException(nameof(board));
        Options = options ?? new VirtualCoreOptions();
    }

    public VirtualBoard Board { get; }

    public VirtualCoreOptions Options { get; }

    /// <summary>This boot's runtime (null before the first boot and between boots).</summary>
    public SystemRuntime? Runtime { get { lock (_sync) return _runtime; } }

    /// <summary>This boot's app (null before the first boot).</summary>
    public IUserApp? CurrentApp { get { lock (_sync) return _app; } }

    /// <summary>This boot's user thread.</summary>
    public UserThread? CurrentUserThread { get { lock (_sync) return _user; } }

    /// <summary>Firmware boots that completed (runtime booted, user thread started).</summary>
    public int Boots { get { lock (_sync) return _boots; } }

    /// <summary>Reboots asked for by the firmware and carried out.</summary>
    public int Reboots { get { lock (_sync) return _rebootCount; } }

    /// <summary>Boots that threw (retried after <see cref="VirtualCoreOptions.BootRetryMilliseconds"/>).</summary>
    public int BootFailures { get { lock (_sync) return _bootFailures; } }

    /// <summary>Why the last boot threw, or null.</summary>
    public string? LastBootError { get { lock (_sync) return _lastBootError; } }

    /// <summary>Resets carried out because the board's watchdog expired.</summary>
    public int WatchdogResets { get { lock (_sync) return _watchdogResets; } }

    /// <summary>User-app faults (exceptions escaping the user thread) reported to the runtime.</summary>
    public int UserFaults { get { lock (_sync) return _userFaults; } }

    /// <summary>User threads that did not stop within the bound at a reboot or stop.</summary>
    public int StuckUserThreads { get { lock (_sync) return _stuckUserThreads; } }

    /// <summary>The reason of the last reboot, or null.</summary>
    public string? LastRebootReason { get { lock (_sync) return _lastRebootReason; } }

    /// <summary>The last <see cref="RebootHistoryCapacity"/> reboots, oldest first.</summary>
    public IReadOnlyList<VirtualCoreReboot> RebootHistory { get { lock (_sync) return _reboots.ToArray(); } }

    /// <summary>
    /// Preemption latency samples (clock ticks) of the boots that ended, oldest first (the broker is
    /// rebuilt per boot): the last <see cref="LatencyHistoryCapacity"/>.
    /// </summary>
    public long[] LatencySamplesTicks { get { lock (_sync) return _latency.ToArray(); } }

    /// <summary>The bootloader's decision of the current (or last) boot; null before the first.</summary>
    public BootDecision? LastBootDecision { get { lock (_sync) return _lastDecision; } }

    /// <summary>How long the bootloader of the current (or last) boot ran (install, rollback or nothing), in clock ticks.</summary>
    public long LastBootloaderTicks { get { lock (_sync) return _lastBootloaderTicks; } }

    /// <summary>Packed version of the image the last boot ran (0 in safe mode without an image).</summary>
    public uint RunningVersion { get { lock (_sync) return _lastDecision?.RunApplication == true ? _lastDecision.ActiveVersion : 0; } }

    /// <summary>"1.2.3" of <see cref="RunningVersion"/>.</summary>
    public string RunningVersionText => PackedImageVersion.ToText(RunningVersion);

    /// <summary>Installs (staging into the application slot) the bootloader carried out.</summary>
    public int Installs { get { lock (_sync) return _installs; } }

    /// <summary>Rollbacks (backup into the application slot) the bootloader carried out.</summary>
    public int Rollbacks { get { lock (_sync) return _rollbacks; } }

    /// <summary>Factory restores (factory image into the application slot) the bootloader carried out; the first boot of a new board is one.</summary>
    public int FactoryRestores { get { lock (_sync) return _factoryRestores; } }

    /// <summary>Boots whose application payload could not be loaded (counted as user faults too).</summary>
    public int AppLoadFailures { get { lock (_sync) return _appLoadFailures; } }

    /// <summary>Type of the app the last boot ran from the slot (null with an app factory or in safe mode).</summary>
    public string? LastAppName { get { lock (_sync) return _lastAppName; } }

    /// <summary>Wraps the app loaded from the slot before it runs (e.g. a gate that pauses it); null: run it as loaded.</summary>
    public Func<IUserApp, IUserApp>? AppWrapper { get; set; }

    /// <summary>Raised on the boot-loop thread after a reboot request, before the runtime is shut down (the runtime is still whole).</summary>
    public event Action<VirtualCore, SystemRuntime>? RebootRequested;

    /// <summary>Raised on the boot-loop thread when a boot completed (runtime up, user thread started).</summary>
    public event Action<VirtualCore, SystemRuntime>? Booted;

    /// <summary>
    /// Writes the device keys into the flash's keys region (the flash driver of this boot is
    /// initialised first). Call before <see cref="Start(IPEndPoint)"/>.
    /// </summary>
    public void Provision(DeviceKeys keys) => Provision(keys, null);

    /// <summary>
    /// Manufacture: writes the device keys into the keys region and, when given, the signed
    /// <paramref name="factoryImage"/> into the factory slot (the first boot installs it into the
    /// application slot). Call before <see cref="Start(IPEndPoint)"/>.
    /// </summary>
    public void Provision(DeviceKeys keys, byte[]? factoryImage)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (_loop != null) throw new InvalidOperationException("provision before Start");
        var map = SparkCoreFlashLayout.Create();
        Board.Flash.Initialize();
        keys.Write(Board.Flash, map.Keys);
        if (factoryImage != null)
        {
            if (factoryImage.Length > map.Factory.Size) throw new ArgumentException("the factory image does not fit the factory slot", nameof(factoryImage));
            Board.Flash.EraseRange(map.Factory.Start, (factoryImage.Length + 4095) / 4096 * 4096);
            Board.Flash.Program(map.Factory.Start, factoryImage, 0, factoryImage.Length);
        }
    }

    /// <summary>Starts the boot loop: the firmware connects to <paramref name="cloud"/> (IPv4) and runs the app in the application slot on every boot.</summary>
    public void Start(IPEndPoint cloud) => StartLoop(null, cloud);

    /// <summary>Starts the boot loop: the firmware connects to <paramref name="cloud"/> (IPv4) and runs a new app from <paramref name="appFactory"/> on every boot (instead of the slot's).</summary>
    public void Start(Func<IUserApp> appFactory, IPEndPoint cloud)
    {
        ArgumentNullException.ThrowIfNull(appFactory);
        StartLoop(appFactory, cloud);
    }

    private void StartLoop(Func<IUserApp>? appFactory, IPEndPoint cloud)
    {
        ArgumentNullException.ThrowIfNull(cloud);
        if (cloud.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) throw new ArgumentException("the cloud endpoint must be IPv4", nameof(cloud));
        if (_loop != null) throw new InvalidOperationException("already started");
        _appFactory = appFactory;
        _cloud = cloud;
        _loop = Board.Faults.Start(BootLoopName, BootLoop);
    }

    /// <summary>Waits (bounded) until at least <paramref name="boots"/> boots completed.</summary>
    public bool WaitForBoots(int boots, int timeoutMilliseconds)
    {
        long end = Environment.TickCount64 + timeoutMilliseconds;
        while (Boots < boots)
        {
            if (Environment.TickCount64 > end) return false;
            Thread.Sleep(5);
        }
        return true;
    }

    /// <summary>
    /// Stops the firmware (user thread, cloud link, WiFi module) and the boot loop. True when everything
    /// ended within <paramref name="timeoutMilliseconds"/>.
    /// </summary>
    public bool Stop(int timeoutMilliseconds)
    {
        _stop.Set();
        Thread? loop = _loop;
        return loop == null || loop.Join(timeoutMilliseconds);
    }

    private void OnWatchdogExpired(object? sender, EventArgs e)
    {
        try
        {
            _watchdogExpired.Set();
        }
        catch (ObjectDisposedException)
        {
            // The core was disposed with its loop left behind: nothing to reset any more.
        }
    }

    private void BootLoop()
    {
        Board.Watchdog.Expired += OnWatchdogExpired;
        try
        {
            RunBoots();
        }
        finally
        {
            Board.Watchdog.Expired -= OnWatchdogExpired;
        }
    }

    private void RunBoots()
    {
        while (!_stop.WaitOne(0) && RunOneBoot())
        {
        }
    }

    // One boot, from the bootloader to the reset that ends it; false when the core was stopped. A
    // frame of its own: when it returns, nothing of the boot stays on the loop's stack. (With the
    // boot inlined in the loop, a stack slot of the loop kept the previous boot's user thread, and
    // through it the app and its load context, alive until the next boot overwrote the slot.)
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RunOneBoot()
    {
        // An expiry during the previous shutdown is history: Board.Reset stopped the countdown.
        _watchdogExpired.Reset();
        SystemRuntime runtime;
        UserThread? user;
        try
        {
            (runtime, user) = BootOnce();
        }
        catch (Exception e)
        {
            lock (_sync)
            {
                _bootFailures++;
                _lastBootError = e.Message;
            }
            if (_stop.WaitOne(Options.BootRetryMilliseconds)) return false;
            Board.Reset();
            return true;
        }

        Raise(Booted, runtime, nameof(Booted));
        int which = WaitHandle.WaitAny(new[] { runtime.RebootRequested, _stop, _watchdogExpired });
        if (which == 1)
        {
            ShutDown(runtime, user, null);
            return false;
        }

        if (which == 2)
        {
            // The hardware reset: on a board everything just stops; here the threads get their
            // bounded shutdown, then the board resets with the watchdog as the cause.
            lock (_sync) _watchdogResets++;
            ShutDown(runtime, user, WatchdogRebootReason);
            Board.Reset(causedByWatchdog: true);
            return true;
        }

        Raise(RebootRequested, runtime, nameof(RebootRequested));
        ShutDown(runtime, user, runtime.RebootReason);
        Board.Reset();
        return true;
    }

    // An observer's handler that throws is its fault, not the board's: reported, and the loop goes on.
    private void Raise(Action<VirtualCore, SystemRuntime>? handlers, SystemRuntime runtime, string name)
    {
        try
        {
            handlers?.Invoke(this, runtime);
        }
        catch (Exception e)
        {
            Board.Faults.Report(BootLoopName + " (" + name + " handler)", e);
        }
    }

    private (SystemRuntime, UserThread?) BootOnce()
    {
        HostCrypto crypto = new();
        BootDecision decision;
        var map = SparkCoreFlashLayout.Create();
        try
        {
            // The bootloader runs first, over this boot's drivers; a flash error is a failed boot (retried).
            Board.Flash.Initialize();
            DeviceKeys keys = DeviceKeys.Read(Board.Flash, map.Keys)
                ?? throw new InvalidOperationException("no device keys in the flash's keys region: provision the board first");
            var verifier = new ImageVerifier(crypto, keys.ImagePublicKey, SparkCoreBoard.ImageBoardId);
            Bootloader bootloader = Options.TestBootEnabled
                ? new Bootloader(Board.Flash, map, Board.InternalFlash, verifier, Board.Watchdog)
                : new BootloaderWithoutTestBoot(Board.Flash, map, Board.InternalFlash, verifier, Board.Watchdog);
            long bootloaderStart = Board.Clock.UptimeTicks;
            decision = bootloader.Run();
            lock (_sync) _lastBootloaderTicks = Board.Clock.UptimeTicks - bootloaderStart;
        }
        catch
        {
            crypto.Dispose();
            throw;
        }

        lock (_sync)
        {
            _lastDecision = decision;
            _installs += decision.Installs;
            _rollbacks += decision.Rollbacks;
            _factoryRestores += decision.FactoryRestores;
        }

        // One log for the system's threads of this boot, the WiFi driver's event thread with them.
        var threadFaults = new ThreadFaultLog();
        Board.Cc3000Driver.ThreadFaults = threadFaults;
        var parts = new SystemParts
        {
            ThreadFaults = threadFaults,
            BootDecision = decision,
            AutoConfirmMilliseconds = Options.AutoConfirmMilliseconds,
            Flash = Board.Flash,
            FlashMap = map,
            Cc3000 = Options.WifiModule?.Invoke(Board) ?? Board.Cc3000Driver,
            Crypto = crypto,
            Clock = Board.Clock,
            StatusLed = Board.RgbLed,
            SafeModePin = Board.D0,
            Ssid = Board.Options.AccessPointSsid,
            Key = Board.Options.AccessPointKey,
            CloudIpv4 = ToHostOrder(_cloud!.Address),
            CloudPort = _cloud.Port,
            FirmwareVersion = Options.FirmwareVersion,
            ImageBoardId = SparkCoreBoard.ImageBoardId,
            UserPreemptionProvider = Options.PreemptionEnabled ? null : NoUserPreemption.Instance,
            SystemSockets = Options.SystemSockets?.Invoke(Board.Cc3000Driver.CreateSocketView(BusPriority.SystemNetwork)),
            Watchdog = Options.WatchdogEnabled ? Board.Watchdog : null,
            WatchdogCheckinTimeoutMilliseconds = Options.WatchdogCheckinTimeoutMilliseconds,
            WatchdogHardwareTimeoutMilliseconds = Options.WatchdogHardwareTimeoutMilliseconds,
            WatchdogFeedPeriodMilliseconds = Options.WatchdogFeedPeriodMilliseconds,
        };
        var runtime = new SystemRuntime(parts);
        try
        {
            runtime.Boot();
        }
        catch
        {
            runtime.Shutdown(Options.StopTimeoutMilliseconds);
            crypto.Dispose();
            throw;
        }

        // Safe mode (D0 high at boot, the cloud's request, or no valid image): no user app this boot.
        IUserApp? app = null;
        string? appName = null;
        string? loadError = null;
        if (!runtime.SafeMode)
        {
            if (_appFactory != null)
            {
                app = _appFactory();
            }
            else
            {
                try
                {
                    app = _loader.Load(Board.InternalFlash, decision);
                    appName = _loader.AppTypeName;
                    if (AppWrapper != null) app = AppWrapper(app);
                }
                catch (AppLoadException e)
                {
                    loadError = e.Message;
                }
            }
        }

        UserThread? user = app == null ? null
            : new UserThread(app, new UserAppContext(Board.Serial1, Board.D0, Board.UserLed, runtime.UserSockets, Board.Clock, runtime.Updates, runtime.Deployment, runtime.DeviceCloud));
        if (user != null) user.FaultHandler = (_, fault) => OnUserFault(runtime, fault);
        lock (_sync)
        {
            _runtime = runtime;
            _app = app;
            _user = user;
            _crypto = crypto;
            _lastAppName = appName;
            _boots++;
            if (loadError != null)
            {
                _appLoadFailures++;
                _userFaults++;
            }
        }

        // An app that does not load is the device's crash at start: SOS, then the watchdog.
        if (loadError != null) runtime.ReportUserFault("app load: " + loadError, SystemRuntime.UserFaultSosCode);
        user?.Start();
        return (runtime, user);
    }

    // The user thread's fault callback (on that thread): the runtime shows SOS and stops feeding the watchdog.
    private void OnUserFault(SystemRuntime runtime, Exception fault)
    {
        lock (_sync) _userFaults++;
        int code = fault is OutOfMemoryException ? SystemRuntime.OutOfMemorySosCode : SystemRuntime.UserFaultSosCode;
        runtime.ReportUserFault("user app: " + fault.GetType().Name + ": " + fault.Message, code);
    }

    // A reset, in order: the user loop is asked to end, user networking is taken away (a blocked user
    // call returns), the cloud link and the module stop, then the user thread gets its bounded wait.
    private void ShutDown(SystemRuntime runtime, UserThread? user, string? reason)
    {
        SocketBroker broker = runtime.Broker;
        var samples = new long[SocketBroker.LatencySampleCapacity];
        int n = broker.CopyLatencySamples(samples, 0);
        int aborted = broker.SocketsAborted, preempted = broker.PreemptedCalls, refused = broker.RefusedCalls;

        user?.Stop(0);
        bool cloudStopped = runtime.Shutdown(Options.StopTimeoutMilliseconds);
        // A firmware thread that failed rebooted the board (the runtime asked); the host's record of
        // faults names it too, so a test or the scenario fails on it instead of seeing only a reboot.
        ThreadFaultLog? faults = runtime.ThreadFaults;
        for (int i = 0; faults != null && i < faults.Kept; i++)
        {
            Board.Faults.Report("firmware thread '" + faults.ThreadAt(i) + "'", faults.ExceptionAt(i));
        }
        bool userStopped = user == null || user.Stop(Options.StopTimeoutMilliseconds);
        if (userStopped) _loader.Unload(); // a stuck thread keeps its app's code alive
        HostCrypto? crypto;
        lock (_sync)
        {
            if (!userStopped) _stuckUserThreads++;
            for (int i = 0; i < n; i++)
            {
                if (_latency.Count == LatencyHistoryCapacity) _latency.Dequeue();
                _latency.Enqueue(samples[i]);
            }
            if (reason != null)
            {
                if (_reboots.Count == RebootHistoryCapacity) _reboots.Dequeue();
                _reboots.Enqueue(new VirtualCoreReboot(_boots, reason, samples[..n], aborted, preempted, refused, userStopped, cloudStopped));
                _rebootCount++;
                _lastRebootReason = reason;
            }
            _runtime = null;
            crypto = _crypto;
            _crypto = null;
        }
        if (cloudStopped) crypto?.Dispose();
    }

    private static uint ToHostOrder(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }

    public void Dispose()
    {
        Stop(Options.StopTimeoutMilliseconds);
        _stop.Dispose();
        _watchdogExpired.Dispose();
        _loader.Dispose();
    }
}
