namespace CoreFirmware.Cloud;

/// <summary>
/// One running (or finished) flash. <see cref="Progress"/> is a snapshot that changes as it runs;
/// <see cref="Started"/> completes when the device answered UpdateBegin (true: transferring) or the
/// flash failed before that (false); <see cref="Completion"/> completes with the final snapshot.
/// </summary>
public sealed class FlashJob
{
    private readonly object _lock = new();
    private readonly TaskCompletionSource<bool> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<OtaProgress> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<string?> _lastDeviceMessage;
    private OtaProgress _progress;

    internal FlashJob(string deviceId, int totalBytes, FlashOptions options, Func<string?> lastDeviceMessage)
    {
        _lastDeviceMessage = lastDeviceMessage;
        int chunks = (totalBytes + options.ChunkSize - 1) / options.ChunkSize;
        _progress = new OtaProgress(deviceId, OtaState.Starting, 0, totalBytes, options.ChunkSize, chunks, options.Fast, 0,
            null, null, DateTimeOffset.UtcNow, null);
    }

    /// <summary>The device.</summary>
    public string DeviceId => _progress.DeviceId;

    /// <summary>The current snapshot (with the device's latest OTA message).</summary>
    public OtaProgress Progress
    {
        get
        {
            lock (_lock)
            {
                return _progress with { LastDeviceMessage = _lastDeviceMessage() };
            }
        }
    }

    /// <summary>True once UpdateReady came (transfer under way), false if the flash failed first.</summary>
    public Task<bool> Started => _started.Task;

    /// <summary>
    /// True once the device accepted the UpdateBegin AND chunk 0 (whose 32-byte header it checks for
    /// board, size and version before it erases anything); false when the flash failed before that
    /// (the reason is in <see cref="Progress"/>). What the REST API's PUT waits for.
    /// </summary>
    public Task<bool> Accepted => _accepted.Task;

    /// <summary>The final snapshot (Done or Failed). Never faults.</summary>
    public Task<OtaProgress> Completion => _done.Task;

    internal void Update(Func<OtaProgress, OtaProgress> change)
    {
        lock (_lock)
        {
            if (!_progress.IsFinished)
            {
                _progress = change(_progress);
            }
        }

        if (_progress.State != OtaState.Starting)
        {
            _started.TrySetResult(_progress.State != OtaState.Failed);
        }
    }

    /// <summary>The device acknowledged chunk 0: its header gate passed.</summary>
    internal void MarkAccepted() => _accepted.TrySetResult(true);

    internal void Finish(OtaState state, string? reason)
    {
        OtaProgress final;
        lock (_lock)
        {
            if (_progress.IsFinished)
            {
                return;
            }

            _progress = _progress with
            {
                State = state,
                Reason = reason,
                BytesSent = state == OtaState.Done ? _progress.TotalBytes : _progress.BytesSent,
                FinishedAt = DateTimeOffset.UtcNow,
            };
            final = _progress with { LastDeviceMessage = _lastDeviceMessage() };
        }

        _started.TrySetResult(state == OtaState.Done);
        _accepted.TrySetResult(state == OtaState.Done);
        _done.TrySetResult(final);
    }
}
