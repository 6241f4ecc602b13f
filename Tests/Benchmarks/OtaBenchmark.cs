using System.Diagnostics;
using System.Globalization;
using CoreFirmware.Cloud;
using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// OTA time end to end (local cloud -> device server -> CC3000 model -> firmware on the virtual Core
/// -> SST25 model with Realistic timing) for 16 KB, 128 KB and 640 KB images (640 KB: the staging
/// slot's whole size), slow OTA (spark-cli's default: 256-byte chunks, one acknowledgement each) and
/// fast OTA (594-byte chunks, the largest the protocol allows, streamed), under three loads: the app
/// idle, the Bitcoin ticker app at full speed, and the app at full speed with a second process
/// keeping one core busy (<see cref="NoisyNeighbour"/>). Each figure is min / median / max over its
/// runs; the loads of one run go back to back on the same board (their order rotates per run), and
/// the ratios loaded / idle are taken per run. Beside them: the flash's own time for the image
/// (<see cref="FlashLimit"/>, from the model's timing profile) and OTA time over it, the bootloader's
/// install time against the internal flash's, and what each OTA cost on the bus and the CC3000
/// link per chunk (to tell the receive path and bus grants from the flash when a ratio moves).
/// </summary>
/// <remarks>
/// Settings for quicker partial runs (environment): COREFW_OTA_RUNS (3), COREFW_OTA_SIZES (KB,
/// "16,128,640"), COREFW_OTA_MODES ("slow,fast"), COREFW_OTA_LOADS ("idle,app,neighbour"),
/// COREFW_OTA_QUIET_MS (fast OTA's quiet period before UpdateDone, 0).
/// </remarks>
public sealed class OtaBenchmark : IBenchmark
{
    private const string Bench = "ota";

    /// <summary>The cloud's quiet period before UpdateDone in fast OTA (see <see cref="FastOptions"/>).</summary>
    private static readonly TimeSpan FastQuietPeriod = TimeSpan.FromMilliseconds(EnvInt("COREFW_OTA_QUIET_MS", 0, allowZero: true));

    public string Name => Bench;

    private enum Load
    {
        Idle,
        App,
        Neighbour,
    }

    private sealed record Mode(string Name, FlashOptions Options);

    public void Run(BenchmarkReport report) => RunAsync(report).GetAwaiter().GetResult();

    /// <summary>
    /// Fast OTA as fast as the protocol allows: the largest chunk (594 bytes: fewer frames, recvs
    /// and flash transactions per byte) and UpdateDone right behind the last chunk. The cloud's
    /// default waits 1 s of quiet first (for devices that cannot handle an UpdateDone with gaps);
    /// ours holds an UpdateDone that finds gaps and asks for them (OTA-DESIGN.md), and the quiet
    /// period, counted from the cloud's last write, cost a 128 KB image about as long as its flash
    /// work. The device works through the chunks still queued in the TCP buffers before it answers
    /// UpdateDone, so the answer's timeout is raised for a loaded host.
    /// </summary>
    private static FlashOptions FastOptions() => new()
    {
        Fast = true,
        ChunkSize = CoreFirmware.Ota.Protocol.SparkProtocol.MaxChunkSize,
        FastQuietPeriod = FastQuietPeriod,
        UpdateDoneTimeout = TimeSpan.FromSeconds(60),
    };

