namespace CoreFirmware.Virtual.Scenario;

/// <summary>The faults a scenario cycle can inject into one OTA.</summary>
public enum FaultKind
{
    /// <summary>No fault: the update must land.</summary>
    None,

    /// <summary>The cloud cuts the device's link a third of the way into the transfer (DeviceServer.DisconnectDevice): the device must abort, keep its image and come back.</summary>
    LinkDrop,

    /// <summary>
    /// Corrupted chunks (FlashOptions.CorruptChunk): on odd occurrences three chunks are corrupted on their
    /// first two sends (the update must still land, with resends); on even ones one chunk is always
    /// corrupted (the device must abort with "too many bad chunks").
    /// </summary>
    CorruptChunks,

    /// <summary>The CC3000 model stops answering a third of the way into the transfer (InjectHang): the driver must power-cycle it; the OTA aborts or lands, the device recovers.</summary>
    ModuleHang,

    /// <summary>
    /// Power cut while the bootloader installs the new image. Needs an installer: run through
    /// <see cref="IPowerCutFault"/> (<see cref="ScenarioOptions.PowerCut"/>); without one the cycle runs
    /// without the fault and says so.
    /// </summary>
    PowerCutDuringInstall,

    /// <summary>
    /// A bad release: a properly signed image whose app does not start (its payload is not a loadable
    /// assembly). The device installs it and test-boots it; the app's failure is a fault, the watchdog
    /// resets the board, and after the stated number of resets the bootloader rolls back.
    /// </summary>
    BadRelease,
}
