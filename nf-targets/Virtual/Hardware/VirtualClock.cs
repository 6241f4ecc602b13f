using System.Diagnostics;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>The board's monotonic clock on the host, from <see cref="Stopwatch"/>.</summary>
public sealed class VirtualClock : IClock
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public long UptimeTicks => (long)((Stopwatch.GetTimestamp() - _start) * (10_000_000.0 / Stopwatch.Frequency));

    public long UptimeMilliseconds => UptimeTicks / TimeSpan.TicksPerMillisecond;
}
