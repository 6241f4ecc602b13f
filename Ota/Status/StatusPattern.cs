namespace CoreFirmware.Ota.Status
{
    /// <summary>
    /// What the status LED shows, in the Spark Core's vocabulary (see specs/README.md, "Status LED").
    /// </summary>
    public enum StatusPattern
    {
        /// <summary>LED dark.</summary>
        Off = 0,

        /// <summary>Connected to the cloud.</summary>
        BreathingCyan = 1,

        /// <summary>Connecting to WiFi.</summary>
        FlashingGreen = 2,

        /// <summary>Connecting to the cloud.</summary>
        FlashingCyan = 3,

        /// <summary>OTA update in progress.</summary>
        FlashingMagenta = 4,

        /// <summary>Safe mode: no user app, cloud and OTA only.</summary>
        BreathingMagenta = 5,

        /// <summary>Fault: red "... --- ..." then a blink count (the fault code), repeated.</summary>
        Sos = 6,
    }
}
