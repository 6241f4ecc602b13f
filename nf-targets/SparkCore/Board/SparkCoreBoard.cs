namespace CoreFirmware.SparkCore
{
    /// <summary>Identity of the SparkCore board for signed images.</summary>
    public static class SparkCoreBoard
    {
        /// <summary>
        /// Board id in a signed image's header (<c>CoreFirmware.Ota.Image.ImageFormat</c>): ASCII
        /// "SPKC" read as a big-endian u32 (0x53504B43). An image for any other id is refused.
        /// </summary>
        public const uint ImageBoardId = 0x53504B43;
    }
}
