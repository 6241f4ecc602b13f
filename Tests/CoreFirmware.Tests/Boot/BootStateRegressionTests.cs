using System.Numerics;
using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Crypto;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Sst25;
using Xunit;
using static CoreFirmware.Tests.Crypto.P256Reference;

namespace CoreFirmware.Tests.Boot;

/// <summary>
/// Issue 13's five defects, each as the sequence that showed it, over the real bootloader, boot-state
/// store, deployment control and OTA service (<see cref="BootRig"/>). Each failed on the main of
/// 2026-12-07 (ecad457) and passes with the state table of Ota/Boot/BOOT-DESIGN.md.
/// </summary>
public sealed class BootStateRegressionTests : IDisposable
{
    private readonly BootRig _rig = new();

    public void Dispose() => _rig.Dispose();

    private static uint V(int major, int minor, int revision) => PackedImageVersion.Pack(major, minor, revision);

    /// <summary>1.0.0 confirmed, 1.1.0 installed and in its test boot.</summary>
    private (byte[] V100, byte[] V110) ConfirmedThenTesting()
    {
        byte[] v100 = BootRig.Image("1.0.0");
        byte[] v110 = BootRig.Image("1.1.0");
        _rig.Manufacture(v100);
        Assert.True(_rig.Boot().RunApplication);
        Assert.Null(_rig.Update(v110));
        BootDecision d = _rig.Boot();
        Assert.True(d.TestBoot, d.Reason);
        Assert.True(_rig.Runs(v110));
        return (v100, v110);
    }

    /// <summary>
    /// Issue 13, 1: the app asks for a revert while an OTA is in flight; the OTA must not overtake it.
    /// Before: the Pending write cleared KeepBackup, the bootloader backed the reverted 1.1.0 up over
    /// 1.0.0, and the next reset "rolled back" to 1.1.0 and confirmed it.
    /// </summary>
    [Fact]
    public void ARevertRequestWinsOverAnOtaInFlightAndTheConfirmedImageReturns()
    {
        (byte[] v100, _) = ConfirmedThenTesting();
        byte[] v120 = BootRig.Image("1.2.0");

        Assert.Null(_rig.BeginOta(v120));               // every chunk is in, UpdateDone not yet
        Assert.True(_rig.Deployment.RequestDeploymentRevert());
        string? finished = _rig.FinishOta();            // the cloud's UpdateDone arrives before the reboot
        Assert.NotNull(finished);
        Assert.Contains("revert", _rig.Channel.LastEvent ?? "");   // the cloud hears why
        Assert.NotEqual(BootImageState.Pending, _rig.ReadState().State);

        BootDecision d = _rig.Boot();
        Assert.True(d.RunApplication, d.Reason);
        Assert.False(d.TestBoot, d.Reason);
        Assert.True(_rig.Runs(v100), "1.0.0, the only confirmed image, must run after the revert: " + d.Reason);
        Assert.Equal(V(1, 0, 0), _rig.ReadState().ActiveVersion);

        // And it stays: the next reset runs 1.0.0 again.
        d = _rig.Boot();
        Assert.True(_rig.Runs(v100), d.Reason);
        Assert.Equal(BootImageState.Confirmed, _rig.ReadState().State);
    }

    /// <summary>
    /// Issue 13, 2: a staged image refused at the boot after a test boot goes back to the test image's
    /// state (Testing), not to None. Before: the unconfirmed 1.1.0 became permanent.
    /// </summary>
    [Fact]
    public void AStagedImageRefusedAfterATestBootDoesNotConfirmTheTestImage()
    {
        (byte[] v100, byte[] v110) = ConfirmedThenTesting();
        byte[] v120 = BootRig.Image("1.2.0");
        Assert.Null(_rig.Update(v120));                    // Pending over Testing (KeepBackup)
        _rig.Corrupt(_rig.Map.Staging, ImageFormat.HeaderSize + 100); // the staged image rots before the reboot

        BootDecision d = _rig.Boot();
        Assert.Contains("staged image refused", d.Reason);
        // 1.1.0 had its test boot and did not confirm: the table says roll back to 1.0.0.
        Assert.True(_rig.Runs(v100), "the unconfirmed 1.1.0 must not stay: " + d.Reason);
        Assert.False(_rig.Runs(v110));
        Assert.Equal(V(1, 0, 0), _rig.ReadState().ActiveVersion);
        Assert.Equal(1, d.Rollbacks);
    }

    /// <summary>
    /// Issue 13, 3 (first half): an image older than the security counter that reaches Pending by
    /// any path is refused by the bootloader itself. Before: only the OTA service looked at versions.
    /// </summary>
    [Fact]
    public void TheBootloaderRefusesAStagedImageOlderThanTheLastConfirmedVersion()
    {
        (_, byte[] v110) = ConfirmedThenTesting();
        Assert.True(_rig.Deployment.ConfirmDeploymentImage());
        _rig.Boot();

        byte[] v105 = BootRig.Image("1.0.5");             // validly signed, but older than 1.1.0 (confirmed)
        _rig.StagePending(v105);

        BootDecision d = _rig.Boot();
        Assert.Equal(0, d.Installs);
        Assert.Contains("staged image refused", d.Reason);
        Assert.True(_rig.Runs(v110), d.Reason);
        Assert.Equal(V(1, 1, 0), d.ActiveVersion);
    }

