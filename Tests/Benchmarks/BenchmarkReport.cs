using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// Collects figures as rows (benchmark, figure, value, unit, goal) and prints them as one table
/// under a header that says which machine and which settings produced them, so one run can be put
/// beside the next.
/// </summary>
public sealed class BenchmarkReport
{
    private readonly List<(string Bench, string Metric, string Value, string Unit, string Goal)> _rows = new();
    private readonly List<(string Bench, string Text)> _settings = new();

    /// <summary>Adds a figure; <paramref name="goal"/> is what an issue promised for it ("0", "&lt;= 2 x"), if anything.</summary>
    public void Add(string bench, string metric, double value, string unit, string format = "0.###", string? goal = null)
    {
        string v = value.ToString(format, CultureInfo.InvariantCulture);
        _rows.Add((bench, metric, v, unit, goal ?? ""));
        Console.WriteLine($"  {bench,-10} {metric,-64} {v,14} {unit,-9} {goal}");
    }

    /// <summary>Records a setting of a benchmark (iterations, repeats, timing profile) for the header.</summary>
    public void Setting(string bench, string text) => _settings.Add((bench, text));

    public void Print(TextWriter w)
    {
        w.WriteLine();
        foreach (string line in MachineLines()) w.WriteLine(line);
        foreach (var (bench, text) in _settings) w.WriteLine($"setting: {bench}: {text}");
        w.WriteLine();
        w.WriteLine($"{"benchmark",-10} {"figure",-64} {"value",14} {"unit",-9} goal");
        w.WriteLine(new string('-', 112));
        foreach (var r in _rows) w.WriteLine($"{r.Bench,-10} {r.Metric,-64} {r.Value,14} {r.Unit,-9} {r.Goal}");
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
        yield return $"cpu: {CpuModel()}, {Environment.ProcessorCount} cores; ram: {RamText()}";
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
