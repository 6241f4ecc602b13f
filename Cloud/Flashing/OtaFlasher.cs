using System.Threading.Channels;
using CoreFirmware.Ota.Protocol;
using Microsoft.Extensions.Logging;

namespace CoreFirmware.Cloud;

/// <summary>
/// The cloud side of one OTA transfer (OTA-DESIGN.md "OTA transfer"; spark-protocol's Flasher.js
/// with our limits): UpdateBegin with retries until UpdateReady (or a 4.00 refusal with a reason),
/// then slow OTA (one chunk at a time, resend on ChunkReceivedError or silence, at most
/// <see cref="FlashOptions.MaxChunkRetries"/> per chunk) or fast OTA (stream every chunk with its
/// index, resend what ChunkMissed lists, UpdateDone after a quiet period, and keep resending what a
/// ChunkMissed lists after UpdateDone: the device holds UpdateDone until its gaps fill), then UpdateDone and
/// the device's verdict. The device's "aborted: ..." event ends the flash at any point, and so does
/// (slow OTA) a chunk answered 4.00 with a reason text (the device refused the image's header).
/// </summary>
/// <remarks>
/// Deviation from 0.1.6: the fast-OTA chunk index is sent as a proper u16 big-endian Uri-Query
/// (0.1.6's encoder has no "uint16" case and fails past chunk 0); UpdateBegin always carries its
/// payload (0.1.6 drops it on the 4th try); per-chunk retries are capped.
/// </remarks>
internal sealed class OtaFlasher
{
    private const string OtaPending = "pending";
    // The device's "verifying <done> <total>" event while it checks the image at UpdateDone (OtaVerifyProgress):
    // a slow device is still at it, so the wait for its answer starts again.
    private const string OtaVerifying = "verifying";
    private const string OtaAborted = "aborted:";

    private readonly DeviceConnection _connection;
    private readonly ChannelReader<DeviceMessage> _inbox;
    private readonly byte[] _image;
    private readonly FlashOptions _options;
    private readonly FlashJob _job;
    private readonly ILogger _log;
    private readonly int _chunkCount;
    private readonly Dictionary<int, int> _chunkByToken = new();
    private bool _pendingSeen;
    private bool _begun;

    public OtaFlasher(DeviceConnection connection, ChannelReader<DeviceMessage> inbox, byte[] image, FlashOptions options,
        FlashJob job, ILogger log)
    {
        _connection = connection;
        _inbox = inbox;
        _image = image;
        _options = options;
        _job = job;
        _log = log;
        _chunkCount = (image.Length + options.ChunkSize - 1) / options.ChunkSize;
    }

    /// <summary>Thrown to end the flash as failed with a reason.</summary>
    private sealed class FlashFailed(string reason) : Exception(reason);

