using System.Diagnostics;
using CoreFirmware.Application.App;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Cloud;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Drivers.Cc3000;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.Virtual.Diagnostics;
using CoreFirmware.Virtual.Runner;
using CoreFirmware.Virtual.Ticker;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// The whole system on one machine, driven through update cycles: the local cloud (device server +
/// REST API on ephemeral ports, a registry in a temp folder), the ticker server, a virtual board and
/// the <see cref="VirtualCore"/> running the seed's Bitcoin ticker app with no delay. Each cycle
/// flashes the next image version (<see cref="ScenarioImages"/>) through the cloud while the app
/// hammers the ticker server (or, every <see cref="ScenarioOptions.IdleEvery"/>-th cycle, with the app
/// paused), injects the cycle's fault, waits for the reboot into the new version (or the abort the
/// fault should cause) and for the app to run again, checks the image the device is on
/// (<see cref="ImageCheck"/>) and records a <see cref="CycleResult"/>. Every wait is a phase with a
/// progress probe: no progress for <see cref="ScenarioOptions.LockupTimeout"/> is a lockup.
/// </summary>
public sealed class ScenarioRunner : IAsyncDisposable
{
    /// <summary>Whole cycle results kept of the last cycles (the live view shows a few; a long soak must not keep them all).</summary>
    public const int KeptCycles = 200;

    /// <summary>Whole results kept of cycles that did not end well (lockup, failure, invalid image), the first ones.</summary>
    public const int KeptFailures = 100;

    public const string TickerHost = "ticker.local";
    public const string TickerPath = "/v2/ticker/btcusd";
    private const uint Loopback = 0x7F000001;
    private const int PollMilliseconds = 10;

    private readonly object _sync = new();
    // Every cycle as figures; whole results of the last KeptCycles and the first KeptFailures that did not end well.
    private readonly List<CycleFigures> _figures = new();
    private readonly Queue<CycleResult> _recent = new();
    private readonly List<CycleResult> _failures = new();
    private readonly Random _random;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _folder;
    private long _heapHighWater;
    private int _corruptFaults;
    private int _nextRevision = 1;
    private string _phase = "starting";
    private FlashJob? _job;
    private int _cycle;
    private string _version = "";
    private FaultKind _fault;
    private bool _idle;

    private ScenarioRunner(ScenarioOptions options, string folder, LocalCloud cloud, DeviceKeyPair keys)
    {
        Options = options;
        _folder = folder;
        Cloud = cloud;
        Keys = keys;
        _random = new Random(options.Seed);
        bool nano = options.Clr == ScenarioClr.Nano;
        // On nanoCLR the app slot's payload is the ticker app's deployment (.pe); on CoreCLR its assembly.
        Images = new ScenarioImages(cloud, nano ? NanoClr.NanoScenarioCore.TickerPePath : ScenarioImages.PayloadPath);
        Board = new VirtualBoard(new VirtualBoardOptions { FlashTiming = options.FlashTiming, HostDrivers = !nano });
        // A 1 s hardware watchdog (firmware default 4 s) so a bad release's resets take seconds, not tens.
        Device = nano
            ? new NanoClr.NanoScenarioCore(Board, (ipv4, port) => new NanoClr.NanoBoardConfiguration
            {
                CloudIpv4 = ipv4,
                CloudPort = port,
                AutoConfirmMilliseconds = options.AutoConfirmMilliseconds,
                WatchdogHardwareTimeoutMilliseconds = 1000,
                WatchdogFeedPeriodMilliseconds = 200,
                AccessPointSsid = Board.Options.AccessPointSsid,
                AccessPointKey = Board.Options.AccessPointKey,
            })
            : new CoreClrScenarioCore(Board, new VirtualCoreOptions
            {
                AutoConfirmMilliseconds = options.AutoConfirmMilliseconds,
                WatchdogHardwareTimeoutMilliseconds = 1000,
                WatchdogFeedPeriodMilliseconds = 200,
            }, Gate);
    }

    public ScenarioOptions Options { get; }

