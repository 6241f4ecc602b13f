namespace CoreFirmware.Cloud;

/// <summary>Why a flash could not start.</summary>
public enum FlashError
{
    /// <summary>No such device in the registry.</summary>
    UnknownDevice,

    /// <summary>The device has no open link.</summary>
    Offline,

    /// <summary>A flash to this device is already running.</summary>
    Busy,

    /// <summary>The image is empty or too large.</summary>
    BadImage
}

/// <summary>A flash that could not start; <see cref="Error"/> says why.</summary>
public sealed class FlashException(FlashError error, string message) : Exception(message)
{
    /// <summary>The kind of failure.</summary>
    public FlashError Error { get; } = error;
}
