using CoreFirmware.Benchmarks.Device;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// The device benchmark's sink on CoreCLR (the CoreCLR column): the same code in this process, timed
/// by this thread's CPU time (ThreadClock; nanoCLR's figures are its process's CPU time) after a
/// warm-up long enough for tiered compilation, allocation counted exactly
/// (GC.GetAllocatedBytesForCurrentThread), heap marks from GC.GetTotalMemory after full collections
/// (differences between marks are what count: the process holds much else) plus the payload of the
/// mark's object graph (<see cref="HeapPayload"/>), which converts nanoCLR's 64-bit figures.
/// </summary>
public sealed class HostBenchSink : IBenchSink
{
    private long _allocated0;

    public DeviceBenchResults Results { get; } = new();

    public long Now => ThreadClock.Ticks;

    public long WarmUpTicks => 6_000_000; // 0.6 s: tiered compilation reaches optimized code

    public long TargetTicks => 5_000_000; // 0.5 s

    public void Begin(string id)
    {
    }

    public void Rate(string id, long work, string unit, long ticks) => Results.Rates[id] = new DeviceBenchResults.Rate(work, unit, ticks);

    public void Heap(string label, object? root)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long inUse = GC.GetTotalMemory(true);
        Results.Heaps[label] = new DeviceBenchResults.HeapMark(inUse, 0, root == null ? 0 : HeapPayload.Of(root));
    }

    public void AllocationBegin(string id) => _allocated0 = GC.GetAllocatedBytesForCurrentThread();

    public void AllocationStep()
    {
    }

    public void AllocationEnd(string id, int operations)
    {
        long bytes = GC.GetAllocatedBytesForCurrentThread() - _allocated0;
        Results.Allocations[id] = new DeviceBenchResults.Allocation(operations, (double)bytes / operations, 0, 0, 0);
    }

    public void Note(string text) => Results.Notes.Add(text);
}
