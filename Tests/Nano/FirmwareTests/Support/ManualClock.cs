using System;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>A clock that moves only when the test moves it (or by <see cref="StepPerRead"/> on every read).</summary>
    public sealed class ManualClock : IClock
    {
        private readonly object _sync = new object();
        private long _ticks;
        private long _stepTicks;

        /// <summary>Milliseconds added after every read (0: none); makes a busy-poll loop see time pass.</summary>
        public int StepPerRead
        {
            set { lock (_sync) { _stepTicks = value * TimeSpan.TicksPerMillisecond; } }
        }

        /// <inheritdoc />
        public long UptimeTicks
        {
            get
            {
                lock (_sync)
                {
                    long now = _ticks;
                    _ticks += _stepTicks;
                    return now;
                }
            }
        }

        /// <inheritdoc />
        public long UptimeMilliseconds
        {
            get { return UptimeTicks / TimeSpan.TicksPerMillisecond; }
        }

        /// <summary>Moves the clock <paramref name="milliseconds"/> forward.</summary>
        public void Advance(int milliseconds)
        {
            lock (_sync) { _ticks += milliseconds * TimeSpan.TicksPerMillisecond; }
        }
    }
}
