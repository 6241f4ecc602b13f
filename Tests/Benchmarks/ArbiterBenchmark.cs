using System.Diagnostics;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Benchmarks;

/// <summary>Uncontended cost of one SpiBusArbiter acquire + release (the per-transaction overhead
/// every flash and CC3000 operation pays), and what it allocates.</summary>
public sealed class ArbiterBenchmark : IBenchmark
{
    public string Name => "arbiter";

    public void Run(BenchmarkReport report)
    {
        report.Setting(Name, "2,000,000 acquire+release per priority after 100,000 warm-up");
        var arbiter = new SpiBusArbiter(new VirtualClock());
        for (int i = 0; i < 100_000; i++) // warm-up
        {
            arbiter.Acquire(BusPriority.Flash, 100);
            arbiter.Release();
        }
        foreach (var priority in new[] { BusPriority.Flash, BusPriority.UserNetwork })
        {
            const int N = 2_000_000;
            long alloc0 = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < N; i++)
            {
                arbiter.Acquire(priority, 100);
                arbiter.Release();
            }
            sw.Stop();
            long alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
            report.Add(Name, $"uncontended acquire+release ({priority})", sw.Elapsed.TotalMilliseconds * 1e6 / N, "ns", "0.0");
            report.Add(Name, $"bytes allocated per acquire+release ({priority})", (double)alloc / N, "B", "0.###", goal: "0");
        }
    }
}
