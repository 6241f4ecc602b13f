namespace CoreFirmware.Cloud;

/// <summary>Why the device server closed a connection.</summary>
/// <param name="At">When (UTC).</param>
/// <param name="Remote">The peer's address.</param>
/// <param name="DeviceId">The device id if the handshake got that far, else null.</param>
/// <param name="Reason">Human-readable reason ("unregistered device ...", "bad counter", "idle timeout" ...).</param>
public sealed record ConnectionDrop(DateTimeOffset At, string Remote, string? DeviceId, string Reason);
