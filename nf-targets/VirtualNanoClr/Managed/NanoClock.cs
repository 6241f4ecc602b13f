using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary><see cref="IClock"/> over the board's native monotonic clock.</summary>
    public sealed class NanoClock : IClock
    {
        /// <inheritdoc />
        public long UptimeTicks
        {
            get { return NativeClock.UptimeTicks(); }
        }

        /// <inheritdoc />
        public long UptimeMilliseconds
        {
            get { return NativeClock.UptimeTicks() / 10000; }
        }
    }
}
