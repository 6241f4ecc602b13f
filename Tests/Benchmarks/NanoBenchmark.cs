using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using CoreFirmware.Benchmarks.Device;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// Device-true figures: builds the device deployments (nf-targets/SparkCore/DeviceBuild) and the
/// device benchmark's .pe (Tests/Benchmarks/Device), runs that benchmark on nanoCLR (nanoFramework's
/// interpreter built for Linux, ../shared/nanoframework) and, for the CoreCLR column, the same code in
/// this process, and puts the two side by side: next to the row of another benchmark that measures the
/// same workload (json ticker, arbiter), else in a row of its own. Adds the .pe sizes against the
/// reference board's deployment area and the heap figures against its managed heap (DeviceBudget).
/// </summary>
/// <remarks>
/// nanoCLR runs twice, each bounded by <see cref="RunTimeout"/>: the plain build with its default 10 MB
/// heap for the timed figures, and the heap-instrumented build (NANOCLR_HEAP=1) with a 512 KB heap for the
/// heap figures and the allocation counts (ConsoleBenchSink states the method). Heap figures from nanoCLR
/// are 64-bit (24-byte heap blocks); the Cortex-M estimates convert them with the payload of the same
/// object graph measured on CoreCLR (HeapPayload: (H + P) / 2).
/// </remarks>
public sealed class NanoBenchmark : IBenchmark
{
    private const string Bench = "nano";
    private const string HeapSize = "512K";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(10);

    public string Name => Bench;

    public void Run(BenchmarkReport report)
    {
        string? root = FindRepositoryRoot();
        if (root == null)
        {
            report.AddDevice(Bench, "nanoCLR: repository root not found", double.NaN, "-", "");
            return;
        }
        string tools = Environment.GetEnvironmentVariable("NANOFRAMEWORK_TOOLS") is { Length: > 0 } t
            ? t : Path.GetFullPath(Path.Combine(root, "..", "shared", "nanoframework"));
        string deviceBuild = Path.Combine(root, "nf-targets", "SparkCore", "DeviceBuild");
        string deploy = Path.Combine(deviceBuild, "bin", "Release", "deploy");
        string benchPe = Path.Combine(deviceBuild, "bin", "Release", "bench", "CoreFirmware.Benchmarks.Device.pe");

        report.Setting(Bench, "nanoCLR: nf-interpreter a3e8139a targets/posix, Release -O3, x86-64 (heap blocks 24 B; 12 B on a Cortex-M, which also interprets far slower than this host)");
        report.Setting(Bench, $"nanoCLR timing run: plain build, 10 MB heap, {new ConsoleBenchSink().TargetTicks / 1e7:0.#} s per figure, the process's CPU time; heap run: NANOCLR_HEAP=1, {HeapSize} heap; CoreCLR column: the same code in this process, the thread's CPU time, {new HostBenchSink().TargetTicks / 1e7:0.#} s per figure after {new HostBenchSink().WarmUpTicks / 1e7:0.#} s warm-up");
        report.Setting(Bench, $"budget: {DeviceBudget.Part}: deployment area {DeviceBudget.DeploymentBytes:N0} B, managed heap about {DeviceBudget.ManagedHeapEstimateBytes:N0} B (estimate; README, Benchmarks)");

        string? buildError = Build(root, deviceBuild);
        if (buildError != null)
        {
            report.AddDevice(Bench, "device build failed: " + buildError, double.NaN, "-", "");
            return;
        }

        Console.WriteLine("  CoreCLR: device benchmark in-process ...");
        var host = new HostBenchSink();
        DeviceBench.RunThroughput(host);
        DeviceBench.RunHeap(host);
        DeviceBenchResults clr = host.Results;

        string nanoclr = Path.Combine(tools, "scripts", "nanoclr");
        string[] pe = new[] { "mscorlib.pe" }.Concat(CoreFirmware.Virtual.NanoClr.NanoClrPaths.SystemPe)
            .Append("CoreFirmware.Apps.BitcoinTicker.pe").Select(f => Path.Combine(deploy, f)).Append(benchPe).ToArray();
        Console.WriteLine("  nanoCLR: timing run ...");
        DeviceBenchResults timing = RunNano(nanoclr, pe, new Dictionary<string, string>());
        Console.WriteLine("  nanoCLR: heap run ...");
        DeviceBenchResults heap = RunNano(nanoclr, pe, new Dictionary<string, string> { ["NANOCLR_HEAP"] = "1", ["NANOCLR_HEAP_SIZE"] = HeapSize });
        foreach (var (name, r) in new[] { ("timing", timing), ("heap", heap) })
        {
            if (r.Error != null) report.AddDevice(Bench, $"nanoCLR {name} run: {r.Error}", double.NaN, "-", "");
            foreach (string note in r.Notes) report.Setting(Bench, $"nanoCLR {name} run: {note}");
        }

        Throughput(report, clr, timing);
        Allocations(report, clr, heap);
        Heap(report, clr, heap);
        Sizes(report, deploy);
        CheckTestSignature(report);
    }

