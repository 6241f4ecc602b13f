using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using CoreFirmware.Application.Json;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// The JSMN-style tokenizer (Application/Json) on three representative documents — a Bitcoin ticker
/// reply (~1 KB), a large nested document (~1 MB) and a number-heavy array (~1 MB) — next to the
/// reference C jsmn (Debian's libjsmn-dev, driver Tests/Benchmarks/jsmn) built twice with -O2 and
/// JSMN_PARENT_LINKS: once with JSMN_STRICT (jsmn's validating mode, the fair comparison for our
/// strict tokenizer) and once without (its default), on the same files in the same run. Prints MB/s
/// (10^6 bytes per second of the parsing thread's CPU time, on both sides), the C#/C ratios and
/// bytes allocated per parse.
/// </summary>
/// <remarks>
/// The machine is shared and noisy, so C and C# runs are interleaved: one C jsmn process per document
/// and build stays up ("serve" mode) and each round times one C# tokenize run, one C# count-only run
/// and one run of each C build, of the same iteration count. The report gives the median of each side over the rounds and the
/// ratio of the medians (a burst of noise then hits both sides alike instead of one). Time is the
/// thread's CPU time (CLOCK_THREAD_CPUTIME_ID on both sides; wall-clock time where that is not
/// available), so time spent descheduled by other work on the machine is not counted. Both sides: token
/// array allocated once, warmed up before the first round. About 15-25 s for all three documents.
/// </remarks>
public sealed class JsonBenchmark : IBenchmark
{
    private const string Bench = "json";
    private const int Rounds = 15;

    // Bytes tokenized per timed run: ~0.1-0.2 s per run at 500-1500 MB/s.
    private const long BytesPerRun = 100_000_000;

    public string Name => Bench;

