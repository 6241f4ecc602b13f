using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;
using Xunit;

namespace CoreFirmware.Tests.Boot;

/// <summary>
/// Issue 12 item 5, anti-rollback: the security counter (the highest confirmed version) in the
/// boot state, raised by confirms, never lowered by a rollback or a factory restore, enforced by the
/// OTA gate, the Pending write and the bootloader (Ota/Boot/BOOT-DESIGN.md, "Security counter").
/// </summary>
public sealed class SecurityCounterTests : IDisposable
{
    private readonly BootRig _rig = new();

    public void Dispose() => _rig.Dispose();

    private static uint V(int major, int minor, int revision) => PackedImageVersion.Pack(major, minor, revision);

    private uint Counter => _rig.ReadState().SecurityCounter;

    [Fact]
    public void TheCounterFollowsConfirmsAndNoRollbackOrFactoryRestoreLowersIt()
    {
        byte[] v100 = BootRig.Image("1.0.0");
        _rig.Manufacture(v100, factory: v100);
        _rig.Boot();
        Assert.Equal(V(1, 0, 0), Counter);                 // the running confirmed image, at the first boot

        Assert.Null(_rig.Update(BootRig.Image("1.1.0")));
        Assert.True(_rig.Boot().TestBoot);
        Assert.Equal(V(1, 0, 0), Counter);                 // a test boot raises nothing
        Assert.True(_rig.Deployment.ConfirmDeploymentImage());
        Assert.Equal(V(1, 1, 0), Counter);

        Assert.Null(_rig.Update(BootRig.Image("1.2.0")));
        Assert.True(_rig.Boot().TestBoot);
        BootDecision back = _rig.Boot();                   // 1.2.0 never confirmed: rolled back
        Assert.Equal(1, back.Rollbacks);
        Assert.Equal(V(1, 1, 0), Counter);

        // Both the running 1.1.0 and the backup rot: the factory 1.0.0 returns, the counter stays.
        _rig.App.Poke(ImageFormat.HeaderSize + 5, new byte[] { 0x55, 0xAA });
        _rig.Corrupt(_rig.Map.Backup, ImageFormat.HeaderSize + 5);
        BootDecision factory = _rig.Boot();
        Assert.Equal(1, factory.FactoryRestores);
        Assert.True(_rig.Runs(v100));
        Assert.Equal(V(1, 1, 0), Counter);

        // The case: after the factory restore an image older than 1.1.0 (the last confirmed) is
        // refused, though newer than the running 1.0.0; 1.1.0 itself is accepted.
        string? older = _rig.Update(BootRig.Image("1.0.5"));
        Assert.NotNull(older);
        Assert.Contains(OtaImagePolicy.ReasonDowngrade, older);
        Assert.Null(_rig.Update(BootRig.Image("1.1.0")));
    }

    [Fact]
    public void APendingWriteChecksTheCounterAsItIsThenNotAsTheBootReadIt()
    {
        _rig.Manufacture(BootRig.Image("1.0.0"));
        _rig.Boot();
        Assert.Null(_rig.Update(BootRig.Image("1.2.0")));
        _rig.Boot();                                       // 1.2.0 on test, counter 1.0.0; this boot's policy read 1.0.0
        _rig.Ota.Policy.AllowDowngrade = true;             // 1.1.0 passes the header gate (not below the policy's counter)
        Assert.Null(_rig.BeginOta(BootRig.Image("1.1.0")));
        Assert.True(_rig.Deployment.ConfirmDeploymentImage()); // the counter goes to 1.2.0 meanwhile
        string? done = _rig.FinishOta();
        Assert.NotNull(done);
        Assert.Contains(OtaImagePolicy.ReasonDowngrade, done);
        Assert.Equal(BootImageState.Confirmed, _rig.ReadState().State);
        Assert.Equal(V(1, 2, 0), Counter);
    }

    [Fact]
    public void TheRunningVersionIsInstalledAgainOnlyWhenTheCloudAsksForAReinstall()
    {
        byte[] v110 = BootRig.Image("1.1.0");
        _rig.Manufacture(v110);
        _rig.Boot();

        string? replay = _rig.Update(v110);
        Assert.NotNull(replay);
        Assert.Contains(OtaImagePolicy.ReasonSameVersion, replay);
        Assert.Equal(BootImageState.Confirmed, _rig.ReadState().State);

        Assert.Null(_rig.Update(v110, SparkProtocol.UpdateFlagReinstall));
        Assert.True(_rig.ReadState().Has(BootStateFlags.Reinstall));
        BootDecision d = _rig.Boot();
        Assert.Equal(1, d.Installs);
        Assert.True(d.TestBoot);
        Assert.False(_rig.ReadState().Has(BootStateFlags.Reinstall));
    }

    [Fact]
    public void AFormatOneStateGetsItsCounterFromTheRunningImageAtTheFirstBoot()
    {
        byte[] v120 = BootRig.Image("1.2.0");
        _rig.App.Poke(0, v120);
        // The state an older firmware wrote: a format-1 entry, no counter.
        var old = new BootState { State = BootImageState.Confirmed, ActiveVersion = V(1, 2, 0) };
        _rig.External.Program(_rig.Map.BootStateA.Start, BootStateStoreTests.Format1Entry(old, 5), 0, BootStateStore.EntrySizeFormat1);
        Assert.Equal(0u, Counter);

        BootDecision d = _rig.Boot();
        Assert.True(d.RunApplication, d.Reason);
        Assert.Equal(V(1, 2, 0), Counter);
        var store = new BootStateStore(_rig.External, _rig.Map.BootStateA, _rig.Map.BootStateB);
        store.Read();
        Assert.Equal(6u, store.Sequence);                  // one format-2 entry on top of the old one

        string? older = _rig.Update(BootRig.Image("1.1.9"));
        Assert.NotNull(older);
        Assert.Contains(OtaImagePolicy.ReasonDowngrade, older);
    }
}
