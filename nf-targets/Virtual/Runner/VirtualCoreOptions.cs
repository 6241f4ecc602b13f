namespace CoreFirmware.Virtual.Runner;

/// <summary>How a <see cref="VirtualCore"/> runs the firmware.</summary>
public sealed class VirtualCoreOptions
{
    /// <summary>
    /// True (always, on a device): an OTA update preempts user networking. False exists only for the
    /// negative run that shows what an update meets without preemption (SocketBroker.PreemptionEnabled).
    /// </summary>
    public bool PreemptionEnabled { get; init; } = true;

    /// <summary>Bound on every wait for a firmware thread to stop at a reboot or at <see cref="VirtualCore.Stop"/>.</summary>
    public int StopTimeoutMilliseconds { get; init; } = 10_000;

    /// <summary>Pause before trying again when a boot throws (no keys, flash error); the loop keeps trying until stopped.</summary>
    public int BootRetryMilliseconds { get; init; } = 500;

    /// <summary>Firmware version the runtime reports in Hello.</summary>
    public int FirmwareVersion { get; init; } = 1;
}