    /// <summary>Runs the flash to its end; never throws: every ending, expected or not, finishes the job (Done or Failed).</summary>
    public async Task RunAsync(CancellationToken serverStopping)
    {
        CancellationTokenSource? overall = null;
        try
        {
            overall = CancellationTokenSource.CreateLinkedTokenSource(serverStopping, _connection.Closed);
            overall.CancelAfter(_options.OverallTimeout);
            CancellationToken ct = overall.Token;
            await BeginAsync(ct).ConfigureAwait(false);
            _begun = true;
            _job.Update(p => p with { State = OtaState.Transferring });
            await HeaderChunkAsync(ct).ConfigureAwait(false);
            _job.MarkAccepted();
            if (_options.Fast)
            {
                await FastTransferAsync(ct).ConfigureAwait(false);
            }
            else
            {
                await SlowTransferAsync(ct).ConfigureAwait(false);
            }

            _job.Update(p => p with { State = OtaState.Finishing, BytesSent = p.TotalBytes });
            string verdict = await FinishAsync(ct).ConfigureAwait(false);
            _job.Finish(OtaState.Done, verdict);
            _log.LogInformation("flash of {Id} done: {Verdict}", _job.DeviceId, verdict);
        }
        catch (FlashFailed e)
        {
            Fail(e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException || e is DropException || e is ChannelClosedException
            || e is IOException || e is ObjectDisposedException)
        {
            string reason = serverStopping.IsCancellationRequested ? "server stopping"
                : _connection.CloseReason != null ? "device disconnected (" + _connection.CloseReason + ")"
                : overall?.IsCancellationRequested == true ? "timed out after " + _options.OverallTimeout.TotalSeconds + " s"
                : e.Message;
            Fail(reason);
        }
        catch (Exception e)
        {
            Fail("internal error: " + e.Message);
        }
        finally
        {
            overall?.Dispose();
        }
    }

    private void Fail(string reason)
    {
        _job.Finish(OtaState.Failed, reason);
        _log.LogWarning("flash of {Id} failed: {Reason}", _job.DeviceId, reason);
    }

    /// <summary>Next message from the device, or null when <paramref name="timeout"/> passes first.</summary>
    private async Task<DeviceMessage?> NextAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        try
        {
            DeviceMessage m = await _inbox.ReadAsync(wait.Token).ConfigureAwait(false);
            CheckAbortEvent(m);
            return m;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private void CheckAbortEvent(DeviceMessage m)
    {
        if (m.Kind != MessageKind.PrivateEvent)
        {
            return;
        }

        string text = m.PayloadText;
        if (text.StartsWith(OtaAborted, StringComparison.Ordinal) && _begun)
        {
            // (Before UpdateReady an abort is the previous update's, sent right after its refusal.)
            throw new FlashFailed(text);
        }

        if (text.StartsWith(OtaPending, StringComparison.Ordinal))
        {
            _pendingSeen = true;
        }
    }

    private static bool Answers(DeviceMessage m, (int MessageId, int Token) request) =>
        m.Kind == MessageKind.Response
        && (m.Token == request.Token || (m.Type == CoapType.Acknowledgement && m.MessageId == request.MessageId));

    private static string ReasonOf(DeviceMessage m, string fallback)
    {
        string text = m.PayloadText.Trim();
        return text.Length > 0 ? text : fallback;
    }

    // ------------------------------------------------------------------ UpdateBegin

    private async Task BeginAsync(CancellationToken ct)
    {
        var parameters = new UpdateParameters
        {
            Flags = (_options.Fast ? SparkProtocol.UpdateFlagFastOta : 0) | (_options.Reinstall ? SparkProtocol.UpdateFlagReinstall : 0),
            ChunkSize = _options.ChunkSize,
            FileSize = (uint)_image.Length,
            Destination = UpdateParameters.DestinationFirmware,
            DestinationAddress = 0,
        };
        for (int attempt = 1; attempt <= _options.UpdateBeginAttempts; attempt++)
        {
            var begin = await _connection.SendUpdateBeginAsync(parameters, ct).ConfigureAwait(false);
            DateTime deadline = DateTime.UtcNow + _options.UpdateReadyTimeout;
            while (true)
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                DeviceMessage? m = left > TimeSpan.Zero ? await NextAsync(left, ct).ConfigureAwait(false) : null;
                if (m == null)
                {
                    break;
                }

                if (Answers(m, begin))
                {
                    if (CoapCode.IsSuccess(m.Code))
                    {
                        return;
                    }

                    throw new FlashFailed("device refused the update: " + ReasonOf(m, "code " + CodeText(m.Code)));
                }
            }

            _log.LogInformation("no UpdateReady from {Id} (attempt {Attempt})", _job.DeviceId, attempt);
        }

        throw new FlashFailed($"no UpdateReady after {_options.UpdateBeginAttempts} UpdateBegin attempts");
    }

    private static string CodeText(int code) => (code >> 5) + "." + (code & 0x1F).ToString("00");

    // ------------------------------------------------------------------ chunks

    private byte[] ChunkData(int index, out uint crc)
    {
        // The last chunk is zero-padded to the chunk size; the CRC covers the padded chunk.
        byte[] chunk = new byte[_options.ChunkSize];
        int offset = index * _options.ChunkSize;
        Array.Copy(_image, offset, chunk, 0, Math.Min(_options.ChunkSize, _image.Length - offset));
        crc = Crc32.Compute(chunk, 0, chunk.Length);
        return chunk;
    }

    private async Task<(int MessageId, int Token)> SendChunkAsync(int index, bool withIndex, CancellationToken ct)
    {
        byte[] chunk = ChunkData(index, out uint crc);
        if (_options.CorruptChunk != null)
        {
            int attempt = _sendsByChunk.TryGetValue(index, out int n) ? n + 1 : 1;
            _sendsByChunk[index] = attempt;
            if (_options.CorruptChunk(index, attempt))
            {
                chunk[0] ^= 0xFF; // after the CRC: the device must see the mismatch
            }
        }

        var sent = await _connection.SendChunkAsync(crc, withIndex ? index : -1, chunk, 0, chunk.Length, ct).ConfigureAwait(false);
        _chunkByToken[sent.Token] = index;
        return sent;
    }

    private readonly Dictionary<int, int> _sendsByChunk = new();

    private long BytesThrough(int chunks) => Math.Min((long)chunks * _options.ChunkSize, _image.Length);

    /// <summary>
    /// Chunk 0 on its own, answered in both modes (a fast-OTA chunk without an index is answered and
    /// goes to the next sequential index, 0): the device checks the image header in it (board, size,
    /// version) and answers 2.04, or 4.00 with its reason; only then is the flash "started" for the
    /// REST API, so a refused image is reported to the user who asked.
    /// </summary>
    private Task HeaderChunkAsync(CancellationToken ct) => SendAcknowledgedAsync(0, ct);

    private async Task SlowTransferAsync(CancellationToken ct)
    {
        for (int index = 1; index < _chunkCount; index++)
        {
            await SendAcknowledgedAsync(index, ct).ConfigureAwait(false);
        }
    }

    // One chunk without an index, resent until the device acknowledges it (bounded by MaxChunkRetries).
    private async Task SendAcknowledgedAsync(int index, CancellationToken ct)
    {
        int tries = 0;
        while (true)
        {
            var sent = await SendChunkAsync(index, false, ct).ConfigureAwait(false);
            bool? accepted = null;
            DateTime deadline = DateTime.UtcNow + _options.ChunkAckTimeout;
            while (accepted == null)
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                DeviceMessage? m = left > TimeSpan.Zero ? await NextAsync(left, ct).ConfigureAwait(false) : null;
                if (m == null)
                {
                    break; // silence: resend
                }

                if (Answers(m, sent))
                {
                    accepted = CoapCode.IsSuccess(m.Code);
                    if (accepted == false && m.PayloadText.Trim().Length > 0)
                    {
                        // A bad CRC is answered 4.00 with no text (resend); a 4.00 with a reason is the
                        // device refusing the image (e.g. chunk 0's header: "wrong board"): stop at once.
                        throw new FlashFailed("device rejected the image: " + ReasonOf(m, ""));
                    }
                }
            }

            if (accepted == true)
            {
                break;
            }

            tries++;
            if (tries > _options.MaxChunkRetries)
            {
                throw new FlashFailed(accepted == false
                    ? $"chunk {index} rejected {tries} times (bad CRC)"
                    : $"no answer to chunk {index} after {tries} tries");
            }

            _job.Update(p => p with { Resends = p.Resends + 1 });
        }

        int done = index + 1;
        _job.Update(p => p with { BytesSent = BytesThrough(done) });
    }

