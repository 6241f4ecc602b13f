namespace CoreFirmware.Cloud;

/// <summary>An immutable snapshot of a flash's progress.</summary>
/// <param name="DeviceId">Target device.</param>
/// <param name="State">Current state.</param>
/// <param name="BytesSent">Image bytes delivered so far (slow OTA: acknowledged; fast OTA: streamed), at most <paramref name="TotalBytes"/>.</param>
/// <param name="TotalBytes">Image size.</param>
/// <param name="ChunkSize">Chunk size announced in UpdateBegin.</param>
/// <param name="ChunkCount">Chunks in the image.</param>
/// <param name="Fast">Fast OTA (stream, ChunkMissed) rather than slow (ack per chunk).</param>
/// <param name="Resends">Chunks sent again (nacks, timeouts, missed-chunk requests).</param>
/// <param name="Reason">Why it failed (or the device's success text), null while running.</param>
/// <param name="LastDeviceMessage">The device's last "E/corefw/ota" message.</param>
/// <param name="StartedAt">When the flash was requested (UTC).</param>
/// <param name="FinishedAt">When it reached Done or Failed (UTC).</param>
public sealed record OtaProgress(string DeviceId, OtaState State, long BytesSent, long TotalBytes, int ChunkSize,
    int ChunkCount, bool Fast, int Resends, string? Reason, string? LastDeviceMessage, DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt)
{
    /// <summary>True in Done or Failed.</summary>
    public bool IsFinished => State == OtaState.Done || State == OtaState.Failed;

    /// <summary>The state as the REST API spells it (lowercase).</summary>
    public string StateName => State.ToString().ToLowerInvariant();
}