    /// <summary>The cloud's registry folder (device keys, image signing key); deleted when the runner is disposed.</summary>
    public string RegistryFolder => _folder;
    public LocalCloud Cloud { get; }
    public DeviceKeyPair Keys { get; }
    public string DeviceId => Keys.IdHex;
    public TickerServer Ticker { get; } = new();
    public VirtualBoard Board { get; }

    /// <summary>The device under the scenario, on the CLR the options chose.</summary>
    public IScenarioCore Device { get; }

    /// <summary>The CoreCLR core (the live view's and the tests' view of the firmware's objects); throws on nanoCLR.</summary>
    public VirtualCore Core => (Device as CoreClrScenarioCore)?.Core
        ?? throw new InvalidOperationException("the firmware runs on nanoCLR: its objects are inside the interpreter (see Device)");
    public ScenarioImages Images { get; }
    public AppGate Gate { get; } = new();

    /// <summary>What the runner is doing now (for the live view).</summary>
    public string Phase { get { lock (_sync) return _phase; } }

    /// <summary>The cycle under way (1-based; 0 before the first).</summary>
    public int CurrentCycle { get { lock (_sync) return _cycle; } }

    public string CurrentVersion { get { lock (_sync) return _version; } }
    public FaultKind CurrentFault { get { lock (_sync) return _fault; } }
    public bool CurrentIdle { get { lock (_sync) return _idle; } }

    /// <summary>The flash of the cycle under way (or the last one), for its progress.</summary>
    public FlashJob? CurrentJob { get { lock (_sync) return _job; } }

    /// <summary>Whole results kept so far (see <see cref="ScenarioSummary.Cycles"/>), in cycle order.</summary>
    public IReadOnlyList<CycleResult> Results
    {
        get
        {
            lock (_sync) return _failures.Where(f => _recent.Count == 0 || f.Cycle < _recent.Peek().Cycle).Concat(_recent).ToArray();
        }
    }

    /// <summary>Every cycle finished so far, as figures.</summary>
    public IReadOnlyList<CycleFigures> Figures { get { lock (_sync) return _figures.ToArray(); } }

    /// <summary>The counters of this boot's app (unwrapped), or null (safe mode, or an app without counters).</summary>
    public IAppCounters? App => (Device as CoreClrScenarioCore)?.App;

    /// <summary>CC3000 recoveries summed over every boot's driver.</summary>
    public int ModuleRecoveries => Device.ModuleRecoveries;

    /// <summary>Requests and failures summed over every boot's app.</summary>
    public (int Requests, int Failures) AppTotals => Device.AppTotals;

    public long HeapHighWaterBytes => Interlocked.Read(ref _heapHighWater);

    /// <summary>Builds and starts everything; returns once the device is online (or throws after the lockup bound).</summary>
    public static async Task<ScenarioRunner> StartAsync(ScenarioOptions options, CancellationToken ct = default)
    {
        string folder = Path.Combine(Path.GetTempPath(), "corefw-scenario-" + Guid.NewGuid().ToString("N"));
        LocalCloud cloud = await LocalCloud.StartAsync(new LocalCloudOptions
        {
            RegistryFolder = folder,
            DevicePort = 0,
            ApiPort = 0,
            Server = new DeviceServerOptions
            {
                HandshakeStepTimeout = TimeSpan.FromSeconds(5),
                HelloTimeout = TimeSpan.FromSeconds(5),
                IdleTimeout = TimeSpan.FromSeconds(20),
            },
            Api = new CloudApiOptions { StartWait = TimeSpan.FromSeconds(20), FlashDefaults = FlashTimeouts },
        }, ct);
        DeviceKeyPair keys = cloud.Registry.CreateDevice(name: "virtual-core");
        var runner = new ScenarioRunner(options, folder, cloud, keys);
        try
        {
            // Manufacture: keys and the ticker app 1.0.0 in the factory slot; the first boot installs it.
            runner.Device.Provision(new DeviceKeys(keys.Id, keys.PrivateKeyDer, keys.PublicKeyDer, cloud.Registry.ServerPublicKeyDer, keys.ImagePublicKey!),
                runner.Images.Build(0));
            runner.Board.Cc3000.Model.SetHost(TickerHost, Loopback);
            // The app talks to ticker.local:80; the virtual internet carries that to the ticker server's port.
            runner.Board.Cc3000.Model.ForwardPort(Loopback, 80, runner.Ticker.Port);
            runner.Device.Start(cloud.DeviceEndPoint);
            bool online = await runner.WaitPhase("booting", () => runner.Online(), () => runner.Device.Boots + runner.Device.BootFailures * 7L, ct);
            if (!online) throw new TimeoutException($"the virtual core ({runner.Device.Clr}) did not come online within {options.LockupTimeout.TotalSeconds:0} s (boot failures {runner.Device.BootFailures}: {runner.Device.LastBootError})");
            return runner;
        }
        catch
        {
            await runner.DisposeAsync();
            throw;
        }
    }

