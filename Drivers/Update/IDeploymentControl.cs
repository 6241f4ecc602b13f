namespace CoreFirmware.Drivers.Update
{
    /// <summary>
    /// What user code may do about the image it runs in, in nanoFramework InFieldUpdate's words:
    /// a new image boots in test mode and must be confirmed, or it is rolled back.
    /// See Ota/Boot/BOOT-DESIGN.md.
    /// </summary>
    public interface IDeploymentControl
    {
        /// <summary>Where the running image stands.</summary>
        DeploymentStatus Status { get; }

        /// <summary>Confirms the running test image: it stays. True when it was under test and is now confirmed
        /// (false when there was nothing to confirm or the state could not be written).</summary>
        bool ConfirmDeploymentImage();

        /// <summary>Asks for the previous image back: recorded, then the board reboots into the rollback.
        /// False when there is no test image to revert.</summary>
        bool RequestDeploymentRevert();
    }
}