    private static async Task RunAsync(BenchmarkReport report)
    {
        int runs = EnvInt("COREFW_OTA_RUNS", 3);
        int[] sizes = EnvList("COREFW_OTA_SIZES", "16,128,640").Select(kb => int.Parse(kb, CultureInfo.InvariantCulture) * 1024).ToArray();
        var modes = new List<Mode>();
        foreach (string m in EnvList("COREFW_OTA_MODES", "slow,fast"))
        {
            modes.Add(m == "fast"
                ? new Mode("fast", FastOptions())
                : new Mode("slow", new FlashOptions()));
        }

        var loads = EnvList("COREFW_OTA_LOADS", "idle,app,neighbour")
            .Select(l => l switch { "app" => Load.App, "neighbour" => Load.Neighbour, _ => Load.Idle }).ToArray();
        Sst25TimingProfile timing = Sst25TimingProfile.Realistic;
        report.Setting(Bench, $"{runs} runs per size, mode and load; the loads of a run back to back on one board, order rotated per run; "
            + "Realistic SST25 timing; random payloads; slow: 256-byte chunks acknowledged one by one; "
            + $"fast: {CoreFirmware.Ota.Protocol.SparkProtocol.MaxChunkSize}-byte chunks, UpdateDone after {FastQuietPeriod.TotalMilliseconds:0} ms of quiet; "
            + "neighbour: a second process spinning on one core during the OTA");

        var latencies = new List<double>();
        await using var session = await OtaBenchSession.StartAsync();
        // Warm-up (not counted): the first update of a process runs through code not yet jitted.
        byte[] warm = session.SignedImage(16 * 1024);
        await session.FlashAsync(warm, new FlashOptions(), appRunning: false, neighbour: false);
        await session.FlashAsync(warm, FastOptions(), appRunning: false, neighbour: false);
        foreach (int size in sizes)
        {
            string label = size == 640 * 1024 ? "640 KB (whole slot)" : $"{size / 1024} KB";
            byte[] image = session.SignedImage(size);
            double limit = FlashLimit.StagingMilliseconds(timing, size);
            var installs = new List<double>();
            foreach (Mode mode in modes)
            {
                var samples = loads.ToDictionary(l => l, _ => new List<OtaBenchSession.Sample>());
                for (int r = 0; r < runs; r++)
                {
                    for (int k = 0; k < loads.Length; k++)
                    {
                        Load load = loads[(k + r) % loads.Length];
                        OtaBenchSession.Sample s = await FlashCounted(session, image, mode.Options, load);
                        samples[load].Add(s);
                        latencies.AddRange(s.LatenciesMs);
                        installs.Add(s.InstallMs);
                        Console.WriteLine($"    {label} {mode.Name} {load}: {s.Milliseconds:0} ms, install {s.InstallMs:0} ms, "
                            + $"{s.FramesPerChunk:0.0} frames/chunk, {s.GrantsPerChunk:0.0} grants/chunk, neighbour cpu {s.NeighbourCpuShare:0.00}");
                    }
                }

                string prefix = $"{label}, {mode.Name}";
                foreach (Load load in loads)
                {
                    string what = load switch
                    {
                        Load.Idle => "app idle",
                        Load.App => "ticker app at full speed",
                        _ => "ticker app + busy neighbour process",
                    };
                    report.AddSpread(Bench, $"{prefix}: {what}", samples[load].Select(s => s.Milliseconds).ToArray(), "ms", "0");
                }

                if (samples.TryGetValue(Load.Idle, out var idle))
                {
                    foreach (Load load in loads.Where(l => l != Load.Idle))
                    {
                        var ratios = samples[load].Zip(idle, (a, b) => a.Milliseconds / b.Milliseconds).ToArray();
                        string what = load == Load.App ? "loaded / idle" : "loaded + neighbour / idle";
                        report.AddSpread(Bench, $"{prefix}: {what} (per run)", ratios, "x", "0.00", "<= 1.10");
                    }

                    var overLimit = idle.Select(s => s.Milliseconds / limit).ToArray();
                    bool goal = mode.Options.Fast && size >= 128 * 1024;
                    report.AddSpread(Bench, $"{prefix}: idle / flash limit", overLimit, "x", "0.00", goal ? "<= 1.25" : null);
                }

                report.AddText(Bench, $"{prefix}: CC3000 frames per chunk ({string.Join(", ", loads.Select(l => l.ToString().ToLowerInvariant()))})",
                    string.Join(" / ", loads.Select(l => Med(samples[l].Select(s => s.FramesPerChunk)).ToString("0.0", CultureInfo.InvariantCulture))), "frames");
                report.AddText(Bench, $"{prefix}: bus grants per chunk (same order)",
                    string.Join(" / ", loads.Select(l => Med(samples[l].Select(s => s.GrantsPerChunk)).ToString("0.0", CultureInfo.InvariantCulture))), "grants");
                if (samples.TryGetValue(Load.Neighbour, out var noisy))
                {
                    report.AddSpread(Bench, $"{prefix}: neighbour's CPU share during its OTAs", noisy.Select(s => s.NeighbourCpuShare).ToArray(), "cores", "0.00");
                }
            }

            report.Add(Bench, $"{label}: flash limit (SST25 staging erase + program, Realistic profile)", limit, "ms", "0");
            double internalLimit = FlashLimit.InternalMilliseconds(size);
            report.AddSpread(Bench, $"{label}: bootloader install, virtual board (no internal-flash busy time)", installs, "ms", "0");
            report.Add(Bench, $"{label}: internal flash limit (STM32F103: 20 ms/KB page erase, 52.5 us/half-word)", internalLimit, "ms", "0");
            report.AddSpread(Bench, $"{label}: install + internal busy time / internal flash limit",
                installs.Select(i => (i + internalLimit) / internalLimit).ToArray(), "x", "0.00");
        }

        report.Add(Bench, "updates that failed and were tried again (not in the figures)", _failures, "", "0", "0");
        latencies.Sort();
        report.Add(Bench, $"preemption latency p50 ({latencies.Count} updates)", Pct(latencies, 50), "ms", "0.000");
        report.Add(Bench, "preemption latency p99", Pct(latencies, 99), "ms", "0.000");
    }

    private static int _failures;

    // One measured update; one that fails (on a starved host the link has dropped mid-transfer) is
    // counted, printed and tried again, at most twice.
    private static async Task<OtaBenchSession.Sample> FlashCounted(OtaBenchSession session, byte[] image, FlashOptions options, Load load)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await session.FlashAsync(image, options, load != Load.Idle, load == Load.Neighbour);
            }
            catch (OtaBenchSession.OtaFailedException e) when (attempt < 3)
            {
                _failures++;
                Console.WriteLine($"    update failed, trying again: {e.Message}");
            }
        }
    }

    private static double Med(IEnumerable<double> values) => BenchmarkReport.Median(values.OrderBy(v => v).ToArray());

    private static double Pct(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static int EnvInt(string name, int fallback, bool allowZero = false) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            && (v > 0 || (allowZero && v == 0)) ? v : fallback;

    private static string[] EnvList(string name, string fallback) =>
        (Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
