using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.SparkCore
{
    /// <summary>
    /// The shared SPI bus and how each part on it is clocked. The two parts want different modes
    /// (CC3000 mode 1, SST25 mode 0), so each device carries its own settings and the controller
    /// is reconfigured whenever the bus changes hands.
    /// </summary>
    public static class SparkCoreBus
    {
        /// <summary>The SPI controller both parts hang on.</summary>
        public const int SpiBusId = 2;

        /// <summary>
        /// SCK for the CC3000: 10.5 MHz (a 42 MHz APB clock divided by 4), under the module's
        /// 16 MHz limit.
        /// </summary>
        public const int Cc3000ClockHz = 10500000;

        /// <summary>SCK for the SST25: 21 MHz (42 MHz / 2), under the 25 MHz limit of READ (0x03).</summary>
        public const int FlashClockHz = 21000000;

        /// <summary>Settings of the CC3000 device on the bus.</summary>
        public static SpiConnectionSettings Cc3000Settings()
        {
            SpiConnectionSettings s = new SpiConnectionSettings(SpiBusId, SparkCorePins.Cc3000ChipSelect);
            s.Mode = SpiMode.Mode1;
            s.ClockFrequency = Cc3000ClockHz;
            return s;
        }

        /// <summary>Settings of the SST25 device on the bus.</summary>
        public static SpiConnectionSettings FlashSettings()
        {
            SpiConnectionSettings s = new SpiConnectionSettings(SpiBusId, SparkCorePins.FlashChipSelect);
            s.Mode = SpiMode.Mode0;
            s.ClockFrequency = FlashClockHz;
            return s;
        }
    }
}
