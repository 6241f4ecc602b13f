namespace CoreFirmware.Virtual.Scenario;

/// <summary>How one scenario cycle ended.</summary>
public enum CycleOutcome
{
    /// <summary>The cloud delivered the image, the device rebooted and holds the new version (pending install, or running once the bootloader installs).</summary>
    Landed,

    /// <summary>The device took the image, then went back to the previous one (bootloader rollback).</summary>
    RolledBack,

    /// <summary>The update ended without the image (link drop, bad chunks, hang ...); the old image kept running.</summary>
    Aborted,

    /// <summary>The device did not end on a valid image, or a landed update left a record that does not match what was sent.</summary>
    Failed,

    /// <summary>A phase of the cycle made no progress within the lockup bound.</summary>
    Lockup,

    /// <summary>The run was stopped (Ctrl-C) during the cycle.</summary>
    Cancelled,
}