    public void Run(BenchmarkReport report)
    {
        var docs = new (string Name, byte[] Bytes)[]
        {
            ("ticker", Encoding.UTF8.GetBytes(Device.BenchDocuments.TickerReply)),
            ("nested-1MB", Encoding.UTF8.GetBytes(NestedDocument(1_000_000))),
            ("numbers-1MB", Encoding.UTF8.GetBytes(NumberDocument(1_000_000))),
        };

        report.Setting(Bench, $"{Rounds} interleaved rounds of C# and C jsmn (gcc -O2 -DJSMN_PARENT_LINKS, with and without -DJSMN_STRICT) per document, about {BytesPerRun / 1_000_000} MB parsed per run; medians");
        string dir = Path.Combine(Path.GetTempPath(), "corefirmware-json-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            var builds = new[] { new JsmnBuild("C jsmn strict", "jsmn_bench_strict", true), new JsmnBuild("C jsmn", "jsmn_bench", false) };
            foreach (JsmnBuild build in builds)
            {
                build.Unavailable = BuildJsmn(dir, build);
                if (build.Unavailable != null)
                {
                    Console.WriteLine($"  {build.Label} unavailable: {build.Unavailable}");
                }
            }

            foreach (var (name, bytes) in docs)
            {
                long iterations = Math.Max(5, BytesPerRun / bytes.Length);
                string file = Path.Combine(dir, name + ".json");
                File.WriteAllBytes(file, bytes);

                var sides = new List<JsmnSide>();
                foreach (JsmnBuild build in builds)
                {
                    string? error = build.Unavailable;
                    JsmnServer? server = error == null ? JsmnServer.Start(build.Binary, file, iterations, out error) : null;
                    sides.Add(new JsmnSide(build.Label, server, error));
                }

                try
                {
                    RunDocument(report, name, bytes, iterations, sides);
                }
                finally
                {
                    foreach (JsmnSide side in sides) side.Server?.Dispose();
                }
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>One C build of jsmn: its label in the report, its binary, whether it is built strict, why it is unavailable.</summary>
    private sealed class JsmnBuild(string label, string file, bool strict)
    {
        public string Label { get; } = label;

        public string File { get; } = file;

        public bool Strict { get; } = strict;

        public string Binary { get; set; } = "";

        public string? Unavailable { get; set; }
    }

    /// <summary>One C build's server for one document, its speed per round, and why it stopped (null: fine).</summary>
    private sealed class JsmnSide(string label, JsmnServer? server, string? error)
    {
        public string Label { get; } = label;

        public JsmnServer? Server { get; } = server;

        public string? Error { get; set; } = error;

        public double[] Speeds { get; } = new double[Rounds];
    }

    private static void RunDocument(BenchmarkReport report, string name, byte[] doc, long iterations, List<JsmnSide> sides)
    {
        var parser = new JsonParser();
        if (parser.Parse(doc, 0, doc.Length, null) != JsonResult.Complete)
        {
            throw new InvalidOperationException("benchmark document does not parse: " + parser.LastResult + " at " + parser.Position);
        }

        int count = parser.TokenCount;
        var tokens = new JsonToken[count];

        // Warm up long enough for tiered compilation to reach fully optimized code (its call-count
        // delay is ~100 ms and restarts while new methods keep being jitted).
        long check = 0;
        long warmStart = Stopwatch.GetTimestamp();
        for (long i = 0; i < 60 || Stopwatch.GetElapsedTime(warmStart).TotalMilliseconds < 600; i++)
        {
            check += ParseOnce(parser, doc, tokens) + ParseOnce(parser, doc, null);
        }

        var cs = new double[Rounds];
        var counting = new double[Rounds];
        long allocated = 0;
        for (int r = 0; r < Rounds; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            cs[r] = TimedRun(parser, doc, tokens, iterations, ref check);
            counting[r] = TimedRun(parser, doc, null, iterations, ref check);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            foreach (JsmnSide side in sides)
            {
                if (side.Server != null && side.Error == null)
                {
                    side.Error = side.Server.Run(out side.Speeds[r]);
                }
            }
        }

        if (check == 0)
        {
            Console.WriteLine("(no tokens?)");
        }

        double csMedian = Median(cs);
        report.Add(Bench, $"{name}: size", doc.Length, "bytes", "0");
        report.Add(Bench, $"{name}: tokens", count, "tokens", "0");
        report.Add(Bench, $"{name}: C# tokenize (median of {Rounds})", csMedian, _threadClockWorks ? "MB/cpu-s" : "MB/s", "0.0");
        report.Add(Bench, $"{name}: C# count-only (median of {Rounds})", Median(counting), _threadClockWorks ? "MB/cpu-s" : "MB/s", "0.0");
        report.Add(Bench, $"{name}: C# allocated per parse", allocated / (double)(iterations * 2 * Rounds), "bytes", "0.##", goal: "0");
        foreach (JsmnSide side in sides)
        {
            if (side.Server == null || side.Error != null)
            {
                report.Add(Bench, $"{name}: {side.Label} unavailable: {side.Error}", double.NaN, "");
                continue;
            }

            double[] c = side.Speeds;
            double cMedian = Median(c);
            var ratios = new double[Rounds];
            for (int r = 0; r < Rounds; r++) ratios[r] = cs[r] / c[r];
            Array.Sort(ratios);
            // The goal (issue 15) is set against the strict build: both sides then validate.
            string? goal = side.Label.Contains("strict", StringComparison.Ordinal) ? ">= 1.0" : null;
            report.Add(Bench, $"{name}: {side.Label} tokenize (median of {Rounds})", cMedian, _threadClockWorks ? "MB/cpu-s" : "MB/s", "0.0");
            report.Add(Bench, $"{name}: {side.Label} tokens", side.Server.Tokens, "tokens", "0");
            report.Add(Bench, $"{name}: ratio C# / {side.Label} (of medians)", csMedian / cMedian, "x", "0.00", goal);
            report.AddText(Bench, $"{name}: ratio C# / {side.Label} per round, lowest / highest",
                $"{ratios[0].ToString("0.00", CultureInfo.InvariantCulture)} / {ratios[Rounds - 1].ToString("0.00", CultureInfo.InvariantCulture)}", "x");
        }
    }

    private static double TimedRun(JsonParser parser, byte[] doc, JsonToken[]? tokens, long iterations, ref long check)
    {
        double start = ThreadSeconds();
        for (long i = 0; i < iterations; i++)
        {
            check += ParseOnce(parser, doc, tokens);
        }

        double seconds = ThreadSeconds() - start;
        return doc.Length * (double)iterations / seconds / 1e6;
    }

    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID on Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static bool _threadClockWorks = OperatingSystem.IsLinux();

    /// <summary>This thread's CPU time in seconds (Linux), else wall-clock seconds.</summary>
    private static double ThreadSeconds()
    {
        if (_threadClockWorks)
        {
            try
            {
                if (ClockGetTime(ClockThreadCpuTime, out TimeSpec t) == 0)
                {
                    return t.Seconds + t.Nanoseconds * 1e-9;
                }
            }
            catch (DllNotFoundException)
            {
            }
            catch (EntryPointNotFoundException)
            {
            }

            _threadClockWorks = false;
        }

        return Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ParseOnce(JsonParser parser, byte[] doc, JsonToken[]? tokens)
    {
        parser.Reset();
        if (parser.Parse(doc, 0, doc.Length, tokens) != JsonResult.Complete)
        {
            throw new InvalidOperationException("parse failed");
        }

        return parser.TokenCount;
    }

    // ---------- C jsmn ----------

    private static string? BuildJsmn(string dir, JsmnBuild build)
    {
        string binary = build.Binary = Path.Combine(dir, build.File);
        string? script = FindScript();
        if (script == null)
        {
            return "Tests/Benchmarks/jsmn/build.sh not found";
        }

        string[] args = build.Strict ? new[] { script, binary, "strict" } : new[] { script, binary };
        var (code, _, stderr) = RunProcess("bash", args, TimeSpan.FromMinutes(5));
        if (code != 0 || !File.Exists(binary))
        {
            return string.IsNullOrWhiteSpace(stderr) ? $"build.sh exited with {code}" : stderr.Trim();
        }

        return null;
    }

    /// <summary>The C driver in "serve" mode: one timed run of the set iteration count per request line.</summary>
    private sealed class JsmnServer : IDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
        private readonly Process _process;

        private JsmnServer(Process process, int tokens)
        {
            _process = process;
            Tokens = tokens;
        }

        public int Tokens { get; }

        public static JsmnServer? Start(string binary, string file, long iterations, out string? error)
        {
            var psi = new ProcessStartInfo(binary)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add(file);
            psi.ArgumentList.Add(iterations.ToString(CultureInfo.InvariantCulture));
            psi.ArgumentList.Add("serve");
            Process process;
            try
            {
                process = Process.Start(psi)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                error = $"cannot run {binary}: {e.Message}";
                return null;
            }

            var server = new JsmnServer(process, 0);
            string? line = server.ReadLine(out error);
            if (line == null || !line.StartsWith("tokens=", StringComparison.Ordinal))
            {
                error ??= "unexpected driver output: " + line;
                server.Dispose();
                return null;
            }

            return new JsmnServer(process, int.Parse(line.AsSpan(7), CultureInfo.InvariantCulture));
        }

        /// <summary>Runs one timed repeat; null on success, else why not.</summary>
        public string? Run(out double mbps)
        {
            mbps = 0;
            _process.StandardInput.WriteLine("run");
            _process.StandardInput.Flush();
            string? line = ReadLine(out string? error);
            if (line == null)
            {
                return error;
            }

            foreach (string field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (field.StartsWith("mbps=", StringComparison.Ordinal))
                    mbps = double.Parse(field.AsSpan(5), CultureInfo.InvariantCulture);
            }

            return mbps > 0 ? null : "unexpected driver output: " + line;
        }

        private string? ReadLine(out string? error)
        {
            var read = _process.StandardOutput.ReadLineAsync();
            if (!read.Wait(Timeout) || read.Result == null)
            {
                string stderr = _process.HasExited ? _process.StandardError.ReadToEnd().Trim() : "";
                error = read.IsCompleted ? $"driver ended: {stderr}" : $"driver timed out after {Timeout.TotalSeconds} s";
                return null;
            }

            error = null;
            return read.Result;
        }

        public void Dispose()
        {
            try
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5000))
                {
                    _process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
        }
    }

    private static (int Code, string Stdout, string Stderr) RunProcess(string file, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                return (-1, "", $"{Path.GetFileName(file)} timed out after {timeout.TotalSeconds} s");
            }

            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", $"cannot run {file}: {e.Message}");
        }
    }