    /// <summary>Flash timeouts: the device's own bounds stay the judge; these keep a cloud wait short on a loaded machine.</summary>
    public static FlashOptions FlashTimeouts() => new()
    {
        UpdateReadyTimeout = TimeSpan.FromSeconds(3),
        UpdateBeginAttempts = 2,
        ChunkAckTimeout = TimeSpan.FromSeconds(3),
        FastQuietPeriod = TimeSpan.FromMilliseconds(500),
        UpdateDoneTimeout = TimeSpan.FromSeconds(5),
        OverallTimeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>
    /// Runs the cycles (or until <paramref name="ct"/> is cancelled, or <see cref="ScenarioOptions.MaxConsecutiveLockups"/>
    /// lockups in a row), calling <paramref name="onCycle"/> after each, and returns the summary.
    /// </summary>
    public async Task<ScenarioSummary> RunAsync(Action<CycleResult>? onCycle = null, CancellationToken ct = default)
    {
        string? stopped = null;
        int loaded = 0, lockupsInARow = 0;
        var started = Stopwatch.StartNew();
        for (int n = 1; n <= Options.Cycles; n++)
        {
            bool idle = Options.IdleEvery > 0 && n % Options.IdleEvery == 0;
            FaultKind fault = idle ? FaultKind.None : Options.Faults.ForLoadedCycle(loaded++);
            CycleResult result = await RunCycleAsync(n, idle, fault, ct);
            // What the host holds between cycles: the drift table's threads and heap, one full collection each.
            Sample(); // let go of the previous boot's app if the last poll still held it
            result = result with { Host = HostResources.Take(collections: 1) };
            Keep(result);
            onCycle?.Invoke(result);
            if (result.Outcome == CycleOutcome.Cancelled)
            {
                stopped = "stopped by the user";
                break;
            }

            lockupsInARow = result.Outcome == CycleOutcome.Lockup ? lockupsInARow + 1 : 0;
            if (lockupsInARow >= Options.MaxConsecutiveLockups)
            {
                stopped = $"{lockupsInARow} lockups in a row";
                break;
            }

            if (n < Options.Cycles)
            {
                try
                {
                    SetPhase("running between updates");
                    await PauseAsync(Options.Interval, ct);
                }
                catch (OperationCanceledException)
                {
                    stopped = "stopped by the user";
                    break;
                }
            }
        }

        return Summarize(started.Elapsed, stopped);
    }

    private void Keep(CycleResult result)
    {
        lock (_sync)
        {
            _figures.Add(CycleFigures.Of(result));
            if (_recent.Count == KeptCycles) _recent.Dequeue();
            _recent.Enqueue(result);
            bool bad = result.Outcome is CycleOutcome.Lockup or CycleOutcome.Failed || (!result.ImageValid && result.Outcome != CycleOutcome.Cancelled);
            if (bad && _failures.Count < KeptFailures) _failures.Add(result);
        }
    }

    private async Task<CycleResult> RunCycleAsync(int n, bool idle, FaultKind fault, CancellationToken ct)
    {
        int revision = _nextRevision++;
        var version = new ImageVersion(1, 0, revision, 0);
        string v = $"1.0.{revision}";
        lock (_sync)
        {
            _cycle = n;
            _version = v;
            _fault = fault;
            _idle = idle;
            _job = null;
        }

        var sw = Stopwatch.StartNew();
        CycleResult Result(CycleOutcome outcome) => new()
        {
            Cycle = n,
            Version = v,
            Idle = idle,
            Fault = fault,
            Outcome = outcome,
            CycleMilliseconds = sw.Elapsed.TotalMilliseconds,
        };

        string? note = null;
        bool injected = false;
        try
        {
            // 1. The app runs at full speed (or is paused for an idle cycle) and the device is online.
            object? app0 = Device.AppToken;
            int parsed0 = Device.AppCompleted;
            if (!await WaitPhase("waiting for the app to run", () => Online() && AppAdvanced(app0, parsed0, 2), AppProgress, ct))
                return Lockup(Result, "waiting for the app to run");
            if (idle)
            {
                Device.AppPaused = true;
                if (!await WaitPhase("pausing the app", () => !Device.AppInLoop, AppProgress, ct))
                    return Lockup(Result, "pausing the app");
            }

            // 2. Flash, injecting the cycle's fault.
            byte[] image = Images.Build(version); // a bad release replaces it below
            FlashOptions flash = FlashTimeouts();
            flash.Fast = Options.FastOta;
            int chunks = (image.Length + flash.ChunkSize - 1) / flash.ChunkSize;
            switch (fault)
            {
                case FaultKind.CorruptChunks:
                    bool mild = ++_corruptFaults % 2 == 1;
                    int a = 3, b = chunks / 2, c = chunks - 2;
                    flash.CorruptChunk = mild ? (i, attempt) => (i == a || i == b || i == c) && attempt <= 2 : (i, _) => i == a;
                    injected = true;
                    note = mild ? $"chunks {a}, {b}, {c} corrupted on their first two sends" : $"chunk {a} always corrupted";
                    break;
                case FaultKind.BadRelease:
                    image = Images.BuildBad(version);
                    injected = true;
                    note = "bad release (its app does not start): test boot, watchdog resets, rollback expected";
                    break;
                case FaultKind.PowerCutDuringInstall:
                    if (Options.PowerCut != null)
                    {
                        // The cut falls inside this image's install (a .pe is half the size of the assembly).
                        if (Options.PowerCut is InstallPowerCut cut) cut.Window = InstallPowerCut.WindowFor(image.Length);
                        Options.PowerCut.Arm(Board, _random);
                        injected = true;
                        note = "power cut armed for the install";
                    }
                    else
                    {
                        note = "power cut during install skipped: no installer in this build (IPowerCutFault not connected)";
                    }
                    break;
            }

            int cutsBefore = Options.PowerCut?.Cuts ?? 0;
            if (!Device.Running) throw new InvalidOperationException("no runtime");
            // This boot's preemption counters, readable after the reboot too.
            Func<(int Count, long LastTicks)> preemption = Device.PreemptionProbe();
            int preemptions0 = preemption().Count;
            int reboots0 = Device.Reboots, boots0 = Device.Boots;
            FlashJob job;
            try
            {
                job = Cloud.Flash(DeviceId, image, flash);
            }
            catch (FlashException e)
            {
                // The cloud refused (device went offline between the check and the flash): nothing reached the device.
                Device.AppPaused = false;
                ImageCheck refusedCheck = ImageCheck.Read(Device, Cloud.ImagePublicKey);
                return Result(refusedCheck.Valid ? CycleOutcome.Aborted : CycleOutcome.Failed) with
                {
                    FlashState = "refused", Reason = e.Message, ImageValid = refusedCheck.Valid, ImageState = refusedCheck.Description,
                    FaultInjected = injected, FaultNote = note, ImageBytes = image.Length,
                };
            }

            lock (_sync) _job = job;
            bool injectMidway = fault == FaultKind.LinkDrop || fault == FaultKind.ModuleHang;
            bool transferred = await WaitPhase("transfer", () => job.Completion.IsCompleted, () =>
            {
                OtaProgress p = job.Progress;
                if (injectMidway && !injected && p.State == OtaState.Transferring && p.BytesSent >= p.TotalBytes / 3)
                {
                    injected = true;
                    if (fault == FaultKind.LinkDrop)
                    {
                        Cloud.Devices.DisconnectDevice(DeviceId, "scenario: link drop mid-transfer");
                        note = $"link cut at {p.BytesSent} of {p.TotalBytes} B";
                    }
                    else
                    {
                        Board.Cc3000.Model.InjectHang();
                        note = $"CC3000 hung at {p.BytesSent} of {p.TotalBytes} B";
                    }
                }
                return p.BytesSent * 31 + p.Resends * 7 + (int)p.State + (long)Device.ChunksReceived * 131 + ModuleRecoveries * 1009L;
            }, ct);
            if (!transferred) return Lockup(Result, "transfer") with { FaultInjected = injected, FaultNote = note, ImageBytes = image.Length };
            if (injectMidway && !injected) note = "the transfer ended before the fault's trigger point";

            OtaProgress final = await job.Completion;
            double otaMs = final.FinishedAt.HasValue ? (final.FinishedAt.Value - final.StartedAt).TotalMilliseconds : double.NaN;
            // Read when a result is made (after the reboot or resume wait): on nanoCLR the counters come with the
            // firmware's next status report, a quarter of a second later at most.
            double Latency() => preemption() is var p && p.Count > preemptions0 ? p.LastTicks / (double)TimeSpan.TicksPerMillisecond : double.NaN;
            bool done = final.State == OtaState.Done;
            CycleResult Measured(CycleOutcome o) => Result(o) with
            {
                FlashState = final.StateName, Reason = final.Reason, OtaMilliseconds = otaMs, PreemptionMilliseconds = Latency(),
                Resends = final.Resends, FaultInjected = injected, FaultNote = note, ImageBytes = image.Length,
            };

            // 3. Landed: the device reboots. Aborted: it stays on the old image. Either way the app must run again.
            if (done && !await WaitPhase("reboot", () => Device.Reboots > reboots0 && Device.Boots > boots0 && Device.Running,
                    () => Device.Reboots * 3L + Device.Boots * 5L + Device.BootFailures * 7L, ct))
                return Lockup(Measured, "reboot");
            Device.AppPaused = false;
            object? app1 = Device.AppToken;
            int parsed1 = Device.AppCompleted;
            if (!await WaitPhase("waiting for the app to resume",
                    () => Online() && Device.Running && !Device.UpdatesPending && AppAdvanced(app1, parsed1, 1),
                    AppProgress, ct))
                return Lockup(Measured, "waiting for the app to resume");
            if (fault == FaultKind.PowerCutDuringInstall && Options.PowerCut != null)
            {
                Options.PowerCut.Disarm(Board);
                note = Options.PowerCut.Cuts > cutsBefore
                    ? $"power cut inside the install (boot failures {Device.BootFailures}), install resumed at the next boot"
                    : "power cut armed but the install ended before it";
            }

            // 4. Which image is the device on?
            ImageCheck check = ImageCheck.Read(Device, Cloud.ImagePublicKey);
            uint packed = ScenarioImages.Packed(version);
            CycleOutcome outcome;
            if (done)
            {
                // The reboot installed it (landed), or the device went back to an older image (rolled back).
                outcome = check.ActiveVersion == packed ? CycleOutcome.Landed
                    : check.ActiveVersion != 0 && check.ActiveVersion < packed ? CycleOutcome.RolledBack
                    : CycleOutcome.Failed;
            }
            else
            {
                outcome = check.Valid ? CycleOutcome.Aborted : CycleOutcome.Failed;
            }
            return Measured(check.Valid ? outcome : CycleOutcome.Failed) with { ImageValid = check.Valid, ImageState = check.Description };
        }
        catch (OperationCanceledException)
        {
            Device.AppPaused = false;
            return Result(CycleOutcome.Cancelled) with { FaultInjected = injected, FaultNote = note, ImageValid = true, ImageState = "run stopped" };
        }
    }

    private CycleResult Lockup(Func<CycleOutcome, CycleResult> result, string phase)
    {
        Device.AppPaused = false;
        ImageCheck check = ImageCheck.Read(Device, Cloud.ImagePublicKey);
        return result(CycleOutcome.Lockup) with { LockupPhase = phase, ImageValid = check.Valid, ImageState = check.Description };
    }

    private bool Online() => Device.Running && Device.CloudConnected && Cloud.Devices.IsOnline(DeviceId);

    // The app made `count` more parses since (app, parsed) was taken, or a new boot's app did.
    private bool AppAdvanced(object? before, int parsed, int count)
    {
        object? now = Device.AppToken;
        if (now == null) return false;
        return !Equals(now, before) ? Device.AppCompleted >= count : Device.AppCompleted >= parsed + count;
    }

    private long AppProgress() =>
        Device.AppCompleted * 3L + Device.Boots * 1009L + Device.CloudSessions * 7919L + Device.CloudConnectAttempts * 104729L
            + ModuleRecoveries * 15485863L + (Device.AppInLoop ? 1 : 0);

    /// <summary>
    /// Waits until <paramref name="done"/>, sampling the counters every poll; false (a lockup) when
    /// <paramref name="progress"/> keeps one value for <see cref="ScenarioOptions.LockupTimeout"/>.
    /// </summary>
    private async Task<bool> WaitPhase(string phase, Func<bool> done, Func<long> progress, CancellationToken ct)
    {
        SetPhase(phase);
        long last = progress();
        var still = Stopwatch.StartNew();
        while (true)
        {
            Sample();
            if (done()) return true;
            ct.ThrowIfCancellationRequested();
            long now = progress();
            if (now != last)
            {
                last = now;
                still.Restart();
            }
            else if (still.Elapsed > Options.LockupTimeout)
            {
                return false;
            }
            await Task.Delay(PollMilliseconds, ct);
        }
    }

    private async Task PauseAsync(TimeSpan span, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < span)
        {
            Sample();
            await Task.Delay(PollMilliseconds * 5, ct);
        }
    }

