using System.Diagnostics;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Virtual.Sst25;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Sst25;

[Trait("Category", "Sst25")]
public class Sst25ProtectionAndTimeoutTests
{
    [Fact]
    public void PartPowersUpProtectedAndIgnoresRawWrites()
    {
        using var file = new TempFlashFile();
        using var rig = new Sst25TestRig(file.Path);
        Assert.Equal(Sst25Model.PowerUpStatus, rig.Model.Status);

        // WREN + byte program 0x00 at 0x000100 straight on the wire, no unprotect.
        rig.Raw(0x06);
        Assert.Equal(0x1C | 0x02, rig.Raw(0x05, 0x00)[1]); // WEL set, BP bits still set
        rig.Raw(0x02, 0x00, 0x01, 0x00, 0x00);
        // And a sector erase of a sector holding data would be ignored as well.
        rig.Raw(0x20, 0x00, 0x00, 0x00);

        Assert.Equal(0xFF, rig.Peek(0x100, 1)[0]);
        Assert.Equal(2, rig.Model.IgnoredWriteCommands);
        Assert.Equal(0, rig.Model.OperationCount);

        rig.Flash.Initialize(); // EWSR, WRSR 0, RDSR
        Assert.Equal(0, rig.Model.Status & Sst25Status.BlockProtectMask);
        rig.Flash.Program(0x100, new byte[] { 0x00 }, 0, 1);
        Assert.Equal(0x00, rig.Peek(0x100, 1)[0]);
        rig.AssertClean();
    }

    [Fact]
    public void WriteToAProtectedAreaGivesAClearError()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        // Protect the upper half again (BP2 + BP0 = 101) behind the driver's back.
        rig.Raw(0x50);
        rig.Raw(0x01, 0x14);
        Assert.Equal(0x14, rig.Model.Status);

        var ex = Assert.Throws<Sst25Exception>(() => rig.Flash.EraseSector(0x100000));
        Assert.Contains("ignored", ex.Message);
        Assert.Throws<Sst25Exception>(() => rig.Flash.Program(0x1FF000, new byte[] { 1, 2, 3, 4 }, 0, 4));
        Assert.True(rig.Flash.IsErased(0x1FF000, 4));
        Assert.Equal(0, rig.Model.Status & Sst25Status.WriteEnableLatch); // driver cleared the latch

        // The lower half stays writable.
        rig.Flash.Program(0x0FF000, new byte[] { 1, 2, 3, 4 }, 0, 4);
        Assert.True(rig.Flash.Verify(0x0FF000, new byte[] { 1, 2, 3, 4 }, 0, 4));
        rig.AssertClean();
    }

    [Fact]
    public void EraseThatNeverFinishesTimesOutAndReleasesTheBus()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path, Sst25TimingProfile.Realistic);
        rig.Model.HangNextOperation();

        var sw = Stopwatch.StartNew();
        var ex = Assert.Throws<Sst25TimeoutException>(() => rig.Flash.EraseSector(0x5000));
        sw.Stop();

        Assert.Equal("sector erase", ex.Operation);
        Assert.Equal(0x5000, ex.Address);
        Assert.Equal(Sst25Timing.SectorEraseMaxMilliseconds + Sst25Timing.ClockMarginMilliseconds, ex.LimitMilliseconds);
        Assert.Equal(Sst25Status.Busy, ex.Status & Sst25Status.Busy);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), "the driver must give up, not hang"); // a bound, not a timing
        rig.AssertClean();

        // A later operation waits for the part (bounded) before it starts.
        rig.Model.ReleaseHang();
        rig.Flash.Program(0x5000, new byte[] { 0x12 }, 0, 1);
        Assert.Equal(0x12, rig.Peek(0x5000, 1)[0]);
        rig.AssertClean();
    }

    [Fact]
    public void StuckProgramTimesOutOnTheProgramBound()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path, Sst25TimingProfile.Realistic);
        rig.Flash.EraseSector(0);
        rig.Model.HangNextOperation();
        var ex = Assert.Throws<Sst25TimeoutException>(() => rig.Flash.Program(0, new byte[8], 0, 8));
        Assert.Equal("AAI program", ex.Operation);
        Assert.Equal(Sst25Timing.ClockMarginMilliseconds + 1, ex.LimitMilliseconds); // 10 us + 2 ms margin, rounded up
        rig.AssertClean();

        // The part is left in AAI mode; the next operation ends it with WRDI before going on.
        rig.Model.ReleaseHang();
        Assert.Equal(0x40, rig.Model.Status & 0x40);
        rig.Flash.EraseSector(0);
        Assert.True(rig.Flash.IsErased(0, Sst25Flash.SectorSize));
        rig.AssertClean();
    }

    [Fact]
    public void AnArbiterWhoseHoldBoundIsShorterThanAChipEraseIsRefused()
    {
        using var file = new TempFlashFile();
        // A started erase cannot be abandoned, so a hold bound below the longest operation could
        // only be broken: the driver refuses it up front.
        var ex = Assert.Throws<ArgumentException>(() => new Sst25TestRig(file.Path, Sst25TimingProfile.Realistic, maxHoldMilliseconds: 10));
        Assert.Contains("shorter than the flash's longest transaction", ex.Message);
    }

    [Fact]
    public void RealisticTimingIsWaitedOut()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path, Sst25TimingProfile.Realistic);
        var data = new byte[600];
        new Random(5).NextBytes(data);
        rig.Flash.EraseRange(0x40000, 0x11000); // 64 KB block + sector, 18 ms busy each
        Assert.False(rig.Model.IsBusy);
        rig.Flash.Program(0x40003, data, 0, data.Length); // 10 us per step
        Assert.True(rig.Flash.Verify(0x40003, data, 0, data.Length));
        Assert.Equal(0, rig.Model.CommandsIgnoredWhileBusy); // the driver never talked over a busy part
        rig.AssertClean();
    }

    [Fact]
    public void BusTimeoutWhenAnotherHolderKeepsTheBus()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        rig.Flash.BusTimeoutMilliseconds = 20;
        using var holding = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        var holder = TestThread.Start("bus holder", () =>
        {
            rig.Arbiter.Acquire(BusPriority.UserNetwork, 1000);
            holding.Set();
            done.Wait(30_000);
            rig.Arbiter.Release();
        });
        Assert.True(holding.Wait(10_000), "the holder did not get the bus");
        Assert.Throws<SpiBusTimeoutException>(() => rig.Flash.Read(0, new byte[4], 0, 4));
        done.Set();
        holder.JoinOrFail(TimeSpan.FromSeconds(10));
        rig.AssertClean();
    }
}
