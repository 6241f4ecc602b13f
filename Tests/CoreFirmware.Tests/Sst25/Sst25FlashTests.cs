using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Virtual.Sst25;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Sst25;

[Trait("Category", "Sst25")]
public class Sst25FlashTests
{
    private static byte[] Pattern(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public void JedecIdIsBf2541AndInitializeSucceeds()
    {
        using var file = new TempFlashFile();
        using var rig = new Sst25TestRig(file.Path);
        Assert.Equal(0xBF2541, rig.Flash.ReadJedecId());
        rig.Flash.Initialize();
        Assert.True(rig.Flash.IsInitialized);
        rig.AssertClean();
    }

    [Fact]
    public void InitializeWithNoPartOnTheBusThrowsClearly()
    {
        using var file = new TempFlashFile();
        using var rig = new Sst25TestRig(file.Path, attachModel: false);
        var ex = Assert.Throws<Sst25Exception>(() => rig.Flash.Initialize());
        Assert.Contains("JEDEC id 0xFFFFFF", ex.Message);
        Assert.False(rig.Flash.IsInitialized);
        Assert.False(rig.Arbiter.IsHeld);
    }

    [Fact]
    public void NewImageReadsAllErased()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        Assert.True(rig.Flash.IsErased(0, Sst25Flash.Capacity));
        rig.AssertClean();
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void EraseProgramReadVerifyRoundTrip(bool aai, bool highSpeedRead)
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        rig.Flash.UseAutoAddressIncrement = aai;
        rig.Flash.UseHighSpeedRead = highSpeedRead;
        var data = Pattern(3 * Sst25Flash.SectorSize, 7);

        rig.Flash.EraseRange(0x10000, data.Length);
        rig.Flash.Program(0x10000, data, 0, data.Length);

        var back = new byte[data.Length];
        rig.Flash.Read(0x10000, back, 0, back.Length);
        Assert.Equal(data, back);
        Assert.True(rig.Flash.Verify(0x10000, data, 0, data.Length));
        Assert.Equal(data, rig.Peek(0x10000, data.Length));
        Assert.Equal(data.Length, rig.Model.BytesProgrammed);
        if (aai) Assert.Equal(data.Length / 2, rig.Model.ProgramOperations);
        else Assert.Equal(data.Length, rig.Model.ProgramOperations);
        rig.AssertClean();
    }

    [Theory]
    [InlineData(0x00FFF, 3, true)]
    [InlineData(0x01FFD, 517, true)]
    [InlineData(0x02001, 1, true)]
    [InlineData(0x02FFF, 4098, true)]
    [InlineData(0x0F0FE, 2, true)]
    [InlineData(0x1FFFFF, 1, true)]
    [InlineData(0x00FFF, 3, false)]
    [InlineData(0x02FFF, 4098, false)]
    public void OddOffsetsAndLengthsAcrossSectorBoundaries(int address, int length, bool aai)
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        rig.Flash.UseAutoAddressIncrement = aai;
        int eraseStart = address / Sst25Flash.SectorSize * Sst25Flash.SectorSize;
        int eraseEnd = (address + length + Sst25Flash.SectorSize - 1) / Sst25Flash.SectorSize * Sst25Flash.SectorSize;
        // Put data around the range first, to see that neither the erase nor the program overruns.
        var before = Pattern(eraseEnd - eraseStart, 3);
        rig.Flash.Program(eraseStart, before, 0, before.Length);
        rig.Flash.EraseRange(eraseStart, eraseEnd - eraseStart);
        Assert.True(rig.Flash.IsErased(eraseStart, eraseEnd - eraseStart));

        var buffer = Pattern(length + 10, address); // program from the middle of a bigger buffer
        rig.Flash.Program(address, buffer, 5, length);

