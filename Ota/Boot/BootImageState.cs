namespace CoreFirmware.Ota.Boot
{
    /// <summary>
    /// The state a boot-state record gives the images, in nanoFramework's InFieldUpdate vocabulary
    /// where it fits (TestPending = <see cref="Pending"/>, Testing, Confirmed, RollbackPending), plus the
    /// bootloader's two copy states. See Ota/Boot/BOOT-DESIGN.md.
    /// Stored as one byte; the numbers are part of the on-flash format and must not change.
    /// </summary>
    public enum BootImageState
    {
        /// <summary>No valid record (erased, torn or never written): boot the running image.</summary>
        None = 0,

        /// <summary>A verified image waits in the staging slot to be installed at the next boot.</summary>
        Pending = 1,

        /// <summary>The new image is installed and boots in test mode; it must confirm itself
        /// (BootState.BootAttempts counts its test boots).</summary>
        Testing = 2,

        /// <summary>The running image confirmed itself: it stays.</summary>
        Confirmed = 3,

        /// <summary>The test image failed or asked to revert: the next boot restores the backup.</summary>
        RollbackPending = 4,

        /// <summary>The bootloader is copying the staged image into the application slot
        /// (BootState.InstallProgress bytes done); the backup slot holds a good image.</summary>
        Installing = 5,

        /// <summary>The bootloader is copying the backup (or, with BootStateFlags.FromFactory, the
        /// factory image) into the application slot (BootState.InstallProgress bytes done).</summary>
        RollingBack = 6
    }
}
