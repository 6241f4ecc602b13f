namespace CoreFirmware.Drivers.Hal
{
    /// <summary>
    /// The board's monotonic clock. Firmware takes all time from here (nanoFramework has no
    /// Environment.TickCount), so tests and the virtual board can observe and bound it.
    /// </summary>
    public interface IClock
    {
        /// <summary>Milliseconds since boot; never goes backwards.</summary>
        long UptimeMilliseconds { get; }

        /// <summary>100-nanosecond ticks since boot, for fine measurements; never goes backwards.</summary>
        long UptimeTicks { get; }
    }
}