    private static void Throughput(BenchmarkReport report, DeviceBenchResults clr, DeviceBenchResults nano)
    {
        void Mb(string id, string metric, string? attachBench = null, string? attachMetric = null)
        {
            double c = clr.Rates.TryGetValue(id, out var r) ? r.MegabytesPerSecond : double.NaN;
            string n = nano.Rates.TryGetValue(id, out var m) ? m.MegabytesPerSecond.ToString("0.00", CultureInfo.InvariantCulture) : "-";
            report.AddDevice(Bench, metric, c, n, "MB/cpu-s", "0.0", null, attachBench, attachMetric);
        }

        void Cost(string id, string metric, double scale, string unit, string format, string? attachBench = null, string? attachMetric = null)
        {
            double c = clr.Rates.TryGetValue(id, out var r) ? r.SecondsPerOperation * scale : double.NaN;
            string n = nano.Rates.TryGetValue(id, out var m) ? (m.SecondsPerOperation * scale).ToString(format, CultureInfo.InvariantCulture) : "-";
            report.AddDevice(Bench, metric, c, n, unit, format, null, attachBench, attachMetric);
        }

        Mb("json.ticker", "JSON tokenize: ticker reply (json's document)", "json", "ticker: C# tokenize (median of 9)");
        Mb("json.ticker.count", "JSON count-only: ticker reply", "json", "ticker: C# count-only (median of 9)");
        Mb("json.nested", $"JSON tokenize: nested {DeviceBench.DocumentBytes / 1024} KB (device-generated; json's is 1 MB)");
        Mb("json.numbers", $"JSON tokenize: numbers {DeviceBench.DocumentBytes / 1024} KB (device-generated; json's is 1 MB)");
        Mb("sha256", $"SHA-256 (Ota/Image/Sha256), {DeviceBench.DocumentBytes / 1024} KB buffer");
        Mb("crc32", $"CRC32 (Ota/Protocol/Crc32), {DeviceBench.DocumentBytes / 1024} KB buffer");
        // Not beside arbiter's rows: those run over the virtual board's clock, these over SystemClock (the
        // clock a device has: DateTime.UtcNow behind a lock), which the arbiter reads on every acquire.
        Cost("arbiter.flash", "arbiter uncontended acquire+release (Flash), SystemClock", 1e9, "ns", "0.0");
        Cost("arbiter.user", "arbiter uncontended acquire+release (UserNetwork), SystemClock", 1e9, "ns", "0.0");
        Cost("rest.get", "RestClient GET over an in-memory socket (ticker reply)", 1e6, "us", "0.0");
        Cost("ticker.loop", "ticker app Loop over an in-memory server (GET, tokenize, print)", 1e6, "us", "0.0");
        Cost("image.verify.sha", "image verify 64 KB: header, trailer, SHA-256 (ECDSA not checked)", 1e3, "ms", "0.00");
        // Beside crypto's rows: the same verifier, key size and image size (crypto times wall-clock medians).
        Cost("image.verify", "image verify 64 KB (SHA-256 + ECDSA), ManagedImageCrypto", 1e3, "ms", "0.00",
            "crypto", "64 KB image, ImageVerifier over ManagedImageCrypto (from RAM)");
        Cost("ecdsa.verify", "ECDSA P-256 verify, managed (EcdsaP256Verifier)", 1e3, "ms", "0.000",
            "crypto", "ECDSA P-256 verify, managed (EcdsaP256Verifier)");
    }