    // Fast OTA: chunks asked for again (ChunkMissed, or a ChunkReceivedError), served in order.
    private readonly Queue<int> _resend = new();
    private int _missedRequests;
    private int[]? _retries;

    /// <summary>
    /// Fast OTA: queues what a ChunkMissed (or a 4.00 to a chunk) asks for; true when <paramref name="m"/> was one.
    /// Used while streaming, in the quiet period AND after UpdateDone: a device whose backlog of chunks
    /// outlasts the quiet period sees the gap only after UpdateDone, holds it and asks then.
    /// </summary>
    private bool TakeResendRequest(DeviceMessage m)
    {
        if (m.Kind == MessageKind.ChunkMissed)
        {
            _missedRequests++;
            int missedLimit = _options.MaxMissedChunkRequests + _chunkCount;
            if (_missedRequests > missedLimit)
            {
                throw new FlashFailed($"too many missed-chunk requests ({_missedRequests})");
            }

            for (int i = 0; i + 1 < m.Payload.Length; i += 2)
            {
                int idx = (m.Payload[i] << 8) | m.Payload[i + 1];
                if (idx < _chunkCount)
                {
                    _resend.Enqueue(idx);
                }
            }

            return true;
        }

        if (m.Kind == MessageKind.Response && !CoapCode.IsSuccess(m.Code) && m.Token >= 0
            && _chunkByToken.TryGetValue(m.Token, out int bad))
        {
            _resend.Enqueue(bad); // a ChunkReceivedError in fast mode: resend that chunk too
            return true;
        }

        return false;
    }

