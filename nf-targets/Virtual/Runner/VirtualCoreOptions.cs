using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Status;

namespace CoreFirmware.Virtual.Runner;

/// <summary>How a <see cref="VirtualCore"/> runs the firmware.</summary>
public sealed class VirtualCoreOptions
{
    /// <summary>
    /// True (always, on a device): an OTA update preempts user networking. False exists only for the
    /// negative run that shows what an update meets without preemption: the runner wires
    /// <see cref="NegativeRuns.NoUserPreemption"/> into SystemParts.UserPreemptionProvider (the firmware
    /// itself cannot switch preemption off).
    /// </summary>
    public bool PreemptionEnabled { get; init; } = true;

    /// <summary>
    /// Called at every boot with the system's socket view (the cloud link's); what it returns is the view
    /// the runtime uses (SystemParts.SystemSockets). Null: the view itself. Fault injection for tests
    /// (for example a system thread stuck in a driver call).
    /// </summary>
    public Func<INetworkSockets, INetworkSockets>? SystemSockets { get; init; }

    /// <summary>Bound on every wait for a firmware thread to stop at a reboot or at <see cref="VirtualCore.Stop"/>.</summary>
    public int StopTimeoutMilliseconds { get; init; } = 10_000;

    /// <summary>Pause before trying again when a boot throws (no keys, flash error); the loop keeps trying until stopped.</summary>
    public int BootRetryMilliseconds { get; init; } = 500;

    /// <summary>
    /// True (always, on a device): the runtime starts the board's hardware watchdog and feeds it while
    /// the system thread checks in. False exists only for the negative run that shows what a stall does
    /// without it (the runtime gets no watchdog).
    /// </summary>
    public bool WatchdogEnabled { get; init; } = true;

    /// <summary>Longest gap between system checkins before feeding stops (firmware default: SystemWatchdog's, 15 s; tests shorten it).</summary>
    public int WatchdogCheckinTimeoutMilliseconds { get; init; } = SystemWatchdog.DefaultCheckinTimeoutMilliseconds;

    /// <summary>The hardware watchdog's timeout (firmware default 4 s).</summary>
    public int WatchdogHardwareTimeoutMilliseconds { get; init; } = SystemWatchdog.DefaultHardwareTimeoutMilliseconds;

    /// <summary>How often the supervisor feeds (firmware default 500 ms; must stay below the hardware timeout).</summary>
    public int WatchdogFeedPeriodMilliseconds { get; init; } = SystemWatchdog.DefaultFeedPeriodMilliseconds;

    /// <summary>
    /// The WiFi driver each boot hands the runtime; null (always, on a device): the board's
    /// <see cref="VirtualBoard.Cc3000Driver"/>. Exists only for the negative run whose 2014-style
    /// driver lives in the test assembly (it drives the board's CC3000 part itself).
    /// </summary>
    public Func<VirtualBoard, CoreFirmware.Drivers.Net.IWifiModule>? WifiModule { get; init; }

    /// <summary>Firmware version the runtime reports in Hello.</summary>
    public int FirmwareVersion { get; init; } = 1;

    /// <summary>Healthy, cloud-connected time after which a test image is confirmed (firmware default 30 s).</summary>
    public int AutoConfirmMilliseconds { get; init; } = CoreFirmware.Ota.Boot.DeploymentControl.DefaultAutoConfirmMilliseconds;

    /// <summary>
    /// True (always, on a device): new images boot in test mode. False exists only for the negative run
    /// (the runner boots with <see cref="NegativeRuns.BootloaderWithoutTestBoot"/>): a crash-looping image
    /// is then never rolled back.
    /// </summary>
    public bool TestBootEnabled { get; init; } = true;
}
