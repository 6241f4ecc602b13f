namespace CoreFirmware.Drivers.Sst25
{
    /// <summary>
    /// Worst-case busy times of the SST25VF016B (datasheet maxima; see specs/README.md) and the
    /// bounds the driver derives from them. A busy poll gives up after the maximum plus
    /// <see cref="ClockMarginMilliseconds"/>.
    /// </summary>
    public static class Sst25Timing
    {
        /// <summary>Byte program / AAI word program: 10 us maximum.</summary>
        public const int ProgramMaxMicroseconds = 10;

        /// <summary>4 KB sector erase: 18 ms typical, 25 ms maximum.</summary>
        public const int SectorEraseMaxMilliseconds = 25;

        /// <summary>32 KB and 64 KB block erase: 18 ms typical, 25 ms maximum.</summary>
        public const int BlockEraseMaxMilliseconds = 25;

        /// <summary>Chip erase: 35 ms typical, 50 ms maximum.</summary>
        public const int ChipEraseMaxMilliseconds = 50;

        /// <summary>
        /// Added to every maximum: a millisecond clock (SystemClock on the device ticks in 1 ms
        /// steps at best) can show up to one tick less than really elapsed, and the first poll
        /// may come up to one tick late. Two ticks cover both.
        /// </summary>
        public const int ClockMarginMilliseconds = 2;
    }
}
