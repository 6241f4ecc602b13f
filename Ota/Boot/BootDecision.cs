namespace CoreFirmware.Ota.Boot
{
    /// <summary>
    /// What <see cref="Bootloader.Run"/> decided: whether an application runs, whether it runs in
    /// test mode, which image it is and where its payload sits in the application slot.
    /// </summary>
    public sealed class BootDecision
    {
        /// <summary>False: no valid image anywhere, the system starts in safe mode waiting for an OTA.</summary>
        public bool RunApplication;

        /// <summary>True: the image is new and runs in test mode this boot (confirm it or lose it).</summary>
        public bool TestBoot;

        /// <summary>Packed version (<see cref="Image.PackedImageVersion"/>) of the image in the application slot, 0 when none.</summary>
        public uint ActiveVersion;

        /// <summary>The image header's flags (<see cref="Image.ImageFlags"/>), 0 when none.</summary>
        public uint ImageFlags;

        /// <summary>Offset of the payload in the application slot (the header's size).</summary>
        public int PayloadOffset;

        /// <summary>Bytes of payload.</summary>
        public int PayloadSize;

        /// <summary>Installs (staging copied into the application slot) this run carried out: 0 or 1.</summary>
        public int Installs;

        /// <summary>Rollbacks (the backup copied into the application slot) this run carried out: 0 or 1.</summary>
        public int Rollbacks;

        /// <summary>Factory restores (the factory image copied into the application slot; the first boot of a new board is one): 0 or 1.</summary>
        public int FactoryRestores;

        /// <summary>True when the last reset was the watchdog's.</summary>
        public bool WatchdogReset;

        /// <summary>What happened, for logs: "installed 1.2.0", "rolled back to 1.1.0: not confirmed", "no valid image" ...</summary>
        public string Reason = "";

        /// <summary>The boot state after the decision.</summary>
        public BootState State;
    }
}
