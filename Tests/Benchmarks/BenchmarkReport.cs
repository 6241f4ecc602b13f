using System.Runtime.InteropServices;

namespace CoreFirmware.Benchmarks;

/// <summary>Collects figures as rows (benchmark, metric, value, unit) and prints them as one table.</summary>
public sealed class BenchmarkReport
{
    private readonly List<(string Bench, string Metric, string Value, string Unit)> _rows = new();

    public void Add(string bench, string metric, double value, string unit, string format = "0.###")
    {
        _rows.Add((bench, metric, value.ToString(format, System.Globalization.CultureInfo.InvariantCulture), unit));
        Console.WriteLine($"  {bench,-22} {metric,-44} {value.ToString(format, System.Globalization.CultureInfo.InvariantCulture),14} {unit}");
    }

    public void Print(TextWriter w)
    {
        w.WriteLine();
        w.WriteLine($"machine: {Environment.MachineName}, {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        w.WriteLine($"{"benchmark",-22} {"metric",-44} {"value",14} unit");
        w.WriteLine(new string('-', 90));
        foreach (var r in _rows) w.WriteLine($"{r.Bench,-22} {r.Metric,-44} {r.Value,14} {r.Unit}");
    }
}
