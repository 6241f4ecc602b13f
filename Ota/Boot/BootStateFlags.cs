namespace CoreFirmware.Ota.Boot
{
    /// <summary>
    /// Bits of <see cref="BootState.Flags"/> (one byte on flash; the values must not change).
    /// See Ota/Boot/BOOT-DESIGN.md.
    /// </summary>
    public static class BootStateFlags
    {
        /// <summary>With Pending: the running image was still under test, so the backup slot already
        /// holds the last confirmed image and the install must not overwrite it.</summary>
        public const int KeepBackup = 0x01;

        /// <summary>The cloud asked for safe mode: the next boot starts without the user app and clears this bit.</summary>
        public const int SafeModeRequested = 0x02;

        /// <summary>With RollingBack: the copy's source is the factory slot, not the backup slot.</summary>
        public const int FromFactory = 0x04;

        /// <summary>Nothing valid is left to run (the application slot, the backup and the factory image
        /// were all tried): every boot is safe mode, without trying again, until an install. Written
        /// once, with state None and ActiveVersion 0, by the bootloader.</summary>
        public const int NoValidImage = 0x08;

        /// <summary>With Pending: the cloud asked for a re-install, so the staged image may have the
        /// running image's version (without it the bootloader refuses an equal version: a replay).</summary>
        public const int Reinstall = 0x10;
    }
}
