using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Cloud;

/// <summary>How the cloud sends one image (OTA-DESIGN.md, "OTA transfer"). Every wait is bounded.</summary>
public sealed class FlashOptions
{
    /// <summary>Smallest chunk a device accepts: chunk 0 must hold the whole 32-byte image header (its header gate).</summary>
    public const int MinChunkSize = Ota.Image.ImageFormat.HeaderSize;

    /// <summary>The chunk sizes a device accepts, in words (REST errors and corefw's --chunk-size help).</summary>
    public static readonly string ChunkSizeRange =
        $"chunk_size must be {MinChunkSize}..{SparkProtocol.MaxChunkSize} bytes (chunk 0 holds the {MinChunkSize}-byte image header; "
        + $"the device takes at most 2,560 chunks, so 256 or more for an image over 320 KB; default {SparkProtocol.DefaultChunkSize})";

    /// <summary>Fast OTA: stream every chunk with its index, serve ChunkMissed, then UpdateDone after a quiet period.</summary>
    public bool Fast { get; set; }

    /// <summary>Ask for a re-install (UpdateBegin flag 0x02): without it the device refuses an image of the
    /// version it runs ("same version", a replay; BOOT-DESIGN.md, "Security counter").</summary>
    public bool Reinstall { get; set; }

    /// <summary>Chunk size, 1 to 594 (Flasher.MAX_CHUNK_SIZE); default 256 (Flasher.CHUNK_SIZE).</summary>
    public int ChunkSize { get; set; } = SparkProtocol.DefaultChunkSize;

    /// <summary>UpdateBegin attempts before giving up (spark-protocol: 3 with payload + 1 without; we
    /// always send the payload, the device needs the size).</summary>
    public int UpdateBeginAttempts { get; set; } = 4;

    /// <summary>Wait for UpdateReady per attempt (spark-protocol: 6 s).</summary>
    public TimeSpan UpdateReadyTimeout { get; set; } = TimeSpan.FromMilliseconds(SparkProtocol.UpdateReadyRetryMilliseconds);

    /// <summary>Slow OTA: wait for ChunkReceived(Error) per chunk; a silent chunk counts as a failed try.
    /// Below the device's 10 s no-message abort.</summary>
    public TimeSpan ChunkAckTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Resends of one chunk (nack or silence) before the flash fails (our limit; 0.1.6 has none).</summary>
    public int MaxChunkRetries { get; set; } = 10;

    /// <summary>Fast OTA: after the last chunk or missed-chunk resend, UpdateDone follows this much silence.</summary>
    public TimeSpan FastQuietPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Fast OTA: ChunkMissed requests honoured beyond one per chunk (Flasher.MAX_MISSED_CHUNKS).</summary>
    public int MaxMissedChunkRequests { get; set; } = SparkProtocol.MaxMissedChunks;

    /// <summary>Wait for the device's answer to UpdateDone (or its "pending"/"aborted" event); fast OTA: counted
    /// again from the last chunk resent for a ChunkMissed that came after UpdateDone.</summary>
    public TimeSpan UpdateDoneTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The whole flash must end within this (spark-protocol: 600 s transfer watch).</summary>
    public TimeSpan OverallTimeout { get; set; } = TimeSpan.FromMilliseconds(SparkProtocol.TransferTimeoutMilliseconds);

    /// <summary>
    /// Test hook, null (off) by default: called before each chunk is sent with (chunk index, send
    /// attempt of that chunk starting at 1); when it returns true, one payload byte is flipped AFTER the
    /// CRC32 was computed, so the device sees a chunk whose CRC does not match (a corrupted link).
    /// </summary>
    public Func<int, int, bool>? CorruptChunk { get; set; }

    internal void Validate()
    {
        if (ChunkSize < 1 || ChunkSize > SparkProtocol.MaxChunkSize)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkSize), ChunkSize, $"chunk size must be 1..{SparkProtocol.MaxChunkSize}");
        }

        if (UpdateBeginAttempts < 1 || MaxChunkRetries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(UpdateBeginAttempts));
        }
    }
}
