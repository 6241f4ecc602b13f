namespace CoreFirmware.Virtual.Stress;

/// <summary>How much traffic a <see cref="BusStress"/> run puts on the shared bus.</summary>
public sealed record BusStressOptions
{
    /// <summary>CC3000 sockets echoing at once (the module has 4).</summary>
    public int Sockets { get; init; } = 3;

    /// <summary>Bytes each socket sends and checks.</summary>
    public int EchoBytesPerSocket { get; init; } = 256 * 1024;

    /// <summary>Bytes per send, each echoed back before the next.</summary>
    public int EchoChunk { get; init; } = 1024;

    /// <summary>Erase + program + verify rounds of one 4 KB sector each.</summary>
    public int FlashRounds { get; init; } = 48;

    /// <summary>First flash address the flash worker may use (the staging slot: free in a stress run).</summary>
    public int FlashAreaStart { get; init; } = 0x020000;

    /// <summary>Number of 4 KB sectors the flash worker cycles through.</summary>
    public int FlashAreaSectors { get; init; } = 16;

    /// <summary>Time after which every worker stops; a worker still running 10 s later is counted as hung.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Seed of the data patterns.</summary>
    public int Seed { get; init; } = 2014;

    /// <summary>Receive timeout of each echo wait.</summary>
    public int ReceiveTimeoutMilliseconds { get; init; } = 3000;
}