    private static void Allocations(BenchmarkReport report, DeviceBenchResults clr, DeviceBenchResults nano)
    {
        void Row(string id, string metric, string unit, string? attachBench = null, string? attachMetric = null)
        {
            double c = clr.Allocations.TryGetValue(id, out var a) ? a.BytesPerOperation : double.NaN;
            string n = nano.Allocations.TryGetValue(id, out var b) ? b.Text("0") : "-";
            report.AddDevice(Bench, metric, c, n, unit, "0.###", "0", attachBench, attachMetric);
        }

        Row("json.ticker", "JSON tokenize: bytes allocated per parse (ticker)", "B", "json", "ticker: C# allocated per parse");
        Row("arbiter.flash", "arbiter: bytes allocated per acquire+release (Flash)", "B", "arbiter", "bytes allocated per acquire+release (Flash)");
        Row("rest.get", "RestClient GET (in-memory socket): bytes allocated per request", "B");
        Row("ticker.loop", "ticker app Loop: bytes allocated per iteration", "B");
        Row("image.verify", "image verify 64 KB (SHA-256 + ECDSA): bytes allocated per verification", "B");
    }

    private static void Heap(BenchmarkReport report, DeviceBenchResults clr, DeviceBenchResults nano)
    {
        long N(string label) => nano.Heaps.TryGetValue(label, out var m) ? m.InUse : -1;
        long C(string label) => clr.Heaps.TryGetValue(label, out var m) ? m.InUse : -1;
        string Text(long v) => v < 0 ? "-" : v.ToString("N0", CultureInfo.InvariantCulture);
        double Delta(Func<string, long> f, string a, string b) => f(a) < 0 || f(b) < 0 ? double.NaN : f(b) - f(a);
        string DeltaText(string a, string b) => N(a) < 0 || N(b) < 0 ? "-" : (N(b) - N(a)).ToString("N0", CultureInfo.InvariantCulture);

        report.AddDevice(Bench, "heap: nanoCLR's own at Main (4 assemblies loaded)", double.NaN, Text(N("main")), "B");
        report.AddDevice(Bench, "heap: start-up objects, system (constructed, not booted)", Delta(C, "main", "startup:system"), DeltaText("main", "startup:system"), "B", "N0");
        report.AddDevice(Bench, "heap: + ticker app after Setup", Delta(C, "startup:system", "startup:app"), DeltaText("startup:system", "startup:app"), "B", "N0");
        report.AddDevice(Bench, "heap: + system threads running (watchdog, LED, status, cloud)", Delta(C, "startup:app", "startup:running"), DeltaText("startup:app", "startup:running"), "B", "N0");
        long running = N("startup:running");
        report.AddDevice(Bench, "heap: after start-up, whole heap (runtime + system + app + threads)", double.NaN, Text(running), "B");

        // The ticker's 1,000 iterations on top of the started system.
        long max = -1;
        string last = "ticker:" + DeviceBench.TickerIterations.ToString(CultureInfo.InvariantCulture);
        for (int i = 1; i <= DeviceBench.TickerIterations; i++)
        {
            string label = "ticker:" + i.ToString(CultureInfo.InvariantCulture);
            max = Math.Max(max, N(label));
        }
        report.AddDevice(Bench, $"heap: high-water mark over {DeviceBench.TickerIterations:N0} ticker iterations (whole heap)", double.NaN, Text(max), "B");
        // No CoreCLR figure: in this process the whole heap holds far more than the benchmark (its own
        // bookkeeping of these 1,000 marks included), so only nanoCLR's heap says something here.
        report.AddDevice(Bench, $"heap: high-water mark above after-start-up", double.NaN,
            max < 0 || running < 0 ? "-" : (max - running).ToString("N0", CultureInfo.InvariantCulture), "B", "N0");
        report.AddDevice(Bench, $"heap: growth over {DeviceBench.TickerIterations:N0} iterations (last - first)", double.NaN, DeltaText("ticker:1", last), "B", "N0", goal: "0");

        // Cortex-M estimates: (H + P) / 2, P the payload of the start-up graph as measured on CoreCLR.
        long payload = clr.Heaps.TryGetValue("startup:running", out var p) ? p.Payload : 0;
        string goal = $"<= {DeviceBudget.ManagedHeapEstimateBytes:N0} (managed heap)";
        report.AddDevice(Bench, "heap: payload of the start-up graph (array elements, run-time strings)", payload, "-", "B", "N0");
        if (running > 0)
        {
            long est = (running + payload) / 2;
            report.AddDevice(Bench, "heap: after start-up, Cortex-M estimate", double.NaN, est.ToString("N0", CultureInfo.InvariantCulture), "B", goal: goal);
        }
        if (max > 0)
        {
            long est = (max + payload) / 2;
            report.AddDevice(Bench, "heap: high-water mark, Cortex-M estimate", double.NaN, est.ToString("N0", CultureInfo.InvariantCulture), "B", goal: goal);
            report.AddDevice(Bench, "heap: high-water mark, share of the managed heap (estimate)", double.NaN,
                (100.0 * est / DeviceBudget.ManagedHeapEstimateBytes).ToString("0", CultureInfo.InvariantCulture), "%");
        }
    }

