using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Sst25;
using Xunit;

namespace CoreFirmware.Tests.Ota;

[Trait("Category", "Ota")]
public class StagingAndBootStateTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(255, 256)]
    [InlineData(256, 256)]
    [InlineData(20_000, 256)]
    [InlineData(65_537, 594)]
    [InlineData(100_000, 7)]
    public void ImageCrcFromChunksInAnyOrderEqualsTheWholeImageCrc(int size, int chunkSize)
    {
        var rng = new Random(size ^ chunkSize);
        var image = new byte[size];
        rng.NextBytes(image);
        var acc = new ImageCrcAccumulator();
        acc.Begin(size, chunkSize);
        int chunks = acc.ChunkCount;
        foreach (int i in Enumerable.Range(0, chunks).OrderBy(_ => rng.Next()))
        {
            int off = i * chunkSize;
            acc.Add(i, image, off, Math.Min(chunkSize, size - off));
        }

        Assert.Equal(Crc32.Compute(image, 0, size), acc.Result);
    }

    [Fact]
    public void StagingErasesAheadButNeverPastTheImageAndRefusesOutOfRange()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var map = SparkCoreFlashLayout.Create();
        var staging = new StagingWriter(rig.Flash, map.Staging);
        Assert.Throws<ArgumentOutOfRangeException>(() => staging.Begin(map.Staging.Size + 1));

        // Mark the sector after the image's last one: it must survive.
        int size = 70_000; // 17.1 sectors -> 18 sectors = 73,728 bytes
        int after = map.Staging.Start + 18 * 4096;
        rig.Flash.EraseSector(after);
        rig.Flash.Program(after, new byte[] { 0x12, 0x34 }, 0, 2);

        staging.Begin(size);
        var data = new byte[256];
        new Random(1).NextBytes(data);
        Assert.True(staging.WriteChunk(0, data, 0, 256));
        Assert.Equal(Sst25Flash.Block64Size, staging.ErasedBytes); // one 64 KB block erased ahead
        Assert.True(staging.WriteChunk(size - 112, data, 0, 112)); // the last (partial) chunk
        Assert.Equal(18 * 4096, staging.ErasedBytes);
        Assert.Equal(new byte[] { 0x12, 0x34 }, rig.Peek(after, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => staging.WriteChunk(size - 100, data, 0, 101));
        Assert.Equal(Crc32.Compute(data, 0, 256), staging.ReadCrc(0, 256));
        rig.AssertClean();
    }

    [Fact]
    public void BootStateRecordRoundTripsAndATornRecordReadsAsNone()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var map = SparkCoreFlashLayout.Create();
        var record = new BootStateRecord(rig.Flash, map.BootStateA);
        rig.Flash.EraseSector(map.BootStateA.Start);
        Assert.False(record.Read());
        Assert.True(record.WritePending(12345, 0xDEADBEEF));
        Assert.True(record.WritePending(12345, 0xDEADBEEF));
        var again = new BootStateRecord(rig.Flash, map.BootStateA);
        Assert.True(again.Read());
        Assert.Equal(BootImageState.Pending, again.State);
        Assert.Equal(12345, again.ImageSize);
        Assert.Equal(0xDEADBEEFu, again.ImageCrc);
        Assert.Equal(2u, again.Sequence);

        rig.Flash.Program(map.BootStateA.Start + 15, new byte[1], 0, 1); // bits cleared in the size (0x39 -> 0)
        Assert.False(again.Read());
        Assert.Equal(BootImageState.None, again.State);
        record.Erase();
        Assert.False(record.Read());
    }
}
