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
/// OTA time end to end (local cloud -> device server -> CC3000 model -> firmware on the virtual Core
/// -> SST25 model with Realistic timing) for a 128 KB image and a 640 KB one (the staging slot's
/// whole size, the largest image the device accepts), slow OTA (spark-cli's default), with the app
/// idle and with the Bitcoin ticker app looping at full speed; the ratio loaded/idle; preemption
/// latency p50/p99 over every update run. Each update reboots the virtual Core.
/// </summary>
public sealed class OtaBenchmark : IBenchmark
{
    private const int Repeats = 3;

    public string Name => "ota";

    public void Run(BenchmarkReport report) => RunAsync(report).GetAwaiter().GetResult();

    private static async Task RunAsync(BenchmarkReport report)
    {
        report.Setting("ota", $"{Repeats} updates per size and load, slow OTA, Realistic SST25 timing, random payloads; latency over every update");
        var latencies = new List<double>();
        foreach (int size in new[] { 128 * 1024, 640 * 1024 })
        {
            double idle = await Measure(size, loaded: false, latencies);
            double loaded = await Measure(size, loaded: true, latencies);
            string label = size == 640 * 1024 ? "640 KB (whole staging slot)" : "128 KB";
            report.Add("ota", $"{label}, app idle, mean of {Repeats}", idle, "ms", "0");
            report.Add("ota", $"{label}, ticker app at full speed, mean of {Repeats}", loaded, "ms", "0");
            report.Add("ota", $"{label}, loaded / idle", loaded / idle, "x", "0.00");
        }

        latencies.Sort();
        report.Add("ota", $"preemption latency p50 ({latencies.Count} updates)", Pct(latencies, 50), "ms", "0.000");
        report.Add("ota", "preemption latency p99", Pct(latencies, 99), "ms", "0.000");
    }

    private static double Pct(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task<double> Measure(int size, bool loaded, List<double> latencies)
    {
        string folder = Path.Combine(Path.GetTempPath(), "corefw-bench-" + Guid.NewGuid().ToString("N"));
        await using var cloud = await LocalCloud.StartAsync(new LocalCloudOptions { RegistryFolder = folder, DevicePort = 0, ApiPort = 0 });
        using var ticker = new TickerServer();
        using var board = new VirtualBoard(new VirtualBoardOptions { FlashTiming = Sst25TimingProfile.Realistic });
        var core = new VirtualCore(board);
        try
        {
            DeviceKeyPair keys = cloud.Registry.CreateDevice();
            // Manufactured with the ticker app in the factory slot (the bootloader installs it); the app
            // object below replaces it so the benchmark can tell idle from loaded.
            byte[] factory = cloud.SignImage(File.ReadAllBytes(typeof(BitcoinTickerApp).Assembly.Location), new CoreFirmware.Cloud.Images.ImageVersion(1, 0, 0, 0));
            core.Provision(new DeviceKeys(keys.Id, keys.PrivateKeyDer, keys.PublicKeyDer, cloud.Registry.ServerPublicKeyDer, keys.ImagePublicKey!), factory);
            board.Cc3000.Model.SetHost("ticker.local", 0x7F000001);
            core.Start(() => loaded ? new BitcoinTickerApp("ticker.local", ticker.Port, "/v2/ticker/btcusd") : new IdleApp(), cloud.DeviceEndPoint);
            // A signed image of `size` bytes in all (header + payload + standard trailer), signed with the cloud's key.
            var payload = new byte[size - CoreFirmware.Ota.Image.ImageFormat.HeaderSize - CoreFirmware.Ota.Image.ImageFormat.StandardTrailerSize];
            new Random(size).NextBytes(payload);
            byte[] image = cloud.SignImage(payload, new CoreFirmware.Cloud.Images.ImageVersion(1, 0, 0, 0));
            double total = 0;
            for (int i = 0; i < Repeats; i++)
            {
                WaitUntil(() => core.Runtime?.Cloud?.IsConnected == true && cloud.Devices.IsOnline(keys.IdHex), 30_000);
                if (loaded)
                {
                    var app = (BitcoinTickerApp)core.CurrentApp!;
                    WaitUntil(() => app.Parsed >= 20, 30_000);
                }
                int reboots = core.Reboots;
                var sw = Stopwatch.StartNew();
                OtaProgress end = await cloud.Flash(keys.IdHex, image).Completion.WaitAsync(TimeSpan.FromMinutes(5));
                sw.Stop();
                if (end.State != CoreFirmware.Cloud.OtaState.Done) throw new InvalidOperationException($"OTA ended {end.State}: {end.Reason}");
                total += sw.Elapsed.TotalMilliseconds;
                WaitUntil(() => core.Reboots == reboots + 1, 30_000);
                foreach (long t in core.RebootHistory[^1].LatencyTicks) latencies.Add(t / (double)TimeSpan.TicksPerMillisecond);
            }
            return total / Repeats;
        }
        finally
        {
            core.Stop(20_000);
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
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

    /// <summary>An app that does nothing (sleeps between loops), for the idle baseline.</summary>
    private sealed class IdleApp : IUserApp
    {
        public void Setup(UserAppContext context)
        {
        }

        public void Loop() => Thread.Sleep(50);
    }
}
