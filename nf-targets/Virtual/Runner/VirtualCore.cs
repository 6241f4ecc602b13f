using System.Net;
using CoreFirmware.Application.App;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Virtual.Runner;

/// <summary>
/// Runs the firmware on a <see cref="VirtualBoard"/> as the Core does: a boot loop on a host thread
/// builds the system runtime over the board's drivers of this boot, boots it, starts the user
/// thread with a fresh app, and waits until the runtime asks for a reboot (an OTA update that ended
/// "pending") or <see cref="Stop"/>. A reboot shuts the runtime down, stops the user thread (bounded),
/// resets the board (new drivers over the same parts; the flash keeps its contents) and boots again.
/// Every wait is bounded; a user thread that does not stop in time is counted and left behind (it
/// holds only the dead boot's drivers), as a real reset would simply cut it off.
/// </summary>
public sealed class VirtualCore : IDisposable
{
    private readonly object _sync = new();
    private readonly ManualResetEvent _stop = new(false);
    private readonly List<VirtualCoreReboot> _reboots = new();
    private readonly List<long> _latency = new();
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
    private string? _lastBootError;

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
    public int Reboots { get { lock (_sync) return _reboots.Count; } }

    /// <summary>Boots that threw (retried after <see cref="VirtualCoreOptions.BootRetryMilliseconds"/>).</summary>
    public int BootFailures { get { lock (_sync) return _bootFailures; } }

    /// <summary>Why the last boot threw, or null.</summary>
    public string? LastBootError { get { lock (_sync) return _lastBootError; } }

    /// <summary>User threads that did not stop within the bound at a reboot or stop.</summary>
    public int StuckUserThreads { get { lock (_sync) return _stuckUserThreads; } }

    /// <summary>The reason of the last reboot, or null.</summary>
    public string? LastRebootReason { get { lock (_sync) return _reboots.Count == 0 ? null : _reboots[^1].Reason; } }

    /// <summary>Every reboot so far, oldest first.</summary>
    public IReadOnlyList<VirtualCoreReboot> RebootHistory { get { lock (_sync) return _reboots.ToArray(); } }

    /// <summary>Preemption latency samples (clock ticks) of every boot that ended, oldest first (the broker is rebuilt per boot).</summary>
    public long[] LatencySamplesTicks { get { lock (_sync) return _latency.ToArray(); } }

    /// <summary>Raised on the boot-loop thread after a reboot request, before the runtime is shut down (the runtime is still whole).</summary>
    public event Action<VirtualCore, SystemRuntime>? RebootRequested;

    /// <summary>Raised on the boot-loop thread when a boot completed (runtime up, user thread started).</summary>
    public event Action<VirtualCore, SystemRuntime>? Booted;

    /// <summary>
    /// Writes the device keys into the flash's keys region (the flash driver of this boot is
    /// initialised first). Call before <see cref="Start"/>.
    /// </summary>
    public void Provision(DeviceKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (_loop != null) throw new InvalidOperationException("provision before Start");
        Board.Flash.Initialize();
        keys.Write(Board.Flash, SparkCoreFlashLayout.Create().Keys);
    }

    /// <summary>Starts the boot loop: the firmware connects to <paramref name="cloud"/> (IPv4) and runs a new app from <paramref name="appFactory"/> on every boot.</summary>
    public void Start(Func<IUserApp> appFactory, IPEndPoint cloud)
    {
        ArgumentNullException.ThrowIfNull(appFactory);
        ArgumentNullException.ThrowIfNull(cloud);
        if (cloud.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork) throw new ArgumentException("the cloud endpoint must be IPv4", nameof(cloud));
        if (_loop != null) throw new InvalidOperationException("already started");
        _appFactory = appFactory;
        _cloud = cloud;
        _loop = new Thread(BootLoop) { Name = "virtual-core boot loop", IsBackground = true };
        _loop.Start();
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

    private void BootLoop()
    {
        while (!_stop.WaitOne(0))
        {
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
                if (_stop.WaitOne(Options.BootRetryMilliseconds)) return;
                Board.Reset();
                continue;
            }

            Booted?.Invoke(this, runtime);
            int which = WaitHandle.WaitAny(new[] { runtime.RebootRequested, _stop });
            if (which != 0)
            {
                ShutDown(runtime, user, null);
                return;
            }

            RebootRequested?.Invoke(this, runtime);
            ShutDown(runtime, user, runtime.RebootReason);
            Board.Reset();
        }
    }

    private (SystemRuntime, UserThread?) BootOnce()
    {
        HostCrypto crypto = new();
        var parts = new SystemParts
        {
            Flash = Board.Flash,
            FlashMap = SparkCoreFlashLayout.Create(),
            Cc3000 = Board.Cc3000Driver,
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
            UserPreemption = Options.PreemptionEnabled,
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

        // Safe mode (D0 high at boot): no user app this boot.
        IUserApp? app = runtime.SafeMode ? null : _appFactory!();
        UserThread? user = app == null ? null
            : new UserThread(app, new UserAppContext(Board.Serial1, Board.D0, Board.UserLed, runtime.UserSockets, Board.Clock, runtime.Updates));
        lock (_sync)
        {
            _runtime = runtime;
            _app = app;
            _user = user;
            _crypto = crypto;
            _boots++;
        }
        user?.Start();
        return (runtime, user);
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
        bool userStopped = user == null || user.Stop(Options.StopTimeoutMilliseconds);
        HostCrypto? crypto;
        lock (_sync)
        {
            if (!userStopped) _stuckUserThreads++;
            for (int i = 0; i < n; i++) _latency.Add(samples[i]);
            if (reason != null)
            {
                _reboots.Add(new VirtualCoreReboot(_boots, reason, samples[..n], aborted, preempted, refused, userStopped, cloudStopped));
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
    }
}