    /// <summary>Samples what the summary tracks over time: heap high-water mark, each boot's driver and app counters.</summary>
    public void Sample()
    {
        long heap = Device.HeapBytes;
        long seen;
        while (heap > (seen = Interlocked.Read(ref _heapHighWater)) && Interlocked.CompareExchange(ref _heapHighWater, heap, seen) != seen)
        {
        }

        Device.Sample();
    }

    private void SetPhase(string phase)
    {
        lock (_sync) _phase = phase;
    }

    private ScenarioSummary Summarize(TimeSpan elapsed, string? stopped)
    {
        Sample();
        var (requests, failures) = AppTotals;
        return new ScenarioSummary
        {
            Cycles = Results,
            Figures = Figures,
            CyclesPlanned = Options.Cycles,
            Faults = Options.Faults.ToString(),
            FastOta = Options.FastOta,
            Elapsed = elapsed,
            StoppedEarly = stopped,
            BusViolations = Board.Bus.ViolationCount,
            HeapHighWaterBytes = HeapHighWaterBytes,
            LongestBusHoldMilliseconds = Device.LongestBusHoldTicks / (double)TimeSpan.TicksPerMillisecond,
            BusHoldBoundMilliseconds = Board.Options.MaxBusHoldMilliseconds,
            LongestTimings = Device.LongestTimings,
            ModuleRecoveries = ModuleRecoveries,
            Clr = Device.Clr,
            HeapSource = Device.HeapSource,
            Boots = Device.Boots,
            BootFailures = Device.BootFailures,
            Installs = Device.Installs,
            BootloaderRollbacks = Device.Rollbacks,
            WatchdogResets = Device.WatchdogResets,
            PowerCuts = Options.PowerCut?.Cuts ?? 0,
            StuckUserThreads = Device.StuckUserThreads,
            AppRequests = requests,
            AppFailures = failures,
            HostThreadFaults = Board.Faults.Count + Ticker.Faults.Count,
            HostThreadFaultLines = Board.Faults.Kept.Concat(Ticker.Faults.Kept).Select(f => f.ToString()).ToArray(),
        };
    }

    /// <summary>The counters of <paramref name="app"/> under any gate that wraps it; null for an app without counters.</summary>
    public static IAppCounters? Unwrap(IUserApp? app) => app switch
    {
        IGatedApp g => Unwrap(g.Inner),
        IAppCounters c => c,
        _ => null,
    };

    /// <summary>Stops the core (bounded), the cloud and the ticker server; deletes the temp registry.</summary>
    public async ValueTask DisposeAsync()
    {
        SetPhase("stopping");
        bool stopped = Device.Stop(20_000);
        await Cloud.DisposeAsync();
        Ticker.Dispose();
        if (stopped) Board.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
