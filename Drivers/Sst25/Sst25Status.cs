namespace CoreFirmware.Drivers.Sst25
{
    /// <summary>Bits of the SST25VF016B status register (RDSR).</summary>
    public static class Sst25Status
    {
        /// <summary>An internal program or erase is running; only RDSR is accepted meanwhile.</summary>
        public const byte Busy = 0x01;

        /// <summary>Write-enable latch: set by WREN, cleared when a write completes or by WRDI.</summary>
        public const byte WriteEnableLatch = 0x02;

        /// <summary>Block-protect bit 0.</summary>
        public const byte BlockProtect0 = 0x04;

        /// <summary>Block-protect bit 1.</summary>
        public const byte BlockProtect1 = 0x08;

        /// <summary>Block-protect bit 2.</summary>
        public const byte BlockProtect2 = 0x10;

        /// <summary>Block-protect bit 3.</summary>
        public const byte BlockProtect3 = 0x20;

        /// <summary>All four block-protect bits.</summary>
        public const byte BlockProtectMask = 0x3C;

        /// <summary>The part is in auto-address-increment programming mode.</summary>
        public const byte AutoAddressIncrement = 0x40;

        /// <summary>Block-protection lock: makes BP bits read-only while WP# is low.</summary>
        public const byte BlockProtectionLock = 0x80;
    }
}
