using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Virtual.Sst25;
using Xunit;

namespace CoreFirmware.Tests.Sst25;

[Trait("Category", "Sst25")]
public class Sst25PowerCutTests
{
    [Fact]
    public void ContentSurvivesANewModelOnTheSameFile()
    {
        using var file = new TempFlashFile();
        var data = new byte[5000];
        new Random(9).NextBytes(data);
        using (var rig = Sst25TestRig.Started(file.Path))
        {
            rig.Flash.Program(0x123457, data, 0, data.Length);
            rig.AssertClean();
        }
        using (var rig = new Sst25TestRig(file.Path))
        {
            Assert.Equal(Sst25Model.PowerUpStatus, rig.Model.Status); // protected again after the reboot
            rig.Flash.Initialize();
            Assert.True(rig.Flash.Verify(0x123457, data, 0, data.Length));
            Assert.True(rig.Flash.IsErased(0, 0x123457));
            rig.AssertClean();
        }
    }

    [Fact]
    public void PowerCutDuringEraseLeavesAPartialErase()
    {
        using var file = new TempFlashFile();
        using (var rig = Sst25TestRig.Started(file.Path))
        {
            rig.Flash.Program(0x8000, new byte[Sst25Flash.SectorSize], 0, Sst25Flash.SectorSize); // all 0x00
            Sst25Operation? torn = null;
            rig.Model.PowerCutHappened += op => torn = op;
            rig.Model.CutPowerAtOperation(rig.Model.OperationCount, completedFraction: 0.5);

            // The part goes dark mid-erase: status reads 0xFF (BUSY) until the driver gives up.
            Assert.Throws<Sst25TimeoutException>(() => rig.Flash.EraseSector(0x8000));
            Assert.False(rig.Model.IsPowered);
            Assert.Equal(Sst25OperationKind.SectorErase, torn!.Value.Kind);
            rig.AssertClean();
        }
        using (var rig = Sst25TestRig.Started(file.Path))
        {
            var sector = rig.Peek(0x8000, Sst25Flash.SectorSize);
            Assert.All(sector.AsSpan(0, 2048).ToArray(), b => Assert.Equal(0xFF, b));
            Assert.All(sector.AsSpan(2049).ToArray(), b => Assert.Equal(0x00, b));
            Assert.False(rig.Flash.IsErased(0x8000, Sst25Flash.SectorSize));
            rig.AssertClean();
        }
    }

    [Fact]
    public void PowerCutDuringAaiProgramLeavesAPartialProgram()
    {
        using var file = new TempFlashFile();
        var zeros = new byte[256];
        using (var rig = Sst25TestRig.Started(file.Path))
        {
            long first = rig.Model.OperationCount;
            rig.Model.CutPowerAtOperation(first + 10, completedFraction: 0); // word 10: bytes 20..21
            Assert.ThrowsAny<Sst25Exception>(() => rig.Flash.Program(0x4000, zeros, 0, zeros.Length));
            Assert.Equal(first + 11, rig.Model.OperationCount);
            rig.AssertClean();
        }
        using (var rig = new Sst25TestRig(file.Path))
        {
            var page = rig.Peek(0x4000, 256);
            Assert.All(page.AsSpan(0, 20).ToArray(), b => Assert.Equal(0x00, b));
            Assert.Equal(0xFF, page[21]); // the torn word's second byte was not reached
            Assert.All(page.AsSpan(22).ToArray(), b => Assert.Equal(0xFF, b));
        }
    }

    [Fact]
    public void CutPowerWhileBusyTearsTheRunningOperation()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        rig.Flash.Program(0x9000, new byte[Sst25Flash.SectorSize], 0, Sst25Flash.SectorSize);
        rig.Model.HangNextOperation();
        Sst25Operation? torn = null;
        rig.Model.OperationStarted += op => { if (op.IsErase) rig.Model.CutPower(); };
        rig.Model.PowerCutHappened += op => torn = op;
        Assert.Throws<Sst25TimeoutException>(() => rig.Flash.EraseSector(0x9000));
        Assert.NotNull(torn);
        Assert.Equal(1, rig.Model.PowerCuts);
        rig.AssertClean();
        rig.Model.PowerOn();
        Assert.Equal(Sst25Model.PowerUpStatus, rig.Model.Status);
    }

    /// <summary>
    /// The pattern a power-cut sweep uses: a dry run counts the operations of a workload, then the
    /// workload is replayed on a fresh image once per operation index k with the power cut there;
    /// after each reboot every byte is either its old value, its new value, or (at most one byte)
    /// something in between.
    /// </summary>
    [Fact]
    public void DryRunThenCutAtEveryOperation()
    {
        var payload = new byte[] { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 }; // odd length: byte + AAI words + ...
        const int Address = 0x6001;
        void Setup(Sst25Flash flash) => flash.Program(0x6000, Enumerable.Repeat((byte)0xA5, 16).ToArray(), 0, 16);
        void Workload(Sst25Flash flash)
        {
            flash.EraseSector(0x6000);
            flash.Program(Address, payload, 0, payload.Length);
        }

        long operations;
        using (var file = new TempFlashFile())
        using (var rig = Sst25TestRig.Started(file.Path))
        {
            Setup(rig.Flash);
            long start = rig.Model.OperationCount;
            Workload(rig.Flash);
            operations = rig.Model.OperationCount - start;
            Assert.True(rig.Flash.Verify(Address, payload, 0, payload.Length));
        }
        Assert.Equal(1 + 1 + 3, operations); // erase, byte at 0x6001, AAI words 0x6002..0x6007

        for (long k = 0; k < operations; k++)
        {
            using var file = new TempFlashFile();
            using (var rig = Sst25TestRig.Started(file.Path))
            {
                Setup(rig.Flash);
                rig.Model.CutPowerAtOperation(rig.Model.OperationCount + k, completedFraction: 0.5);
                Assert.ThrowsAny<Sst25Exception>(() => Workload(rig.Flash));
                Assert.Equal(1, rig.Model.PowerCuts);
                rig.AssertClean();
            }
            using (var rig = Sst25TestRig.Started(file.Path))
            {
                var after = rig.Peek(0x6000, 16);
                int inBetween = 0;
                for (int i = 0; i < 16; i++)
                {
                    int offset = 0x6000 + i - Address;
                    byte programmed = offset >= 0 && offset < payload.Length ? payload[offset] : (byte)0xFF;
                    if (after[i] != 0xA5 && after[i] != 0xFF && after[i] != programmed) inBetween++;
                }
                Assert.True(inBetween <= 1, $"cut at {k}: {Convert.ToHexString(after)}");
                rig.AssertClean();
            }
        }
    }
}
