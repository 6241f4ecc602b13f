using System.Globalization;
using System.Runtime.InteropServices;

namespace CoreFirmware.Benchmarks;

/// <summary>Another process's CPU time so far (user + system, all its threads) from /proc/&lt;pid&gt;/stat (Linux).</summary>
public static class ProcessCpu
{
    private const int ScClockTicks = 2; // _SC_CLK_TCK

    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);

    private static readonly long ClockTicksPerSecond = ReadClockTicks();

    /// <summary>The CPU time of <paramref name="pid"/> in 100-ns ticks, or -1 when it cannot be read.</summary>
    public static long Ticks(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long clock = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
            return clock * 10_000_000 / ClockTicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }

    private static long ReadClockTicks()
    {
        try
        {
            long t = SysConf(ScClockTicks);
            return t > 0 ? t : 100;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return 100;
        }
    }
}
