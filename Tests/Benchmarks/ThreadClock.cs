using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID on Linux), in 100-ns ticks; wall-clock time
/// where that is not available. On a shared machine, time spent descheduled is not the code's.
/// </summary>
public static class ThreadClock
{
    private const int ClockThreadCpuTime = 3;
    private static bool _works = OperatingSystem.IsLinux();

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>True when <see cref="Ticks"/> is CPU time.</summary>
    public static bool IsCpuTime => _works;

    public static long Ticks
    {
        get
        {
            if (_works)
            {
                try
                {
                    if (ClockGetTime(ClockThreadCpuTime, out TimeSpec t) == 0) return t.Seconds * 10_000_000 + t.Nanoseconds / 100;
                }
                catch (DllNotFoundException)
                {
                }
                catch (EntryPointNotFoundException)
                {
                }
                _works = false;
            }
            return Stopwatch.GetTimestamp() * 10_000_000 / Stopwatch.Frequency;
        }
    }
}
