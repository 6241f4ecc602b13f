using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Sst25;
using CoreFirmware.Virtual.Hardware;
using Xunit;
using ImageVersion = CoreFirmware.Cloud.Images.ImageVersion;

namespace CoreFirmware.Tests.Boot;

/// <summary>
/// The bootloader's decisions (Ota/Boot/BOOT-DESIGN.md) on the SST25 model and the virtual internal
/// flash: install with backup, test boot, rollback (not confirmed, watchdog resets, revert), factory
/// fallback, safe mode, resume after an interrupted copy.
/// </summary>
public sealed class BootloaderTests : IDisposable
{
    private static readonly ECDsa Key = ImageSigner.GenerateKey();
    private readonly TempFlashFile _file = new();
    private readonly Sst25TestRig _rig;
    private readonly FlashMap _map = SparkCoreFlashLayout.Create();
    private readonly VirtualInternalFlash _app = new();
    private readonly HostCrypto _crypto = new();
    private readonly FakeWatchdog _watchdog = new();

    public BootloaderTests()
    {
        _rig = Sst25TestRig.Started(_file.Path);
    }

    public void Dispose()
    {
        _rig.Dispose();
        _file.Dispose();
        _crypto.Dispose();
    }

    internal static byte[] Image(string version, int payloadBytes = 5000, ECDsa? key = null, uint board = SparkCoreBoard.ImageBoardId, byte fill = 0)
    {
        var payload = new byte[payloadBytes];
        new Random(payloadBytes ^ version.GetHashCode()).NextBytes(payload);
        if (fill != 0) payload.AsSpan().Fill(fill);
        return ImageSigner.Sign(payload, ImageVersion.Parse(version), board, key ?? Key);
    }

    private Bootloader Loader() => new(_rig.Flash, _map, _app, new ImageVerifier(_crypto, ImageSigner.PublicKeyPoint(Key), SparkCoreBoard.ImageBoardId), _watchdog);

    private void WriteSlot(FlashRegion slot, byte[] image)
    {
        _rig.Flash.EraseRange(slot.Start, (image.Length + 4095) / 4096 * 4096);
        _rig.Flash.Program(slot.Start, image, 0, image.Length);
    }

    private void WriteState(BootState s) => Assert.True(new BootStateStore(_rig.Flash, _map.BootStateA, _map.BootStateB).Write(s));

    private BootState ReadState() => new BootStateStore(_rig.Flash, _map.BootStateA, _map.BootStateB).Read();

    private byte[] AppBytes(int length)
    {
        var b = new byte[length];
        _app.Peek(0, b);
        return b;
    }

    private byte[] SlotBytes(FlashRegion slot, int length)
    {
        var b = new byte[length];
        _rig.Flash.Read(slot.Start, b, 0, length);
        return b;
    }

    /// <summary>The board as shipped: v1.0.0 in the factory slot, nothing else.</summary>
    private void Manufacture(byte[] factory) => WriteSlot(_map.Factory, factory);

    private byte[] StageAndPend(string version, int payload = 5000)
    {
        byte[] image = Image(version, payload);
        WriteSlot(_map.Staging, image);
        BootState s = ReadState();
        s.State = BootImageState.Pending;
        s.PendingImageSize = image.Length;
        WriteState(s);
        return image;
    }

    [Fact]
    public void EmptyBoardWithoutFactoryImageBootsIntoSafeMode()
    {
        BootDecision d = Loader().Run();
        Assert.False(d.RunApplication);
        Assert.Contains("no valid image", d.Reason);
    }

    [Fact]
    public void FirstBootInstallsTheFactoryImageAndRunsItConfirmed()
    {
        byte[] factory = Image("1.0.0");
        Manufacture(factory);
        BootDecision d = Loader().Run();
        Assert.True(d.RunApplication, d.Reason);
        Assert.False(d.TestBoot);
        Assert.Equal(PackedImageVersion.Pack(1, 0, 0), d.ActiveVersion);
        Assert.Equal(factory, AppBytes(factory.Length));
        Assert.Equal(BootImageState.Confirmed, ReadState().State);
        Assert.Equal(5000, d.PayloadSize);
        Assert.Equal(ImageFormat.HeaderSize, d.PayloadOffset);

        // The next boot just runs it.
        BootDecision again = Loader().Run();
        Assert.True(again.RunApplication);
        Assert.Equal(0, again.Installs + again.Rollbacks + again.FactoryRestores);
    }

