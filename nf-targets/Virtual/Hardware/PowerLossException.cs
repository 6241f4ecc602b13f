namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// Thrown by a virtual part that has lost power (a power cut in a test): the firmware code running
/// on the "board" unwinds with it, as a real MCU would simply stop.
/// </summary>
public sealed class PowerLossException : Exception
{
    public PowerLossException(string message) : base(message)
    {
    }
}
