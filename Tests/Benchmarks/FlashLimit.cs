using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// What the flash parts themselves need for an image, from their busy times alone (no bus, no CPU):
/// the floor an OTA or an install cannot go below.
/// </summary>
public static class FlashLimit
{
    private const int Sector = 4096, Block32 = 32 * 1024, Block64 = 64 * 1024;

    /// <summary>
    /// STM32F103 (the Spark Core's MCU) internal flash, datasheet DS5319 "Flash memory
    /// characteristics": half-word program 52.5 us typical, page erase 20 ms (its minimum; no typical
    /// is given), 1 KB pages.
    /// </summary>
    public const double InternalHalfWordMicroseconds = 52.5, InternalPageEraseMilliseconds = 20, InternalPageBytes = 1024;

    /// <summary>
    /// SST25 time to erase and program an image of <paramref name="size"/> bytes at the start of a
    /// 64 KB-aligned staging slot: the erase of the sectors the image occupies, in the fewest
    /// operations that stay within them (64 KB blocks, then 32 KB blocks, then 4 KB sectors: the
    /// staging writer's rule, which never erases past the image's last sector), plus AAI word
    /// programs (a byte program for an odd last byte). In milliseconds.
    /// </summary>
    public static double StagingMilliseconds(Sst25TimingProfile t, int size) =>
        EraseMilliseconds(t, size) + ProgramMilliseconds(t, size);

    /// <summary>The program part of <see cref="StagingMilliseconds"/>.</summary>
    public static double ProgramMilliseconds(Sst25TimingProfile t, int size) =>
        (size / 2) * t.AaiWordProgram.TotalMilliseconds + (size % 2) * t.ByteProgram.TotalMilliseconds;

    /// <summary>The erase part of <see cref="StagingMilliseconds"/>.</summary>
    public static double EraseMilliseconds(Sst25TimingProfile t, int size)
    {
        int end = Sectors(size) * Sector;
        double total = 0;
        for (int at = 0; at < end;)
        {
            int left = end - at;
            if (at % Block64 == 0 && left >= Block64)
            {
                total += t.Block64Erase.TotalMilliseconds;
                at += Block64;
            }
            else if (at % Block32 == 0 && left >= Block32)
            {
                total += t.Block32Erase.TotalMilliseconds;
                at += Block32;
            }
            else
            {
                total += t.SectorErase.TotalMilliseconds;
                at += Sector;
            }
        }

        return total;
    }

    /// <summary>Internal flash time to erase and program <paramref name="size"/> bytes (see the constants), in milliseconds.</summary>
    public static double InternalMilliseconds(int size) =>
        Math.Ceiling(size / InternalPageBytes) * InternalPageEraseMilliseconds + (size + 1) / 2 * InternalHalfWordMicroseconds / 1000;

    private static int Sectors(int bytes) => (bytes + Sector - 1) / Sector;
}