    [Fact]
    public void PendingImageIsInstalledWithTheOldOneBackedUpThenConfirmStays()
    {
        byte[] v1 = Image("1.0.0");
        Manufacture(v1);
        Loader().Run();
        byte[] v2 = StageAndPend("1.1.0", 9000);

        BootDecision d = Loader().Run();
        Assert.True(d.TestBoot, d.Reason);
        Assert.Equal(1, d.Installs);
        Assert.Equal(v2, AppBytes(v2.Length));
        Assert.Equal(v1, SlotBytes(_map.Backup, v1.Length));
        Assert.Equal(BootImageState.Testing, ReadState().State);

        // The image confirms itself (what DeploymentControl writes), then boots as confirmed.
        var store = new BootStateStore(_rig.Flash, _map.BootStateA, _map.BootStateB);
        var control = new DeploymentControl(store, new NoReboot(), _rig.Clock, testBoot: true);
        Assert.True(control.ConfirmDeploymentImage());
        BootDecision next = Loader().Run();
        Assert.True(next.RunApplication);
        Assert.False(next.TestBoot);
        Assert.Equal(PackedImageVersion.Pack(1, 1, 0), next.ActiveVersion);
        Assert.Equal(v2, AppBytes(v2.Length));
    }

    [Fact]
    public void TestImageNotConfirmedByTheNextBootIsRolledBack()
    {
        byte[] v1 = Image("1.0.0");
        Manufacture(v1);
        Loader().Run();
        StageAndPend("1.1.0");
        Assert.True(Loader().Run().TestBoot);

        BootDecision d = Loader().Run(); // an ordinary reset, no confirm
        Assert.True(d.RunApplication);
        Assert.False(d.TestBoot);
        Assert.Equal(1, d.Rollbacks);
        Assert.Contains("not confirmed", d.Reason);
        Assert.Equal(v1, AppBytes(v1.Length));
        Assert.Equal(PackedImageVersion.Pack(1, 0, 0), ReadState().ActiveVersion);
        Assert.Equal(BootImageState.Confirmed, ReadState().State);
    }

    [Fact]
    public void TestImageResetByTheWatchdogIsRolledBackAtTheStatedCount()
    {
        byte[] v1 = Image("1.0.0");
        Manufacture(v1);
        Loader().Run();
        StageAndPend("1.1.0");
        Assert.True(Loader().Run().TestBoot);

        _watchdog.LastResetWasWatchdog = true;
        for (int i = 1; i < Bootloader.DefaultMaxTestWatchdogResets; i++)
        {
            BootDecision again = Loader().Run();
            Assert.True(again.TestBoot, $"watchdog reset {i}: {again.Reason}");
            Assert.Equal(i, ReadState().WatchdogResets);
        }

        BootDecision d = Loader().Run();
        Assert.False(d.TestBoot);
        Assert.Equal(1, d.Rollbacks);
        Assert.Contains("watchdog", d.Reason);
        Assert.Equal(v1, AppBytes(v1.Length));
    }

    [Fact]
    public void RevertRequestRestoresTheBackup()
    {
        byte[] v1 = Image("1.0.0");
        Manufacture(v1);
        Loader().Run();
        StageAndPend("1.1.0");
        Loader().Run();
        var reboot = new NoReboot();
        var control = new DeploymentControl(new BootStateStore(_rig.Flash, _map.BootStateA, _map.BootStateB), reboot, _rig.Clock, testBoot: true);
        Assert.True(control.RequestDeploymentRevert());
        Assert.Equal(1, reboot.Requests);
        Assert.False(control.ConfirmDeploymentImage());

        BootDecision d = Loader().Run();
        Assert.Equal(1, d.Rollbacks);
        Assert.Equal(v1, AppBytes(v1.Length));
    }

