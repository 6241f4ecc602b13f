using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// Collects figures as rows (benchmark, figure, value, nanoCLR, unit, goal) and prints them as one
/// table under a header that says which machine and which settings produced them, so one run can be
/// put beside the next. "value" is the host's figure (CoreCLR, or the virtual board on it); "nanoCLR"
/// is the same figure measured on nanoFramework's interpreter (the "nano" benchmark), "-" where there
/// is none.
/// </summary>
public sealed class BenchmarkReport
{
    private readonly List<Row> _rows = new();
    private readonly List<(string Bench, string Text)> _settings = new();
    private readonly List<(Row Row, string AttachBench, string AttachMetric)> _device = new();

    private sealed class Row
    {
        public required string Bench;
        public required string Metric;
        public required string Value;
        public string Nano = "-";
        public required string Unit;
        public required string Goal;
    }

    /// <summary>Adds a figure; <paramref name="goal"/> is what an issue promised for it ("0", "&lt;= 2 x"), if anything.</summary>
    public void Add(string bench, string metric, double value, string unit, string format = "0.###", string? goal = null)
    {
        string v = Format(value, format);
        _rows.Add(new Row { Bench = bench, Metric = metric, Value = v, Unit = unit, Goal = goal ?? "" });
        Console.WriteLine($"  {bench,-10} {metric,-64} {v,14} {"",12} {unit,-9} {goal}");
    }

    /// <summary>Adds a figure whose value is text (a spread "min / median / max", several values side by side).</summary>
    public void AddText(string bench, string metric, string value, string unit, string? goal = null)
    {
        _rows.Add(new Row { Bench = bench, Metric = metric, Value = value, Unit = unit, Goal = goal ?? "" });
        Console.WriteLine($"  {bench,-10} {metric,-64} {value,14} {"",12} {unit,-9} {goal}");
    }

    /// <summary>Adds "min / median / max" of <paramref name="values"/> (NaNs left out) as one row.</summary>
    public void AddSpread(string bench, string metric, IReadOnlyCollection<double> values, string unit, string format = "0.###", string? goal = null)
    {
        var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
        string text = v.Length == 0 ? "-"
            : $"{Format(v[0], format)} / {Format(Median(v), format)} / {Format(v[^1], format)}";
        AddText(bench, metric, text, unit, goal);
    }

    /// <summary>Median of sorted values.</summary>
    public static double Median(double[] sorted) =>
        sorted.Length == 0 ? double.NaN
        : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;

    /// <summary>
    /// Adds a figure measured on nanoCLR (<paramref name="nano"/>, already formatted) with the same
    /// figure on CoreCLR (<paramref name="value"/>, NaN: none). When <paramref name="attachMetric"/>
    /// names a row of <paramref name="attachBench"/> that the run also produced (the same workload
    /// measured by that benchmark), the nanoCLR figure goes beside that row instead; this is settled when
    /// the table is printed, whatever order the benchmarks ran in.
    /// </summary>
    public void AddDevice(string bench, string metric, double value, string nano, string unit, string format = "0.###",
        string? goal = null, string? attachBench = null, string? attachMetric = null)
    {
        var row = new Row { Bench = bench, Metric = metric, Value = Format(value, format), Nano = nano, Unit = unit, Goal = goal ?? "" };
        _device.Add((row, attachBench ?? "", attachMetric ?? ""));
        Console.WriteLine($"  {bench,-10} {metric,-64} {row.Value,14} {nano,12} {unit,-9} {goal}");
    }

    private static string Format(double value, string format) =>
        double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

    // Device figures go beside the row they measure again, or become rows of their own.
    private List<Row> Table()
    {
        var rows = new List<Row>(_rows);
        foreach (var (row, bench, metric) in _device)
        {
            Row? target = metric.Length == 0 ? null : rows.Find(r => r.Bench == bench && r.Metric == metric && r.Nano == "-");
            if (target != null) target.Nano = row.Nano;
            else rows.Add(row);
        }
        return rows;
    }

    /// <summary>Records a setting of a benchmark (iterations, repeats, timing profile) for the header.</summary>
    public void Setting(string bench, string text) => _settings.Add((bench, text));

    public void Print(TextWriter w)
    {
        w.WriteLine();
        foreach (string line in MachineLines()) w.WriteLine(line);
        foreach (var (bench, text) in _settings) w.WriteLine($"setting: {bench}: {text}");
        w.WriteLine();
        var rows = Table();
        int valueWidth = Math.Max(14, rows.Count == 0 ? 0 : rows.Max(r => r.Value.Length));
        int metricWidth = Math.Max(64, rows.Count == 0 ? 0 : rows.Max(r => r.Metric.Length));
        w.WriteLine($"{"benchmark",-10} {"figure".PadRight(metricWidth)} {"value".PadLeft(valueWidth)} {"nanoCLR",12} {"unit",-9} goal");
        w.WriteLine(new string('-', 47 + metricWidth + valueWidth));
        foreach (var r in rows) w.WriteLine($"{r.Bench,-10} {r.Metric.PadRight(metricWidth)} {r.Value.PadLeft(valueWidth)} {r.Nano,12} {r.Unit,-9} {r.Goal}");
    }

    /// <summary>The machine and process settings: CPU model, cores, RAM, OS, .NET, build configuration, GC and JIT modes.</summary>
    public static IEnumerable<string> MachineLines()
    {
#if DEBUG
        const string config = "Debug";
#else
        const string config = "Release";
#endif
        yield return $"date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, machine: {Environment.MachineName}";
        yield return $"cpu: {CpuModel()}, {Environment.ProcessorCount} cores; ram: {RamText()}; load average at the end: {LoadAverage()}";
        yield return $"os: {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}); runtime: {RuntimeInformation.FrameworkDescription}";
        string tiered = AppContext.TryGetSwitch("System.Runtime.TieredCompilation", out bool t) ? (t ? "on" : "off") : "default (on)";
        yield return $"settings: {config} build, {(GCSettings.IsServerGC ? "server" : "workstation")} GC ({GCSettings.LatencyMode}), tiered compilation {tiered}";
    }

    private static string CpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    // The 1, 5 and 15 minute load averages (Linux): how busy the shared machine was while the figures were taken.
    private static string LoadAverage()
    {
        try
        {
            string[] f = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{f[0]} / {f[1]} / {f[2]} (1 / 5 / 15 min)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return "unknown";
        }
    }

    private static string RamText()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemTotal:", StringComparison.Ordinal)) continue;
                string kb = line["MemTotal:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim();
                return (long.Parse(kb, CultureInfo.InvariantCulture) / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB";
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB (available to .NET)";
    }
}
