namespace CoreFirmware.Ota.Image
{
    /// <summary>Bits of the image header's flags word.</summary>
    public static class ImageFlags
    {
        /// <summary>The app confirms itself (IDeploymentControl.ConfirmDeploymentImage); the system does not
        /// auto-confirm it after a healthy, cloud-connected run.</summary>
        public const uint ManualConfirm = 0x1;
    }
}
