namespace CoreFirmware.Virtual.Sst25;

/// <summary>
/// How long the modelled SST25VF016B stays BUSY after each internal write. Busy is measured on
/// the model's clock, so a driver that polls too little or too long sees what it would on the board.
/// </summary>
public sealed record Sst25TimingProfile(
    TimeSpan ByteProgram,
    TimeSpan AaiWordProgram,
    TimeSpan SectorErase,
    TimeSpan Block32Erase,
    TimeSpan Block64Erase,
    TimeSpan ChipErase)
{
    /// <summary>Datasheet typical times: program 10 us, sector/block erase 18 ms, chip erase 40 ms (35-50 ms).</summary>
    public static Sst25TimingProfile Realistic { get; } = new(
        TimeSpan.FromMicroseconds(10), TimeSpan.FromMicroseconds(10),
        TimeSpan.FromMilliseconds(18), TimeSpan.FromMilliseconds(18), TimeSpan.FromMilliseconds(18),
        TimeSpan.FromMilliseconds(40));

    /// <summary>Datasheet maxima: program 10 us, sector/block erase 25 ms, chip erase 50 ms.</summary>
    public static Sst25TimingProfile WorstCase { get; } = new(
        TimeSpan.FromMicroseconds(10), TimeSpan.FromMicroseconds(10),
        TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(25),
        TimeSpan.FromMilliseconds(50));

    /// <summary>No busy time at all: for fast tests and throughput benchmarks.</summary>
    public static Sst25TimingProfile Fast { get; } = new(
        TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
}