    [Fact]
    public void BadStagedImageIsRefusedAndTheRunningImageStays()
    {
        byte[] v1 = Image("1.0.0");
        Manufacture(v1);
        Loader().Run();
        byte[] bad = Image("2.0.0", key: ImageSigner.GenerateKey());
        WriteSlot(_map.Staging, bad);
        BootState s = ReadState();
        s.State = BootImageState.Pending;
        s.PendingImageSize = bad.Length;
        WriteState(s);

        BootDecision d = Loader().Run();
        Assert.True(d.RunApplication);
        Assert.Equal(0, d.Installs);
        Assert.Contains("bad signature", d.Reason);
        Assert.Equal(v1, AppBytes(v1.Length));
    }

    [Fact]
    public void CorruptApplicationSlotFallsBackToTheBackupThenTheFactory()
    {
        byte[] v0 = Image("0.9.0");
        Manufacture(v0);
        Loader().Run();                          // factory 0.9.0 installed, counter 0.9.0
        byte[] v1 = StageAndPend("1.0.0");
        Loader().Run();                          // 1.0.0 test boot, backup 0.9.0
        new DeploymentControl(new BootStateStore(_rig.Flash, _map.BootStateA, _map.BootStateB), new NoReboot(), _rig.Clock, true).ConfirmDeploymentImage();
        StageAndPend("1.1.0");
        Loader().Run();                          // 1.1.0 test boot, backup 1.0.0 (confirmed)
        Assert.Equal(v1, SlotBytes(_map.Backup, v1.Length));
        BootDecision back = Loader().Run();      // not confirmed: 1.0.0 returns, Confirmed
        Assert.Equal(1, back.Rollbacks);
        Assert.Equal(v1, AppBytes(v1.Length));

        _app.Poke(100, new byte[] { 0x12, 0x34 }); // bit rot in the running image
        BootDecision d = Loader().Run();
        Assert.Equal(1, d.Rollbacks);
        Assert.Equal(v1, AppBytes(v1.Length)); // the backup held 1.0.0, the last confirmed image

        // Now the backup rots too: the factory image returns, though it is below the counter (the
        // last resort), and the counter stays at 1.0.0.
        _app.Poke(100, new byte[] { 0x12, 0x34 });
        byte[] junk = new byte[256];
        _rig.Flash.EraseSector(_map.Backup.Start);
        _rig.Flash.Program(_map.Backup.Start, junk, 0, junk.Length);
        BootDecision f = Loader().Run();
        Assert.True(f.RunApplication, f.Reason);
        Assert.StartsWith("factory image", f.Reason);
        Assert.Equal(v0, AppBytes(v0.Length));
        Assert.Equal(PackedImageVersion.Pack(1, 0, 0), ReadState().SecurityCounter);
        Assert.Equal(PackedImageVersion.Pack(0, 9, 0), ReadState().ActiveVersion);
    }

    [Fact]
    public void ABackupBelowTheSecurityCounterIsNoRollbackTarget()
    {
        byte[] v1 = Image("1.0.0");
        Manufacture(v1);
        Loader().Run();
        StageAndPend("1.1.0");
        Loader().Run();                          // backup 1.0.0
        new DeploymentControl(new BootStateStore(_rig.Flash, _map.BootStateA, _map.BootStateB), new NoReboot(), _rig.Clock, true).ConfirmDeploymentImage();
        Assert.Equal(PackedImageVersion.Pack(1, 1, 0), ReadState().SecurityCounter);

        // 1.1.0 (confirmed) rots: the backup's 1.0.0 is below the counter, so the factory image (1.0.0
        // here too, but from its own slot) is what returns, and the counter stays.
        _app.Poke(100, new byte[] { 0x12, 0x34 });
        BootDecision d = Loader().Run();
        Assert.Equal(0, d.Rollbacks);
        Assert.Equal(1, d.FactoryRestores);
        Assert.Equal(PackedImageVersion.Pack(1, 1, 0), ReadState().SecurityCounter);

        // Without a factory image: safe mode, and the counter still stays.
        _app.Poke(100, new byte[] { 0x12, 0x34 });
        _rig.Flash.EraseSector(_map.Factory.Start);
        BootDecision none = Loader().Run();
        Assert.False(none.RunApplication);
        Assert.Equal(PackedImageVersion.Pack(1, 1, 0), ReadState().SecurityCounter);
        Assert.True(ReadState().Has(BootStateFlags.NoValidImage));
    }

