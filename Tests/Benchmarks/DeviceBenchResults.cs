using System.Globalization;
using System.Text.RegularExpressions;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// What one run of the device benchmark (Tests/Benchmarks/Device) produced, on either runtime: rates,
/// heap marks and allocation counts. <see cref="HostBenchSink"/> fills it on CoreCLR; <see cref="ParseNano"/>
/// fills it from nanoCLR's output (the lines ConsoleBenchSink prints).
/// </summary>
public sealed class DeviceBenchResults
{
    /// <summary>A rate: work units done in ticks (100 ns).</summary>
    public sealed record Rate(long Work, string Unit, long Ticks)
    {
        public double Seconds => Ticks / 1e7;

        /// <summary>MB (10^6 bytes) per second, for byte rates.</summary>
        public double MegabytesPerSecond => Work / 1e6 / Seconds;

        /// <summary>Seconds per operation, for operation rates.</summary>
        public double SecondsPerOperation => Seconds / Work;
    }

    /// <summary>A heap mark: bytes in use after a full collection, and (host only) the payload of the mark's object graph.</summary>
    public sealed record HeapMark(long InUse, long Free, long Payload);

    /// <summary>
    /// Bytes allocated per operation. On CoreCLR exact (<see cref="Exact"/>); on nanoCLR from collections
    /// counted with <see cref="FreeAfterCollection"/> bytes free after each: k collections by operation n
    /// mean about k x free / n bytes per operation; none in N operations, fewer than free / N.
    /// </summary>
    public sealed record Allocation(int Operations, double? Exact, int Collections, int LastCollection, long FreeAfterCollection)
    {
        public double BytesPerOperation =>
            Exact ?? (Collections == 0 ? 0 : (double)Collections * FreeAfterCollection / LastCollection);

        /// <summary>The upper bound when no collection happened (free / operations), else NaN.</summary>
        public double BoundWhenNone => Exact == null && Collections == 0 ? (double)FreeAfterCollection / Operations : double.NaN;

        /// <summary>For the table: "0 (<42)" when nothing was collected, else the figure.</summary>
        public string Text(string format) =>
            Exact != null ? Exact.Value.ToString(format, CultureInfo.InvariantCulture)
            : Collections == 0 ? "0 (<" + BoundWhenNone.ToString("0", CultureInfo.InvariantCulture) + ")"
            : BytesPerOperation.ToString(format, CultureInfo.InvariantCulture);
    }

    public Dictionary<string, Rate> Rates { get; } = new();
    public Dictionary<string, HeapMark> Heaps { get; } = new();
    public Dictionary<string, Allocation> Allocations { get; } = new();
    public List<string> Notes { get; } = new();

    /// <summary>The run printed "@@end" (nanoCLR) or finished (CoreCLR).</summary>
    public bool Ended { get; set; }

    /// <summary>What went wrong ("@@error", a crash, a timeout), or null.</summary>
    public string? Error { get; set; }

    private static readonly Regex HeapLine = new(@"^\[heap\] (?<label>\S+): total (?<total>\d+), free (?<free>\d+), in use (?<use>\d+) bytes$");

    /// <summary>Reads nanoCLR's output of the device benchmark into this.</summary>
    public void ParseNano(IEnumerable<string> lines)
    {
        foreach (string raw in lines)
        {
            string line = raw.TrimEnd();
            Match h = HeapLine.Match(line);
            if (h.Success)
            {
                Heaps[h.Groups["label"].Value] = new HeapMark(long.Parse(h.Groups["use"].Value, CultureInfo.InvariantCulture),
                    long.Parse(h.Groups["free"].Value, CultureInfo.InvariantCulture), 0);
                continue;
            }
            string[] f = line.Split(' ');
            switch (f[0])
            {
                case "@@bench" when f.Length == 5:
                    Rates[f[1]] = new Rate(L(f[2]), f[3], L(f[4]));
                    break;
                case "@@alloc" when f.Length == 5:
                    long free = Heaps.TryGetValue("alloc:" + f[1], out HeapMark? m) ? m.Free : 0;
                    Allocations[f[1]] = new Allocation((int)L(f[2]), null, (int)L(f[3]), (int)L(f[4]), free);
                    break;
                case "@@note":
                    Notes.Add(line[7..]);
                    break;
                case "@@end":
                    Ended = true;
                    break;
                case "@@error":
                    Error = line[8..];
                    break;
            }
        }
    }

    private static long L(string s) => long.Parse(s, CultureInfo.InvariantCulture);
}
