namespace CoreFirmware.Drivers.Hal
{
    /// <summary>
    /// SPI clock polarity and phase, as System.Device.Spi names them.
    /// </summary>
    public enum SpiMode
    {
        /// <summary>CPOL 0, CPHA 0.</summary>
        Mode0 = 0,
        /// <summary>CPOL 0, CPHA 1 (the CC3000's mode).</summary>
        Mode1 = 1,
        /// <summary>CPOL 1, CPHA 0.</summary>
        Mode2 = 2,
        /// <summary>CPOL 1, CPHA 1.</summary>
        Mode3 = 3,
    }

    /// <summary>
    /// How one device on a SPI bus is clocked: the shape of System.Device.Spi's SpiConnectionSettings.
    /// The chip select is driven by the driver through a GPIO pin (see <see cref="ISpiDevice"/>), so
    /// <see cref="ChipSelectLine"/> names that pin rather than a hardware chip select.
    /// </summary>
    public sealed class SpiConnectionSettings
    {
        /// <summary>Creates settings for a device on bus <paramref name="busId"/> selected by pin <paramref name="chipSelectLine"/>.</summary>
        public SpiConnectionSettings(int busId, int chipSelectLine)
        {
            BusId = busId;
            ChipSelectLine = chipSelectLine;
            Mode = SpiMode.Mode0;
            DataBitLength = 8;
            ClockFrequency = 1000000;
        }

        /// <summary>The SPI controller the device hangs on.</summary>
        public int BusId { get; private set; }

        /// <summary>The GPIO pin number of the device's active-low chip select.</summary>
        public int ChipSelectLine { get; private set; }

        /// <summary>Clock polarity and phase the device expects.</summary>
        public SpiMode Mode { get; set; }

        /// <summary>Bits per transfer word; CoreFirmware uses 8.</summary>
        public int DataBitLength { get; set; }

        /// <summary>SCK frequency in hertz.</summary>
        public int ClockFrequency { get; set; }
    }
}
