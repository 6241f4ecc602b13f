namespace CoreFirmware.Ota.Boot
{
    /// <summary>
    /// The state a boot-state record gives the images, in nanoFramework's InFieldUpdate vocabulary
    /// where it fits (TestPending = <see cref="Pending"/>, Testing, Confirmed, RollbackPending).
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
        RollbackPending = 4
    }
}
