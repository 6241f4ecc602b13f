namespace CoreFirmware.SparkCore
{
    /// <summary>
    /// The Core's pin map, as nanoFramework STM32 pin numbers (port * 16 + pin). The CC3000 and
    /// flash assignments are the original Spark Core's (CC3000 CS PB12, IRQ PB11, enable PB8;
    /// flash CS PB9; both on one SPI controller); the reference board keeps them on its STM32F4.
    /// </summary>
    public static class SparkCorePins
    {
        private const int PortA = 0;
        private const int PortB = 16;

        /// <summary>User pin D0 (PB7): held high at boot it asks for safe mode.</summary>
        public const int D0 = PortB + 7;

        /// <summary>User pin D7 (PA13), with the small blue user LED on it.</summary>
        public const int D7 = PortA + 13;

        /// <summary>RGB LED red channel (PA8, timer PWM).</summary>
        public const int LedRed = PortA + 8;

        /// <summary>RGB LED green channel (PA9).</summary>
        public const int LedGreen = PortA + 9;

        /// <summary>RGB LED blue channel (PA10).</summary>
        public const int LedBlue = PortA + 10;

        /// <summary>CC3000 chip select, active low (PB12).</summary>
        public const int Cc3000ChipSelect = PortB + 12;

        /// <summary>CC3000 interrupt request, active low, driven by the module (PB11).</summary>
        public const int Cc3000Irq = PortB + 11;

        /// <summary>CC3000 power enable (WLAN_EN / VBAT_SW_EN, PB8): low powers the module off.</summary>
        public const int Cc3000Enable = PortB + 8;

        /// <summary>SST25VF016B chip select, active low (PB9).</summary>
        public const int FlashChipSelect = PortB + 9;
    }
}
