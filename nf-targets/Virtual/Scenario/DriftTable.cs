using System.Globalization;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// Whether a run's figures stay flat: the first and the last tenth of the cycles side by side for
/// OTA time (idle and under load, median of the clean landed updates), preemption latency (p99 and
/// p50 of the loaded cycles), and what the host held after each cycle (threads that are not the
/// pool's, heap after a full collection; medians). A figure whose last tenth exceeds its first by
/// more than <see cref="Limit"/> is flagged. Something a boot or an OTA leaves behind grows with
/// the cycles; the machine's noise does not. Medians keep the noise out. A p99 of a tenth (80
/// loaded cycles in a 1,000-cycle run) is its largest sample or nearly, one scheduling hiccup of a
/// shared machine: a tail row above the limit is called noise, not drift, when one of the tenths
/// between held a larger value (growth makes the last tenth the largest; noise comes and goes).
/// </summary>
public sealed class DriftTable
{
    /// <summary>The largest last/first ratio that is not drift.</summary>
    public const double Limit = 1.2;

    /// <summary>Cycles a run needs for a table (a tenth of fewer holds too few samples to compare).</summary>
    public const int MinimumCycles = 20;

    private DriftTable(IReadOnlyList<Row> rows, int first, int last)
    {
        Rows = rows;
        FirstCycles = first;
        LastCycles = last;
    }

    /// <summary>
    /// One figure: its first-tenth and last-tenth values, their ratio, samples on each side, and the
    /// highest value of the tenths between (2 to 9). <paramref name="Tail"/>: a p99 (see the class).
    /// </summary>
    public sealed record Row(string Figure, double First, double Last, int FirstSamples, int LastSamples, string Unit, bool Tail, double HighestBetween)
    {
        /// <summary>Last over first (NaN when either side has no sample).</summary>
        public double Ratio => First > 0 && !double.IsNaN(First) && !double.IsNaN(Last) ? Last / First : double.NaN;

        /// <summary>Above the limit (drift, or for a tail figure possibly noise).</summary>
        public bool AboveLimit => !double.IsNaN(Ratio) && Ratio > Limit;

        /// <summary>A tail figure above the limit that a tenth between exceeded: the machine's noise.</summary>
        public bool Noise => AboveLimit && Tail && !double.IsNaN(HighestBetween) && HighestBetween >= Last;

        /// <summary>True when the last tenth exceeds the first by more than <see cref="Limit"/> (and, for a tail figure, every tenth between).</summary>
        public bool Drifts => AboveLimit && !Noise;
    }

    public IReadOnlyList<Row> Rows { get; }

    /// <summary>Cycles in the first and the last tenth.</summary>
    public int FirstCycles { get; }
    public int LastCycles { get; }

    /// <summary>True when no figure drifts beyond <see cref="Limit"/>.</summary>
    public bool Flat => Rows.All(r => !r.Drifts);

    /// <summary>The table of <paramref name="cycles"/> (in run order), or null for a run shorter than <see cref="MinimumCycles"/>.</summary>
    public static DriftTable? Of(IReadOnlyList<CycleFigures> cycles)
    {
        if (cycles.Count < MinimumCycles) return null;
        int tenth = cycles.Count / 10;
        var tenths = new CycleFigures[10][];
        for (int i = 0; i < 10; i++)
        {
            // The first nine tenths are equal; the last takes the final `tenth` cycles (a remainder falls between).
            tenths[i] = i < 9 ? cycles.Skip(i * tenth).Take(tenth).ToArray() : cycles.Skip(cycles.Count - tenth).ToArray();
        }
        var rows = new List<Row>
        {
            Compare("OTA time idle (p50)", tenths, c => c.Idle && c.CleanLanded, c => c.OtaMilliseconds, 50, "ms"),
            Compare("OTA time under load (p50)", tenths, c => !c.Idle && c.CleanLanded, c => c.OtaMilliseconds, 50, "ms"),
            Compare("preemption latency (p99)", tenths, c => !c.Idle, c => c.PreemptionMilliseconds, 99, "ms"),
            Compare("preemption latency (p50)", tenths, c => !c.Idle, c => c.PreemptionMilliseconds, 50, "ms"),
            Compare("host threads, not the pool's (p50)", tenths, c => c.HostThreads >= 0, c => c.HostThreads, 50, ""),
            Compare("host heap after a full GC (p50)", tenths, c => c.HostHeapBytes >= 0, c => c.HostHeapBytes / 1048576.0, 50, "MiB"),
        };
        return new DriftTable(rows, tenths[0].Length, tenths[9].Length);
    }

    private static Row Compare(string figure, CycleFigures[][] tenths, Func<CycleFigures, bool> which, Func<CycleFigures, double> value, double percentile, string unit)
    {
        double[] Samples(CycleFigures[] part) => part.Where(which).Select(value).Where(v => !double.IsNaN(v)).ToArray();
        double[] a = Samples(tenths[0]), b = Samples(tenths[9]);
        double between = tenths.Skip(1).Take(8).Select(t => ScenarioSummary.Percentile(Samples(t), percentile)).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Max();
        return new Row(figure, ScenarioSummary.Percentile(a, percentile), ScenarioSummary.Percentile(b, percentile), a.Length, b.Length, unit, percentile > 50, between);
    }

    /// <summary>The table as text (a Markdown table, so the README can take it as printed).</summary>
    public void Print(TextWriter w)
    {
        var c = CultureInfo.InvariantCulture;
        string V(double v, string unit) => double.IsNaN(v) ? "n/a" : (unit == "MiB" ? v.ToString("0.00", c) : unit == "ms" ? v.ToString(v < 10 ? "0.00" : "0", c) : v.ToString("0", c)) + (unit.Length > 0 ? " " + unit : "");
        w.WriteLine($"== drift: first {FirstCycles} cycles against last {LastCycles} (flagged above x{Limit.ToString("0.0#", c)})");
        w.WriteLine("| figure | first tenth | last tenth | last / first | highest tenth between | samples | |");
        w.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (Row r in Rows)
        {
            string ratio = double.IsNaN(r.Ratio) ? "n/a" : "x" + r.Ratio.ToString("0.00", c);
            string verdict = r.Drifts ? "DRIFT" : r.Noise ? "noise (a tenth between was higher)" : "flat";
            w.WriteLine($"| {r.Figure} | {V(r.First, r.Unit)} | {V(r.Last, r.Unit)} | {ratio} | {V(r.HighestBetween, r.Unit)} | {r.FirstSamples} / {r.LastSamples} | {verdict} |");
        }
        string limit = "x" + Limit.ToString("0.0#", c);
        w.WriteLine(!Flat ? "drift: " + string.Join(", ", Rows.Where(r => r.Drifts).Select(r => r.Figure))
            : Rows.Any(r => r.Noise) ? $"drift: none (medians within {limit}; " + string.Join(", ", Rows.Where(r => r.Noise).Select(r => r.Figure)) + $" above {limit} but lower than a tenth between: noise)"
            : $"drift: none (every figure's last tenth within {limit} of its first)");
    }
}
