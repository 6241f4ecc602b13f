using System;

namespace CoreFirmware.Drivers.Hal
{
    /// <summary>
    /// <see cref="IClock"/> over DateTime.UtcNow, available on nanoFramework and on the host. It
    /// clamps backwards steps (a wall-clock adjustment) so readers always see a monotonic value.
    /// </summary>
    public sealed class SystemClock : IClock
    {
        private readonly object _sync = new object();
        private readonly long _startTicks;
        private long _lastTicks;

        /// <summary>Starts the clock at zero.</summary>
        public SystemClock()
        {
            _startTicks = DateTime.UtcNow.Ticks;
        }

        /// <inheritdoc />
        public long UptimeTicks
        {
            get
            {
                long now = DateTime.UtcNow.Ticks - _startTicks;
                lock (_sync)
                {
                    if (now < _lastTicks) now = _lastTicks;
                    _lastTicks = now;
                }
                return now;
            }
        }

        /// <inheritdoc />
        public long UptimeMilliseconds
        {
            get { return UptimeTicks / TimeSpan.TicksPerMillisecond; }
        }
    }
}
