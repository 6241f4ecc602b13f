namespace CoreFirmware.Ota.Image
{
    /// <summary>
    /// The ordered form of an image version: major &lt;&lt; 24 | minor &lt;&lt; 16 | revision (the build
    /// number is not ordered). Stored as BootState.ActiveVersion; compared for downgrade refusal.
    /// </summary>
    public static class PackedImageVersion
    {
        /// <summary>Packs a version into its ordered u32 form.</summary>
        public static uint Pack(int major, int minor, int revision)
        {
            return ((uint)(major & 0xFF) << 24) | ((uint)(minor & 0xFF) << 16) | (uint)(revision & 0xFFFF);
        }

        /// <summary>Packs a header's version.</summary>
        public static uint Of(ImageHeader header)
        {
            return Pack(header.Major, header.Minor, header.Revision);
        }

        /// <summary>"major.minor.revision" of a packed version.</summary>
        public static string ToText(uint packed)
        {
            return ((packed >> 24) & 0xFF).ToString() + "." + ((packed >> 16) & 0xFF).ToString() + "." + (packed & 0xFFFF).ToString();
        }
    }
}
