namespace CoreFirmware.Drivers.Update
{
    /// <summary>The running image's standing (see <see cref="IDeploymentControl"/>).</summary>
    public enum DeploymentStatus
    {
        /// <summary>The image is confirmed (or was installed at manufacture): it stays.</summary>
        Confirmed = 0,

        /// <summary>The image is new and under test: confirm it, or it is rolled back.</summary>
        Testing = 1,

        /// <summary>A revert was requested: the previous image returns at the next boot.</summary>
        RevertPending = 2,
    }
}