    /// <summary>
    /// Issue 13, 3 (second half): the image equal to the running one is refused unless the cloud asked
    /// for a re-install: a replay must not force a reinstall and a test boot.
    /// </summary>
    [Fact]
    public void TheBootloaderRefusesAStagedImageEqualToTheRunningOne()
    {
        (_, byte[] v110) = ConfirmedThenTesting();
        Assert.True(_rig.Deployment.ConfirmDeploymentImage());
        _rig.Boot();

        _rig.StagePending(v110);  // the same image again (a replay)

        BootDecision d = _rig.Boot();
        Assert.Equal(0, d.Installs);
        Assert.False(d.TestBoot, d.Reason);
        Assert.Contains("staged image refused", d.Reason);
        Assert.True(_rig.Runs(v110));
        Assert.True(_rig.ReadState().State is BootImageState.Confirmed or BootImageState.None, _rig.ReadState().ToString());
        Assert.Equal(V(1, 1, 0), _rig.ReadState().ActiveVersion);
    }

    /// <summary>
    /// Issue 13, 4: an install that fails with nothing to restore ends at once in safe mode with a
    /// settled state, and an OTA from there installs. Before: the bootloader ignored StartRollback's
    /// false, spun 12 times over three slots and left the state at Installing ("did not settle").
    /// </summary>
    [Fact]
    public void AFailedInstallWithNothingToRestoreSettlesInSafeModeAtOnce()
    {
        byte[] v110 = BootRig.Image("1.1.0");
        // No factory image, nothing in the application slot or the backup (a board in safe mode took
        // an OTA): the install is under way when the staged copy is found rotten.
        _rig.WriteSlot(_rig.Map.Staging, v110);
        _rig.WriteState(new BootState { State = BootImageState.Installing, PendingImageSize = v110.Length, InstallProgress = 0 });
        _rig.Corrupt(_rig.Map.Staging, ImageFormat.HeaderSize + 10);

        BootDecision d = _rig.Boot();
        Assert.False(d.RunApplication);
        Assert.DoesNotContain("did not settle", d.Reason);
        Assert.Contains("no valid image", d.Reason);
        BootState settled = _rig.ReadState();
        Assert.True(settled.State is BootImageState.None, settled.ToString());
        Assert.Equal(0u, settled.ActiveVersion);

        // The next boot decides the same without writing anything; an OTA then lands.
        uint sequence = SequenceNow();
        Assert.False(_rig.Boot().RunApplication);
        Assert.Equal(sequence, SequenceNow());
        Assert.Null(_rig.Update(v110));
        BootDecision after = _rig.Boot();
        Assert.True(after.TestBoot, after.Reason);
        Assert.True(_rig.Runs(v110));
    }

    private uint SequenceNow()
    {
        var store = new BootStateStore(_rig.External, _rig.Map.BootStateA, _rig.Map.BootStateB);
        store.Read();
        return store.Sequence;
    }

    /// <summary>
    /// Issue 13, 5: an ECDSA signature re-encoded as (r, n - s) verifies just as well; the low-S rule
    /// refuses the high one in the device verifier, in the image verifier over any ICrypto, and in
    /// the host tool (`corefw image verify`). Before: all three accepted it.
    /// </summary>
    [Fact]
    public void AMalleatedSignatureIsRefusedEverywhere()
    {
        byte[] signed = BootRig.Image("1.2.0");
        int signatureAt = signed.Length - ImageFormat.SignatureSize;
        BigInteger s = FromBytes(signed.AsSpan(signatureAt + 32, 32));
        BigInteger low = BigInteger.Min(s, N - s);
        byte[] image = WithS(signed, signatureAt, low);          // both are valid ECDSA signatures
        byte[] malleated = WithS(signed, signatureAt, N - low);

        byte[] point = ImageSigner.PublicKeyPoint(BootRig.Key);
        byte[] digest = SHA256.HashData(image.AsSpan(0, image.Length - ImageFormat.StandardTrailerSize));
        var device = new EcdsaP256Verifier();
        Assert.True(device.Verify(point, 0, digest, 0, image, signatureAt));
        Assert.False(device.Verify(point, 0, digest, 0, malleated, signatureAt));

        // The image verifier over the host's crypto (which, like OpenSSL, accepts both).
        _rig.WriteSlot(_rig.Map.Staging, malleated);
        Assert.Equal(ImageVerifyResult.BadSignature, _rig.Verifier.Verify(_rig.External, _rig.Map.Staging.Start, _rig.Map.SlotSize, malleated.Length));
        _rig.WriteSlot(_rig.Map.Staging, image);
        Assert.Equal(ImageVerifyResult.Ok, _rig.Verifier.Verify(_rig.External, _rig.Map.Staging.Start, _rig.Map.SlotSize, image.Length));

        // The host tool.
        Assert.Equal(ImageVerifyResult.Ok, ImageSigner.Verify(image, BootRig.Key, SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize));
        Assert.Equal(ImageVerifyResult.BadSignature, ImageSigner.Verify(malleated, BootRig.Key, SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize));
    }

    private static byte[] WithS(byte[] image, int signatureAt, BigInteger s)
    {
        byte[] copy = (byte[])image.Clone();
        ToBytes32(s).CopyTo(copy, signatureAt + 32);
        return copy;
    }
}