        var expected = new byte[eraseEnd - eraseStart];
        Array.Fill(expected, (byte)0xFF);
        Array.Copy(buffer, 5, expected, address - eraseStart, length);
        var actual = new byte[expected.Length + 7];
        rig.Flash.Read(eraseStart, actual, 7, expected.Length);
        Assert.Equal(expected, actual.AsSpan(7).ToArray());
        Assert.True(rig.Flash.Verify(address, buffer, 5, length));
        Assert.Equal(length, rig.Model.BytesProgrammed - before.Length);
        rig.AssertClean();
    }

    [Fact]
    public void ProgrammingOnlyClearsBits()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        rig.Flash.EraseSector(0x3000);
        rig.Flash.Program(0x3000, new byte[] { 0xF0, 0xF0, 0xF0 }, 0, 3);
        rig.Flash.Program(0x3000, new byte[] { 0x0F, 0x0F, 0x0F }, 0, 3);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00 }, rig.Peek(0x3000, 3));

        // Reprogramming without an erase cannot set bits back: Verify says so, and where.
        var wanted = new byte[] { 0x00, 0xA5, 0x00 };
        rig.Flash.Program(0x3000, wanted, 0, 3);
        Assert.False(rig.Flash.Verify(0x3000, wanted, 0, 3));
        Assert.Equal(0x3001, rig.Flash.FindFirstMismatch(0x3000, wanted, 0, 3));
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00 }, rig.Peek(0x3000, 3));

        rig.Flash.EraseSector(0x3000);
        rig.Flash.Program(0x3000, wanted, 0, 3);
        Assert.True(rig.Flash.Verify(0x3000, wanted, 0, 3));
        rig.AssertClean();
    }

    [Fact]
    public void EraseRangeUsesTheLargestAlignedUnit()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var zeros = new byte[0x50000];
        rig.Flash.Program(0x0E000, zeros, 0, zeros.Length); // 0x0E000..0x5E000 all 0x00

        rig.Flash.EraseRange(0x0F000, 0x22000); // sector, 64K, 64K, sector
        Assert.Equal(2, rig.Model.SectorErases);
        Assert.Equal(2, rig.Model.Block64Erases);
        rig.Flash.EraseRange(0x38000, 0x9000); // 32K, sector
        Assert.Equal(1, rig.Model.Block32Erases);
        Assert.Equal(3, rig.Model.SectorErases);

        Assert.True(rig.Flash.IsErased(0x0F000, 0x22000));
        Assert.True(rig.Flash.IsErased(0x38000, 0x9000));
        Assert.Equal(0x0E000, rig.Flash.FindFirstMismatch(0x0E000, Enumerable.Repeat((byte)0xFF, 0x1000).ToArray(), 0, 0x1000));
        Assert.All(rig.Peek(0x0E000, 0x1000), b => Assert.Equal(0x00, b));
        Assert.All(rig.Peek(0x31000, 0x7000), b => Assert.Equal(0x00, b));
        Assert.All(rig.Peek(0x41000, 0x1D000), b => Assert.Equal(0x00, b));
        rig.AssertClean();
    }

    [Fact]
    public void ChipEraseClearsEverything()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        rig.Flash.Program(0x000000, new byte[] { 1, 2, 3 }, 0, 3);
        rig.Flash.Program(0x1FFFF0, new byte[] { 4, 5, 6 }, 0, 3);
        rig.Flash.EraseChip();
        Assert.Equal(1, rig.Model.ChipErases);
        Assert.True(rig.Flash.IsErased(0, Sst25Flash.Capacity));
        rig.AssertClean();
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        using var file = new TempFlashFile();
        using var rig = new Sst25TestRig(file.Path);
        var buf = new byte[16];
        Assert.Throws<InvalidOperationException>(() => rig.Flash.Read(0, buf, 0, 16));
        rig.Flash.Initialize();
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Flash.Read(Sst25Flash.Capacity - 8, buf, 0, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Flash.Read(-1, buf, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Flash.Read(0, buf, 10, 7));
        Assert.Throws<ArgumentNullException>(() => rig.Flash.Program(0, null!, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Flash.Program(Sst25Flash.Capacity, buf, 0, 1));
        Assert.Throws<ArgumentException>(() => rig.Flash.EraseSector(0x1001));
        Assert.Throws<ArgumentException>(() => rig.Flash.EraseBlock64(0x8000));
        Assert.Throws<ArgumentException>(() => rig.Flash.EraseRange(0x1000, 0x800));
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Flash.EraseRange(0x1FF000, 0x2000));
        Assert.Equal(0, rig.Model.OperationCount);
        rig.AssertClean();
    }

    [Fact]
    public void SteadyStateReadProgramAndEraseAllocateNothing()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var data = Pattern(Sst25Flash.ProgramChunkSize * 4 + 3, 11);
        var read = new byte[16 * 1024];

        void Cycle()
        {
            rig.Flash.EraseSector(0x20000);
            rig.Flash.Program(0x20001, data, 0, data.Length);
            rig.Flash.Read(0x1E000, read, 0, read.Length);
            rig.Flash.Verify(0x20001, data, 0, data.Length);
        }
        for (int i = 0; i < 5; i++) Cycle(); // warm-up: JIT, lock inflation, lazy statics

        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 50; i++) Cycle();
        });

        Assert.Equal(0, allocated);
        Assert.True(rig.Flash.Verify(0x20001, data, 0, data.Length));
        rig.AssertClean();
    }

    [Fact]
    public void ReadsAndProgramsAreSplitIntoBoundedTransactions()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        int grants = rig.Arbiter.Grants;
        rig.Flash.Read(0, new byte[3 * Sst25Flash.ReadChunkSize + 1], 0, 3 * Sst25Flash.ReadChunkSize + 1);
        Assert.Equal(4, rig.Arbiter.Grants - grants);

        grants = rig.Arbiter.Grants;
        var data = new byte[2 * Sst25Flash.ProgramChunkSize];
        rig.Flash.Program(0x100 - 1, data, 0, data.Length); // 1 + 256 + 255 bytes: three chunks
        Assert.Equal(3, rig.Arbiter.Grants - grants);
        rig.AssertClean();
    }
}