    private static void Sizes(BenchmarkReport report, string deploy)
    {
        long Size(string name)
        {
            var f = new FileInfo(Path.Combine(deploy, name));
            return f.Exists ? f.Length : -1;
        }
        string goal = $"<= {DeviceBudget.DeploymentBytes:N0} (deployment area)";
        var systemPe = CoreFirmware.Virtual.NanoClr.NanoClrPaths.SystemPe;
        long mscorlib = Size("mscorlib.pe"), system = 0;
        report.AddDevice(Bench, ".pe: mscorlib (nanoFramework.CoreLibrary 1.17.11)", double.NaN, mscorlib.ToString("N0", CultureInfo.InvariantCulture), "B");
        foreach (string part in systemPe)
        {
            long size = Size(part);
            system += size;
            report.AddDevice(Bench, ".pe: " + Path.GetFileNameWithoutExtension(part) + " (system)", double.NaN, size.ToString("N0", CultureInfo.InvariantCulture), "B");
        }
        report.AddDevice(Bench, ".pe: the system (the four above)", double.NaN, system.ToString("N0", CultureInfo.InvariantCulture), "B");
        long largest = 0;
        foreach (string file in Directory.GetFiles(deploy, "CoreFirmware.*.pe").OrderBy(f => f, StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            if (systemPe.Contains(Path.GetFileName(file)) || name == "CoreFirmware.VirtualNanoClr") continue;
            long size = new FileInfo(file).Length;
            largest = Math.Max(largest, size);
            report.AddDevice(Bench, ".pe: " + name, double.NaN, size.ToString("N0", CultureInfo.InvariantCulture), "B");
        }
        long total = mscorlib + system + largest;
        report.AddDevice(Bench, ".pe: mscorlib + system + largest app", double.NaN, total.ToString("N0", CultureInfo.InvariantCulture), "B", goal: goal);
        report.AddDevice(Bench, ".pe: share of the deployment area", double.NaN,
            (100.0 * total / DeviceBudget.DeploymentBytes).ToString("0", CultureInfo.InvariantCulture), "%");
    }

    // The 64 KB test image carries a signature made once with a throw-away key; check it here with .NET's
    // ECDSA too (the device benchmark fails on a rejected one, but this names the cause).
    private static void CheckTestSignature(BenchmarkReport report)
    {
        byte[] image = BenchImage.Build(BenchImage.Size64K);
        int body = CoreFirmware.Ota.Image.ImageFormat.HeaderSize + (image.Length - CoreFirmware.Ota.Image.ImageFormat.HeaderSize - CoreFirmware.Ota.Image.ImageFormat.StandardTrailerSize);
        byte[] digest = SHA256.HashData(image.AsSpan(0, body));
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = BenchImage.TestPublicKey[1..33], Y = BenchImage.TestPublicKey[33..65] },
        });
        if (!key.VerifyHash(digest, BenchImage.Signature64K, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            report.AddDevice(Bench, "BenchImage: the 64 KB test image's signature does not verify (regenerate it)", double.NaN, "-", "");
        }
    }

    // The device build (every deployment, checked) and the benchmark's own .pe.
    private static string? Build(string root, string deviceBuild)
    {
        foreach (string project in new[] { deviceBuild, Path.Combine(deviceBuild, "Benchmarks", "DeviceBench") })
        {
            Console.WriteLine($"  building {Path.GetRelativePath(root, project)} (Release) ...");
            var r = ProcessRunner.Run("dotnet", new[] { "build", project, "-c", "Release", "-nologo", "-v", "q" }, BuildTimeout, root);
            if (r.ExitCode != 0)
            {
                string tail = string.Join(" | ", r.Stdout.Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(3));
                return $"{Path.GetFileName(project)}: exit {r.ExitCode} {tail} {r.Stderr}".Trim();
            }
        }
        return null;
    }

    // Runs the benchmark on nanoCLR. The timed figures take nanoCLR's CPU time between its "@@begin" and
    // "@@bench" lines (read while it pauses), not its wall-clock ticks: the machine is shared.
    private static DeviceBenchResults RunNano(string nanoclr, string[] pe, Dictionary<string, string> environment)
    {
        var results = new DeviceBenchResults();
        var begin = new Dictionary<string, long>();
        var cpu = new Dictionary<string, long>();
        void OnLine(string line, int pid)
        {
            string[] f = line.Split(' ');
            if (f.Length < 2) return;
            if (f[0] == "@@begin") begin[f[1]] = ProcessCpu.Ticks(pid);
            else if (f[0] == "@@bench" && begin.TryGetValue(f[1], out long b) && b >= 0)
            {
                long e = ProcessCpu.Ticks(pid);
                if (e > b) cpu[f[1]] = e - b;
            }
        }
        var r = ProcessRunner.Run(nanoclr, pe, RunTimeout, environment: environment, onLine: OnLine);
        results.ParseNano(r.Stdout);
        foreach (var (id, ticks) in cpu)
        {
            if (!results.Rates.TryGetValue(id, out var rate)) continue;
            // A process cannot use more CPU than wall time with one busy thread: more means a late read.
            if (ticks > rate.Ticks * 21 / 20) results.Notes.Add($"{id}: CPU time read late ({ticks / 1e7:0.00} s CPU in {rate.Ticks / 1e7:0.00} s); wall clock used");
            else results.Rates[id] = rate with { Ticks = ticks };
        }
        if (cpu.Count < results.Rates.Count) results.Notes.Add($"{results.Rates.Count - cpu.Count} timed figure(s) by wall clock: no CPU time read");
        if (results.Error == null && !results.Ended)
        {
            results.Error = r.TimedOut ? r.Stderr : $"ended without @@end (exit {r.ExitCode}{(r.ExitCode == 139 ? ", segmentation fault" : "")}) {r.Stderr.Trim()}";
        }
        return results;
    }

    private static string? FindRepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        const string marker = "nf-targets/SparkCore/DeviceBuild/CoreFirmware.Device.proj";
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, marker))) return d.FullName;
        }
        string fromSource = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(sourceFile) ?? ".", "..", ".."));
        return File.Exists(Path.Combine(fromSource, marker)) ? fromSource : null;
    }
}