    /// <summary>Fast OTA: resends every queued chunk (taking new requests as they come); false when none was queued.</summary>
    private async Task<bool> ResendRequestedAsync(CancellationToken ct)
    {
        _retries ??= new int[_chunkCount];
        bool any = false;
        while (_resend.Count > 0)
        {
            int idx = _resend.Dequeue();
            _retries[idx]++;
            if (_retries[idx] > _options.MaxChunkRetries)
            {
                throw new FlashFailed($"chunk {idx} requested again {_retries[idx]} times");
            }

            await SendChunkAsync(idx, true, ct).ConfigureAwait(false);
            any = true;
            _job.Update(p => p with { Resends = p.Resends + 1 });
            DrainResendRequests();
        }

        return any;
    }

    // Takes what already waits in the inbox without blocking (fast OTA, while sending).
    private void DrainResendRequests()
    {
        while (_inbox.TryRead(out DeviceMessage? m))
        {
            CheckAbortEvent(m);
            TakeResendRequest(m);
        }
    }

    private async Task FastTransferAsync(CancellationToken ct)
    {
        for (int index = 1; index < _chunkCount; index++)
        {
            await SendChunkAsync(index, true, ct).ConfigureAwait(false);
            int done = index + 1;
            _job.Update(p => p with { BytesSent = BytesThrough(done) });
            DrainResendRequests();
        }

        while (true)
        {
            await ResendRequestedAsync(ct).ConfigureAwait(false);

            // Quiet period: UpdateDone only after this long without a missed-chunk request.
            DeviceMessage? next = await NextAsync(_options.FastQuietPeriod, ct).ConfigureAwait(false);
            if (next == null)
            {
                return;
            }

            TakeResendRequest(next);
        }
    }

    // ------------------------------------------------------------------ UpdateDone

    /// <summary>
    /// After a 2.04 to UpdateDone the device sends its "pending ..." event next and reboots: wait
    /// up to 1 s for it so the final snapshot carries it. Its absence does not fail the flash.
    /// </summary>
    private async Task WaitBrieflyForPendingAsync(CancellationToken ct)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        try
        {
            while (!_pendingSeen)
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || await NextAsync(left, ct).ConfigureAwait(false) == null)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is ChannelClosedException || e is OperationCanceledException || e is FlashFailed)
        {
            // The link closed (reboot) or a late event: the 2.04 already decided.
        }
    }

    private async Task<string> FinishAsync(CancellationToken ct)
    {
        var done = await _connection.SendUpdateDoneAsync(ct).ConfigureAwait(false);
        DateTime deadline = DateTime.UtcNow + _options.UpdateDoneTimeout;
        while (true)
        {
            if (_pendingSeen)
            {
                return _job.Progress.LastDeviceMessage ?? "pending";
            }

            TimeSpan left = deadline - DateTime.UtcNow;
            DeviceMessage? m;
            try
            {
                m = left > TimeSpan.Zero ? await NextAsync(left, ct).ConfigureAwait(false) : null;
            }
            catch (Exception e) when ((e is ChannelClosedException || e is OperationCanceledException) && _pendingSeen)
            {
                m = null;
            }

            if (m == null)
            {
                if (_pendingSeen)
                {
                    continue;
                }

                throw new FlashFailed($"no answer to UpdateDone within {_options.UpdateDoneTimeout.TotalSeconds} s");
            }

            if (m.Kind == MessageKind.PrivateEvent && m.PayloadText.StartsWith(OtaVerifying, StringComparison.Ordinal))
            {
                deadline = DateTime.UtcNow + _options.UpdateDoneTimeout;
                continue;
            }

            if (_options.Fast && !Answers(m, done) && TakeResendRequest(m))
            {
                // The device holds UpdateDone until its gaps fill: serve them, and give it the full
                // UpdateDoneTimeout again from the last resend (it verifies the image after that).
                if (await ResendRequestedAsync(ct).ConfigureAwait(false))
                {
                    deadline = DateTime.UtcNow + _options.UpdateDoneTimeout;
                }

                continue;
            }

            if (Answers(m, done))
            {
                if (CoapCode.IsSuccess(m.Code))
                {
                    await WaitBrieflyForPendingAsync(ct).ConfigureAwait(false);
                    return _job.Progress.LastDeviceMessage ?? "device accepted the image";
                }

                throw new FlashFailed("device rejected the image: " + ReasonOf(m, "code " + CodeText(m.Code)));
            }
        }
    }
}