    [Fact]
    public void NothingValidAnywhereIsSafeModeAndAnOtaFromThereInstalls()
    {
        byte[] v1 = Image("1.0.0");
        Manufacture(v1);
        Loader().Run();
        _app.Poke(100, new byte[] { 0x12, 0x34 });
        _rig.Flash.EraseSector(_map.Factory.Start);
        BootDecision d = Loader().Run();
        Assert.False(d.RunApplication);

        byte[] v2 = StageAndPend("1.2.0");
        BootDecision after = Loader().Run();
        Assert.True(after.TestBoot, after.Reason);
        Assert.Equal(v2, AppBytes(v2.Length));
    }

    /// <summary>Found by the model check: an image that failed its test with nothing to go back to
    /// (safe mode) still verifies, but it was never confirmed, so the next install must not back it up
    /// as a rollback target.</summary>
    [Fact]
    public void AnImageThatFailedItsTestIsNeverBackedUp()
    {
        byte[] v1 = StageAndPend("1.0.0");      // an empty board in safe mode took an OTA
        Assert.True(Loader().Run().TestBoot);
        BootDecision failed = Loader().Run();   // not confirmed, nothing to roll back to
        Assert.False(failed.RunApplication);
        Assert.True(ReadState().Has(BootStateFlags.NoValidImage));

        StageAndPend("1.1.0");
        Assert.True(Loader().Run().TestBoot);
        Assert.NotEqual(v1, SlotBytes(_map.Backup, v1.Length));
        BootDecision again = Loader().Run();    // 1.1.0 not confirmed either: safe mode, not 1.0.0
        Assert.False(again.RunApplication, again.Reason);
        Assert.Equal(0, again.Rollbacks);
    }

    [Fact]
    public void InterruptedInstallResumesFromTheRecordedProgress()
    {
        byte[] v1 = Image("1.0.0");
        Manufacture(v1);
        Loader().Run();
        byte[] v2 = StageAndPend("1.3.0", 60_000);

        // Cut the internal flash during the install's 40th page write (past two progress records).
        long start = _app.OperationCount;
        _app.CutPowerAtOperation(start + 80);
        Assert.Throws<PowerLossException>(() => Loader().Run());
        BootState mid = ReadState();
        Assert.Equal(BootImageState.Installing, mid.State);
        Assert.True(mid.InstallProgress >= Bootloader.ProgressStepBytes, mid.ToString());
        _app.PowerOn();

        long before = _app.PageErases;
        BootDecision d = Loader().Run();
        Assert.True(d.TestBoot, d.Reason);
        Assert.Equal(v2, AppBytes(v2.Length));
        long pagesRedone = _app.PageErases - before;
        Assert.True(pagesRedone < (v2.Length + 1023) / 1024, $"resumed install erased {pagesRedone} pages: it started over");
    }

    [Fact]
    public void PendingWithKeepBackupLeavesTheConfirmedBackupAlone()
    {
        byte[] v1 = Image("1.0.0");
        Manufacture(v1);
        Loader().Run();
        StageAndPend("1.1.0");
        Loader().Run(); // v1.1.0 testing, v1 in backup
        byte[] v3 = Image("1.2.0");
        WriteSlot(_map.Staging, v3);
        BootState s = ReadState();
        s.State = BootImageState.Pending;
        s.PendingImageSize = v3.Length;
        s.Flags |= BootStateFlags.KeepBackup;
        WriteState(s);

        Assert.True(Loader().Run().TestBoot);
        Assert.Equal(v1, SlotBytes(_map.Backup, v1.Length));
        Assert.Equal(v3, AppBytes(v3.Length));
    }

    private sealed class FakeWatchdog : CoreFirmware.Drivers.Hal.IWatchdog
    {
        public bool IsRunning => false;
        public bool LastResetWasWatchdog { get; set; }
        public void Start(int timeoutMilliseconds) { }
        public void Feed() { }
    }

    private sealed class NoReboot : CoreFirmware.Ota.Update.ISystemControl
    {
        public int Requests;
        public void RequestReboot(string reason) => Requests++;
    }
}