    private static string? FindScript([CallerFilePath] string sourceFile = "")
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "Tests", "Benchmarks", "jsmn", "build.sh");
            if (File.Exists(candidate)) return candidate;
        }

        string fromSource = Path.Combine(Path.GetDirectoryName(sourceFile) ?? ".", "jsmn", "build.sh");
        return File.Exists(fromSource) ? fromSource : null;
    }

    // ---------- documents (the ticker reply is Device/BenchDocuments.TickerReply, shared with the device benchmark) ----------

    /// <summary>Records with nested objects, arrays, escapes and non-ASCII text, about targetBytes long.</summary>
    private static string NestedDocument(int targetBytes)
    {
        var rng = new Random(20140314);
        string[] words = { "sensor", "relay", "caf\u00e9", "\u6e29\u5ea6", "na\u00efve", "stra\u00dfe", "\u0394t", "ok", "pending", "\ud83d\ude80" };
        var sb = new StringBuilder(targetBytes + 4096);
        sb.Append("{\"device\":\"core-7f3a\",\"schema\":3,\"records\":[\n");
        int id = 0;
        while (sb.Length < targetBytes - 600)
        {
            if (id > 0) sb.Append(",\n");
            sb.Append("  {\"id\":").Append(id++)
              .Append(",\"user\":{\"name\":\"").Append(words[rng.Next(words.Length)]).Append(' ').Append(words[rng.Next(words.Length)])
              .Append("\",\"tags\":[\"").Append(words[rng.Next(words.Length)]).Append("\",\"").Append(words[rng.Next(words.Length)]).Append("\"]")
              .Append(",\"geo\":{\"lat\":").Append((rng.NextDouble() * 180 - 90).ToString("0.00000", CultureInfo.InvariantCulture))
              .Append(",\"lon\":").Append((rng.NextDouble() * 360 - 180).ToString("0.00000", CultureInfo.InvariantCulture)).Append("}}")
              .Append(",\"text\":\"line \\\"").Append(words[rng.Next(words.Length)]).Append("\\\"\\n\\tpath C:\\\\data\\\\").Append(rng.Next(1000))
              .Append(" \\u00e9\\ud83d\\ude00 ").Append(words[rng.Next(words.Length)]).Append('"')
              .Append(",\"active\":").Append(rng.Next(2) == 0 ? "true" : "false")
              .Append(",\"score\":").Append(rng.Next(4) == 0 ? "null" : rng.Next(100000).ToString(CultureInfo.InvariantCulture))
              .Append(",\"items\":[");
            int items = rng.Next(0, 4);
            for (int k = 0; k < items; k++)
            {
                if (k > 0) sb.Append(',');
                sb.Append("{\"sku\":\"X-").Append(rng.Next(10000)).Append("\",\"qty\":").Append(rng.Next(1, 20))
                  .Append(",\"price\":").Append((rng.Next(100, 100000) / 100.0).ToString("0.00", CultureInfo.InvariantCulture))
                  .Append(",\"dims\":[").Append(rng.Next(1, 50)).Append(',').Append(rng.Next(1, 50)).Append(',').Append(rng.Next(1, 50)).Append("]}");
            }
            sb.Append("]}");
        }
        sb.Append("\n]}\n");
        return sb.ToString();
    }

    /// <summary>One array of numbers (integers, decimals, negatives, exponents), about targetBytes long.</summary>
    private static string NumberDocument(int targetBytes)
    {
        var rng = new Random(8259);
        var sb = new StringBuilder(targetBytes + 64);
        sb.Append('[');
        bool first = true;
        while (sb.Length < targetBytes - 32)
        {
            if (!first) sb.Append(',');
            first = false;
            switch (rng.Next(5))
            {
                case 0: sb.Append(rng.Next(-1000, 1000000)); break;
                case 1: sb.Append((rng.NextDouble() * 100000).ToString("0.00", CultureInfo.InvariantCulture)); break;
                case 2: sb.Append((rng.NextDouble() * 2 - 1).ToString("0.000000", CultureInfo.InvariantCulture)); break;
                case 3: sb.Append((rng.NextDouble() * 10).ToString("0.000", CultureInfo.InvariantCulture)).Append('e').Append(rng.Next(-30, 30)); break;
                default: sb.Append(-rng.Next(0, 100000000)); break;
            }
        }
        sb.Append(']');
        return sb.ToString();
    }
}
