using System.Diagnostics;
using CoreFirmware.Application.App;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Cloud;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.Virtual;
using CoreFirmware.Virtual.Runner;
using CoreFirmware.Virtual.Sst25;
using CoreFirmware.Virtual.Ticker;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// One local cloud, ticker server and virtual Core (Realistic SST25 timing) for the whole OTA
/// benchmark, so that the loads of one run are measured back to back on the same board. The app is
/// the Bitcoin ticker behind a gate: paused, it only sleeps (the idle load); open, it loops at full
/// speed. Each update reboots the Core; the bootloader installs the image and the ticker app (not
/// the random payload) runs again.
/// </summary>
public sealed class OtaBenchSession : IAsyncDisposable
{
    private readonly string _folder;
    private readonly LocalCloud _cloud;
    private readonly TickerServer _ticker;
    private readonly VirtualBoard _board;
    private readonly VirtualCore _core;
    private readonly DeviceKeyPair _keys;
    private readonly Gate _gate = new();

    private OtaBenchSession(string folder, LocalCloud cloud, TickerServer ticker, VirtualBoard board, VirtualCore core, DeviceKeyPair keys)
    {
        _folder = folder;
        _cloud = cloud;
        _ticker = ticker;
        _board = board;
        _core = core;
        _keys = keys;
    }

    /// <summary>What one update measured.</summary>
    public sealed record Sample(double Milliseconds, double InstallMs, double FramesPerChunk, double GrantsPerChunk,
        double NeighbourCpuShare, double[] LatenciesMs);

    public static async Task<OtaBenchSession> StartAsync()
    {
        string folder = Path.Combine(Path.GetTempPath(), "corefw-bench-" + Guid.NewGuid().ToString("N"));
        var cloud = await LocalCloud.StartAsync(new LocalCloudOptions { RegistryFolder = folder, DevicePort = 0, ApiPort = 0 });
        var ticker = new TickerServer();
        var board = new VirtualBoard(new VirtualBoardOptions { FlashTiming = Sst25TimingProfile.Realistic });
        var core = new VirtualCore(board);
        DeviceKeyPair keys = cloud.Registry.CreateDevice();
        var session = new OtaBenchSession(folder, cloud, ticker, board, core, keys);
        // Manufactured with the ticker app in the factory slot (the bootloader installs it); the gated
        // app object below replaces what the slot holds, so random payloads can be flashed.
        byte[] factory = cloud.SignImage(File.ReadAllBytes(typeof(BitcoinTickerApp).Assembly.Location), new CoreFirmware.Cloud.Images.ImageVersion(1, 0, 0, 0));
        core.Provision(new DeviceKeys(keys.Id, keys.PrivateKeyDer, keys.PublicKeyDer, cloud.Registry.ServerPublicKeyDer, keys.ImagePublicKey!), factory);
        board.Cc3000.Model.SetHost("ticker.local", 0x7F000001);
        core.Start(() => new GatedTicker(new BitcoinTickerApp("ticker.local", ticker.Port, "/v2/ticker/btcusd"), session._gate), cloud.DeviceEndPoint);
        return session;
    }

    /// <summary>A signed image of <paramref name="size"/> bytes in all (header + random payload + trailer).</summary>
    public byte[] SignedImage(int size)
    {
        var payload = new byte[size - CoreFirmware.Ota.Image.ImageFormat.HeaderSize - CoreFirmware.Ota.Image.ImageFormat.StandardTrailerSize];
        new Random(size).NextBytes(payload);
        return _cloud.SignImage(payload, new CoreFirmware.Cloud.Images.ImageVersion(1, 0, 0, 0));
    }

    /// <summary>
    /// Flashes <paramref name="image"/> once: waits until the device is online (and, when
    /// <paramref name="appRunning"/>, until the app has parsed 20 replies), times the cloud's flash job
    /// to its end, then waits for the reboot and the install.
    /// </summary>
    public async Task<Sample> FlashAsync(byte[] image, FlashOptions options, bool appRunning, bool neighbour)
    {
        _gate.Paused = !appRunning;
        WaitUntil(() => _core.Runtime?.Cloud?.IsConnected == true && _cloud.Devices.IsOnline(_keys.IdHex), 120_000);
        if (appRunning)
        {
            var app = (GatedTicker)_core.CurrentApp!;
            int parsed = app.Parsed;
            WaitUntil(() => app.Parsed >= parsed + 20, 30_000);
        }
        else
        {
            Thread.Sleep(100); // a loop already in flight ends
        }

        using NoisyNeighbour? busy = neighbour ? NoisyNeighbour.Start() : null;
        if (busy != null) Thread.Sleep(100);
        int reboots = _core.Reboots;
        int installs = _core.Installs;
        var arbiter = _board.Arbiter;
        int grants = arbiter.Grants;
        long frames = _board.Cc3000.Model.Frames;
        var sw = Stopwatch.StartNew();
        OtaProgress end = await _cloud.Flash(_keys.IdHex, image, options).Completion.WaitAsync(TimeSpan.FromMinutes(5));
        sw.Stop();
        double chunks = (image.Length + options.ChunkSize - 1) / options.ChunkSize;
        double framesPerChunk = (_board.Cc3000.Model.Frames - frames) / chunks;
        double grantsPerChunk = (arbiter.Grants - grants) / chunks;
        double share = busy?.CpuShare ?? double.NaN;
        busy?.Dispose();
        if (end.State != CoreFirmware.Cloud.OtaState.Done)
        {
            throw new OtaFailedException($"OTA ended {end.State}: {end.Reason} (device: link dropped '{_core.Runtime?.Cloud?.LastDropReason}', "
                + $"watchdog resets {_core.WatchdogResets}, reboots {_core.Reboots - reboots} during it)");
        }

        WaitUntil(() => _core.Reboots == reboots + 1 && _core.Installs == installs + 1 && _core.Runtime != null, 300_000); // a starved host took 30 s for an install with its backup copy
        double install = _core.LastBootloaderTicks / (double)TimeSpan.TicksPerMillisecond;
        double[] latencies = _core.RebootHistory[^1].LatencyTicks.Select(t => t / (double)TimeSpan.TicksPerMillisecond).ToArray();
        return new Sample(sw.Elapsed.TotalMilliseconds, install, framesPerChunk, grantsPerChunk, share, latencies);
    }

    public async ValueTask DisposeAsync()
    {
        _core.Stop(20_000);
        _board.Dispose();
        _ticker.Dispose();
        await _cloud.DisposeAsync();
        try { Directory.Delete(_folder, true); } catch (IOException) { }
    }

    private static void WaitUntil(Func<bool> condition, int timeoutMs)
    {
        long end = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            if (Environment.TickCount64 > end) throw new TimeoutException("benchmark wait timed out");
            Thread.Sleep(5);
        }
    }

    /// <summary>An update that did not end Done (the benchmark counts it and tries again).</summary>
    public sealed class OtaFailedException(string message) : Exception(message);

    private sealed class Gate
    {
        private volatile bool _paused = true;

        public bool Paused { get => _paused; set => _paused = value; }
    }

    /// <summary>The ticker app behind the benchmark's gate: paused, Loop only sleeps.</summary>
    private sealed class GatedTicker(BitcoinTickerApp app, Gate gate) : IUserApp
    {
        public int Parsed => app.Parsed;

        public void Setup(UserAppContext context) => app.Setup(context);

        public void Loop()
        {
            if (gate.Paused) Thread.Sleep(20);
            else app.Loop();
        }
    }
}
