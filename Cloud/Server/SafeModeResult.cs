namespace CoreFirmware.Cloud;

/// <summary>How a safe-mode request (<see cref="DeviceServer.RequestSafeModeAsync"/>) ended.</summary>
public enum SafeModeOutcome
{
    /// <summary>The device recorded the request (2.04) and reboots into safe mode.</summary>
    Accepted,

    /// <summary>No such device in the registry.</summary>
    UnknownDevice,

    /// <summary>The device is not connected.</summary>
    Offline,

    /// <summary>The device is busy with an update (5.03); ask again when it is done.</summary>
    UpdateInProgress,

    /// <summary>The device answered with another code (e.g. 5.00: its boot state could not be written; 4.04: it does not know the request).</summary>
    DeviceError,

    /// <summary>No answer in time, or the link dropped while waiting.</summary>
    NoAnswer,
}

/// <summary>The outcome of a safe-mode request with a one-line message for people, and the device's CoAP code (-1 when none).</summary>
public sealed record SafeModeResult(SafeModeOutcome Outcome, string Message, int DeviceCode = -1)
{
    /// <summary>True when the device will reboot into safe mode.</summary>
    public bool Accepted => Outcome == SafeModeOutcome.Accepted;
}
