using CoreFirmware.Virtual.Sst25;
using Xunit;

namespace CoreFirmware.Tests.Sst25;

/// <summary>The model's own protocol behaviour, driven with raw bytes on the bus.</summary>
[Trait("Category", "Sst25")]
public class Sst25ModelTests
{
    private static void Unprotect(Sst25TestRig rig)
    {
        rig.Raw(0x50);
        rig.Raw(0x01, 0x00);
    }

    [Fact]
    public void JedecIdAndReadIdAnswer()
    {
        using var file = new TempFlashFile();
        using var rig = new Sst25TestRig(file.Path);
        Assert.Equal(new byte[] { 0xFF, 0xBF, 0x25, 0x41, 0xBF }, rig.Raw(0x9F, 0, 0, 0, 0));
        Assert.Equal(new byte[] { 0xBF, 0x41 }, rig.Raw(0x90, 0, 0, 0, 0, 0).AsSpan(4).ToArray());
        Assert.Equal(new byte[] { 0x41, 0xBF }, rig.Raw(0xAB, 0, 0, 1, 0, 0).AsSpan(4).ToArray());
        rig.AssertClean();
    }

    [Fact]
    public void ReadWrapsAtTheTopOfTheArray()
    {
        using var file = new TempFlashFile();
        using var rig = new Sst25TestRig(file.Path);
        Unprotect(rig);
        foreach (var (a, v) in new[] { (0x1FFFFF, (byte)0x5A), (0x000000, (byte)0xC3) })
        {
            rig.Raw(0x06);
            rig.Raw(0x02, (byte)(a >> 16), (byte)(a >> 8), (byte)a, v);
        }
        var miso = rig.Raw(0x03, 0x1F, 0xFF, 0xFF, 0, 0, 0);
        Assert.Equal(new byte[] { 0x5A, 0xC3, 0xFF }, miso.AsSpan(4).ToArray());
        miso = rig.Raw(0x0B, 0x1F, 0xFF, 0xFF, 0xEE, 0, 0);
        Assert.Equal(new byte[] { 0x5A, 0xC3 }, miso.AsSpan(5).ToArray());
        rig.AssertClean();
    }

    [Fact]
    public void WritesNeedWelAndWelClearsAfterEachWrite()
    {
        using var file = new TempFlashFile();
        using var rig = new Sst25TestRig(file.Path);
        Unprotect(rig);
        rig.Raw(0x02, 0, 0, 0x10, 0x00); // no WREN: ignored
        Assert.Equal(0xFF, rig.Peek(0x10, 1)[0]);
        rig.Raw(0x06);
        rig.Raw(0x02, 0, 0, 0x10, 0x00);
        Assert.Equal(0x00, rig.Peek(0x10, 1)[0]);
        Assert.Equal(0x00, rig.Raw(0x05, 0)[1]); // WEL cleared by the completed program
        rig.Raw(0x02, 0, 0, 0x11, 0x00); // WEL gone: ignored
        Assert.Equal(0xFF, rig.Peek(0x11, 1)[0]);
        rig.Raw(0x06);
        rig.Raw(0x20, 0, 0, 0x10); // erase executes on CS high, address rounded down to the sector
        Assert.Equal(0xFF, rig.Peek(0x10, 1)[0]);
        rig.Raw(0x06);
        rig.Raw(0x20, 0, 0); // too few address bytes: ignored
        Assert.Equal(2, rig.Model.IgnoredWriteCommands);
        Assert.Equal(2, rig.Model.OperationCount);
        rig.AssertClean();
    }

    [Fact]
    public void OnlyRdsrIsAcceptedWhileBusy()
    {
        using var file = new TempFlashFile();
        using var rig = new Sst25TestRig(file.Path, Sst25TimingProfile.Realistic);
        Unprotect(rig);
        rig.Raw(0x06);
        rig.Raw(0x02, 0, 0x20, 0, 0x42);
        while ((rig.Raw(0x05, 0)[1] & 0x01) != 0) { } // 10 us program
        rig.Model.HangNextOperation();
        rig.Raw(0x06);
        rig.Raw(0x20, 0, 0x30, 0);
        Assert.Equal(0x03, rig.Raw(0x05, 0, 0)[2]); // BUSY + WEL
        Assert.Equal(new byte[] { 0xFF, 0xFF }, rig.Raw(0x03, 0, 0x20, 0, 0, 0).AsSpan(4).ToArray()); // not driven
        rig.Raw(0x06);
        rig.Raw(0x20, 0, 0x20, 0); // ignored: busy (as were the READ and the WREN)
        Assert.Equal(3, rig.Model.CommandsIgnoredWhileBusy);
        rig.Model.ReleaseHang();
        Assert.Equal(0x00, rig.Raw(0x05, 0)[1]);
        Assert.Equal(0x42, rig.Raw(0x03, 0, 0x20, 0, 0)[4]);
        rig.AssertClean();
    }

    [Fact]
    public void AaiModeProgramsWordsAndEndsWithWrdi()
    {
        using var file = new TempFlashFile();
        using var rig = new Sst25TestRig(file.Path);
        Unprotect(rig);
        rig.Raw(0x06);
        rig.Raw(0xAD, 0, 0x01, 0x01, 0x11, 0x22); // A0 ignored: starts at 0x0100
        Assert.Equal(0x42, rig.Raw(0x05, 0)[1]);   // AAI + WEL
        rig.Raw(0xAD, 0x33, 0x44);
        rig.Raw(0x03, 0, 0, 0, 0);                 // anything but AAI/WRDI/RDSR is ignored in AAI mode
        rig.Raw(0xAD, 0x55);                       // malformed step: ignored
        rig.Raw(0x04);
        Assert.Equal(0x00, rig.Raw(0x05, 0)[1]);
        Assert.Equal(new byte[] { 0x11, 0x22, 0x33, 0x44, 0xFF }, rig.Peek(0x100, 5));
        Assert.Equal(2, rig.Model.OperationCount);
        rig.AssertClean();
    }

    [Fact]
    public void WrsrNeedsEwsrImmediatelyBefore()
    {
        using var file = new TempFlashFile();
        using var rig = new Sst25TestRig(file.Path);
        rig.Raw(0x01, 0x00); // no EWSR
        Assert.Equal(0x1C, rig.Model.Status);
        rig.Raw(0x50);
        rig.Raw(0x9F, 0, 0, 0); // something else in between
        rig.Raw(0x01, 0x00);
        Assert.Equal(0x1C, rig.Model.Status);
        rig.Raw(0x50);
        rig.Raw(0x01, 0x00);
        Assert.Equal(0x00, rig.Model.Status);
        rig.AssertClean();
    }

    [Fact]
    public void PoweredOffPartDoesNotAnswer()
    {
        using var file = new TempFlashFile();
        using var rig = new Sst25TestRig(file.Path);
        rig.Model.CutPower();
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, rig.Raw(0x9F, 0, 0, 0));
        rig.Model.PowerOn();
        Assert.Equal(new byte[] { 0xFF, 0xBF, 0x25, 0x41 }, rig.Raw(0x9F, 0, 0, 0));
        rig.AssertClean();
    }

    [Fact]
    public void ExistingFileOfTheWrongSizeIsRejected()
    {
        using var file = new TempFlashFile();
        File.WriteAllBytes(file.Path, new byte[100]);
        Assert.Throws<InvalidDataException>(() => new Sst25Model(file.Path, 25));
    }
}
