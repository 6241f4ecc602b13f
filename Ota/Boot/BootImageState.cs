namespace CoreFirmware.Ota.Boot
{
    /// <summary>
    /// The state a boot-state record gives the staged image. Minimal for now: the boot work adds
    /// the test-boot states (nanoFramework's Testing / Confirmed / RollbackPending vocabulary).
    /// </summary>
    public enum BootImageState
    {
        /// <summary>No valid record (erased, torn or never written): boot the running image.</summary>
        None = 0,

        /// <summary>A verified image waits in the staging slot to be installed at the next boot.</summary>
        Pending = 1
    }
}
