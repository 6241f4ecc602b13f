using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;
using Xunit;

namespace CoreFirmware.Tests.Ota;

/// <summary>
/// The signed-image policy in the OTA service (OtaImagePolicy): the header gate on chunk 0 refuses
/// before the staging slot or the boot state is touched; the verifier at UpdateDone refuses before
/// a pending state is written; a stale pending state is cleared only once a good header arrived;
/// KeepBackup is set when the running image is still under test. Scripted cloud over loopback, the
/// real SST25 stack on the virtual bus.
/// </summary>
[Trait("Category", "Ota")]
public class OtaImageGateTests
{
    private const int ChunkSize = 256;
    private static readonly uint V2 = PackedImageVersion.Pack(2, 0, 0);

    private static void AssertReleasedWithoutPending(OtaRig rig, string reason)
    {
        OtaRig.WaitUntil(() => rig.Ota.State == OtaState.Idle, "the OTA service to go idle");
        Assert.False(rig.Broker.UpdatesPending, "preemption still held");
        Assert.Equal(reason, rig.Ota.LastAbortReason);
        Assert.False(rig.BootState.Read(), "a pending record was written");
        Assert.Equal(0, rig.Reboots.Requests);
        int s = rig.Broker.Open(1000);
        Assert.True(s >= 0, $"user Open after the refusal returned {(SocketError)s}");
        rig.Broker.Close(s);
    }

    private static byte[] WithHeader(byte[] image, Action<ImageHeader> change)
    {
        var copy = (byte[])image.Clone();
        var h = new ImageHeader();
        h.Read(copy, 0);
        change(h);
        h.Write(copy, 0);
        return copy;
    }

    public static TheoryData<string, string, bool> HeaderCases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (bool fast in new[] { false, true })
        {
            data.Add("wrong board", OtaImagePolicy.ReasonWrongBoard, fast);
            data.Add("bad magic", OtaImagePolicy.ReasonBadImage, fast);
            data.Add("format 2", OtaImagePolicy.ReasonBadImage, fast);
            data.Add("payload larger than the slot", OtaImagePolicy.ReasonTooLarge, fast);
            data.Add("file longer than header says", OtaImagePolicy.ReasonBadImage, fast);
            data.Add("file shorter than header says", OtaImagePolicy.ReasonBadImage, fast);
            data.Add("older version", OtaImagePolicy.ReasonDowngrade, fast);
            data.Add("same version", OtaImagePolicy.ReasonSameVersion, fast);
            data.Add("reserved word set", OtaImagePolicy.ReasonBadImage, fast);
        }

        return data;
    }

    private static byte[] HeaderCase(string what, int slot)
    {
        byte[] good = OtaRig.Image(6_000, 21, new ImageVersion(2, 0, 0, 0));
        return what switch
        {
            "wrong board" => OtaRig.Image(6_000, 21, new ImageVersion(2, 0, 0, 0), boardId: 0x12345678),
            "bad magic" => OtaRig.Image(6_000, 21).Select((b, i) => i == 0 ? (byte)'X' : b).ToArray(),
            "format 2" => WithHeader(good, h => h.FormatVersion = 2),
            "payload larger than the slot" => WithHeader(good, h => h.PayloadSize = (uint)slot),
            "file longer than header says" => good.Concat(new byte[ImageFormat.MaxTrailerSize]).ToArray(),
            "file shorter than header says" => good[..(ImageFormat.HeaderSize + 6_000 - ImageFormat.HeaderSize - ImageFormat.StandardTrailerSize + ImageFormat.MinTrailerSize - 1)],
            "older version" => OtaRig.Image(6_000, 21, new ImageVersion(1, 9, 999, 7)),
            "same version" => good,
            "reserved word set" => good.Select((b, i) => i == 28 ? (byte)1 : b).ToArray(),
            _ => throw new ArgumentException(what),
        };
    }

    [Theory]
    [MemberData(nameof(HeaderCases))]
    public void ABadHeaderIsRefusedAtChunkZeroBeforeAnythingIsWritten(string what, string reason, bool fast)
    {
        using var rig = new OtaRig(activeVersion: V2);
        rig.StartConnected();
        byte[] image = HeaderCase(what, rig.Map.Staging.Size);
        long erases = rig.Flash.Model.EraseOperations;
        long programs = rig.Flash.Model.ProgramOperations;

        int begin = rig.Cloud.SendUpdateBegin(fast, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code); // UpdateBegin checks only the size
        Assert.True(rig.Broker.UpdatesPending);
        int chunk0 = rig.Cloud.SendChunk(image, ChunkSize, 0, withIndex: fast);
        if (!fast)
        {
            CoapMessage r = rig.Cloud.WaitResponse(chunk0);
            Assert.Equal(CoapCode.BadRequest, r.Code);
            Assert.Equal(reason, ScriptedCloud.PayloadText(r)); // the cloud stops at once with the reason
        }

        Assert.Equal("aborted: " + reason, rig.Cloud.WaitOtaEvent());
        Assert.False(rig.Ota.HeaderAccepted);
        Assert.Equal(erases, rig.Flash.Model.EraseOperations);   // staging not erased
        Assert.Equal(programs, rig.Flash.Model.ProgramOperations); // nothing programmed (boot state included)
        AssertReleasedWithoutPending(rig, reason);
    }

    [Fact]
    public void AStalePendingStateIsClearedOnlyOnceAGoodHeaderArrived()
    {
        using var rig = new OtaRig(bootStateStore: true);
        rig.StartConnected();
        Assert.True(rig.BootState.WritePending(4321, 0xCAFEF00D));
        long programs = rig.Flash.Model.ProgramOperations;
        long erases = rig.Flash.Model.EraseOperations;

        // UpdateBegin and a refused chunk 0 leave the pending state (and the flash) alone.
        byte[] foreign = OtaRig.Image(3_000, 22, boardId: 0x0BAD0BAD);
        int begin = rig.Cloud.SendUpdateBegin(false, ChunkSize, foreign.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        Assert.Equal(programs, rig.Flash.Model.ProgramOperations);
        Assert.Equal(CoapCode.BadRequest, rig.Cloud.WaitResponse(rig.Cloud.SendChunk(foreign, ChunkSize, 0, false)).Code);
        Assert.Equal("aborted: wrong board", rig.Cloud.WaitOtaEvent());
        Assert.Equal((programs, erases), (rig.Flash.Model.ProgramOperations, rig.Flash.Model.EraseOperations));
        Assert.True(rig.BootState.Read());
        Assert.Equal(4321, rig.BootState.ImageSize);

        // A good header: the stale state goes (None) before the staging slot is erased.
        byte[] image = OtaRig.Image(3_000, 23);
        begin = rig.Cloud.SendUpdateBegin(false, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(rig.Cloud.SendChunk(image, ChunkSize, 0, false)).Code);
        Assert.True(rig.Ota.HeaderAccepted);
        Assert.Equal(BootImageState.None, rig.BootState.Store!.Read().State);
        for (int i = 1; i < (image.Length + ChunkSize - 1) / ChunkSize; i++)
        {
            Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(rig.Cloud.SendChunk(image, ChunkSize, i, false)).Code);
        }

        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(rig.Cloud.SendUpdateDone()).Code);
        Assert.True(rig.BootState.Read());
        Assert.Equal(image.Length, rig.BootState.ImageSize);
        Assert.Equal(0, rig.BootState.Store!.Current.Flags & BootStateFlags.KeepBackup);
    }

    public static TheoryData<string, string> VerifyCases() => new()
    {
        { "signature bytes altered", OtaImagePolicy.ReasonBadSignature },
        { "signed with another key", OtaImagePolicy.ReasonBadSignature },
        { "payload altered after signing", OtaImagePolicy.ReasonBadHash },
        { "last bytes missing", OtaImagePolicy.ReasonTruncated },
    };

    [Theory]
    [MemberData(nameof(VerifyCases))]
    public void AnImageThatDoesNotVerifyIsRefusedAtUpdateDoneWithoutAPendingState(string what, string reason)
    {
        using var rig = new OtaRig();
        rig.StartConnected();
        using ECDsa other = ImageSigner.GenerateKey();
        byte[] image = what switch
        {
            "signature bytes altered" => OtaRig.Image(7_000, 24).Select((b, i) => i == 7_000 - 5 ? (byte)(b ^ 0x40) : b).ToArray(),
            "signed with another key" => OtaRig.Image(7_000, 24, key: other),
            "payload altered after signing" => OtaRig.Image(7_000, 24).Select((b, i) => i == 1_000 ? (byte)(b ^ 0x01) : b).ToArray(),
            "last bytes missing" => OtaRig.Image(7_000, 24)[..^10],
            _ => throw new ArgumentException(what),
        };

        int begin = rig.Cloud.SendUpdateBegin(false, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        for (int i = 0; i < (image.Length + ChunkSize - 1) / ChunkSize; i++)
        {
            Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(rig.Cloud.SendChunk(image, ChunkSize, i, false)).Code);
        }

        CoapMessage r = rig.Cloud.WaitResponse(rig.Cloud.SendUpdateDone());
        Assert.Equal(CoapCode.BadRequest, r.Code);
        Assert.Equal(reason, ScriptedCloud.PayloadText(r));
        Assert.Equal("aborted: " + reason, rig.Cloud.WaitOtaEvent());
        Assert.Equal(image, rig.StagingBytes(image.Length)); // the transfer itself was fine
        AssertReleasedWithoutPending(rig, reason);
    }

    /// <summary>
    /// The negative run: with the staged-image check switched off, an image signed with another key
    /// is recorded as pending (the device would install it but for the bootloader, which verifies
    /// the staging slot again and refuses it: the second line holds).
    /// </summary>
    [Fact]
    public void WithoutTheStagedImageCheckAForeignImageBecomesPendingAndOnlyTheBootloaderStopsIt()
    {
        using var rig = new OtaRig(bootStateStore: true, checkStagedImage: false);
        rig.StartConnected();
        using ECDsa other = ImageSigner.GenerateKey();
        byte[] image = OtaRig.Image(7_000, 24, key: other);

        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(rig.Cloud.SendUpdateBegin(false, ChunkSize, image.Length)).Code);
        for (int i = 0; i < (image.Length + ChunkSize - 1) / ChunkSize; i++)
        {
            Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(rig.Cloud.SendChunk(image, ChunkSize, i, false)).Code);
        }

        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(rig.Cloud.SendUpdateDone()).Code);
        Assert.True(rig.BootState.Read(), "the foreign image is pending");
        Assert.Equal(image.Length, rig.BootState.ImageSize);

        using var crypto = new CoreFirmware.Virtual.Hardware.HostCrypto();
        var app = new CoreFirmware.Virtual.Hardware.VirtualInternalFlash();
        BootDecision d = new Bootloader(rig.Flash.Flash, rig.Map, app, OtaRig.NewPolicy(crypto).Verifier, null).Run();
        Assert.Equal(0, d.Installs);
        Assert.Contains("staged image refused: bad signature", d.Reason);
    }

    [Fact]
    public void FastOtaChunksBeforeChunkZeroAreNotWrittenAndAreAskedForAgain()
    {
        using var rig = new OtaRig();
        rig.StartConnected();
        rig.Ota.FastGapMilliseconds = 100;
        byte[] image = OtaRig.Image(3_000, 25); // 12 chunks
        int chunks = (image.Length + ChunkSize - 1) / ChunkSize;
        long programs = rig.Flash.Model.ProgramOperations;

        int begin = rig.Cloud.SendUpdateBegin(true, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        for (int i = 1; i < chunks; i++) rig.Cloud.SendChunk(image, ChunkSize, i, withIndex: true);

        // The device lists chunk 0 first; nothing was written for the early chunks.
        CoapMessage missed = rig.Cloud.WaitFor(m => SparkMessages.Classify(m) == MessageKind.ChunkMissed, "ChunkMissed");
        rig.Cloud.Send(SparkMessages.EmptyAck(rig.Cloud.Writer, rig.Cloud.Out, 0, rig.Cloud.Out.Length, missed.MessageId));
        Assert.Equal(0, SparkMessages.ReadMissedChunk(missed, 0));
        Assert.Equal(0, rig.Ota.ChunksReceived);
        Assert.Equal(programs, rig.Flash.Model.ProgramOperations);

        // UpdateDone is held until every chunk came again.
        int done = rig.Cloud.SendUpdateDone();
        var asked = new HashSet<int>();
        while (true)
        {
            int n = SparkMessages.ReadMissedChunkCount(missed);
            for (int k = 0; k < n; k++)
            {
                int idx = SparkMessages.ReadMissedChunk(missed, k);
                asked.Add(idx);
                rig.Cloud.SendChunk(image, ChunkSize, idx, withIndex: true);
            }

            CoapMessage m = rig.Cloud.WaitFor(x => SparkMessages.Classify(x) == MessageKind.ChunkMissed
                || (SparkMessages.Classify(x) == MessageKind.Response && x.TokenLength == 1 && x.Token[0] == done), "ChunkMissed or the UpdateDone answer");
            if (SparkMessages.Classify(m) == MessageKind.Response)
            {
                Assert.Equal(CoapCode.Changed, m.Code);
                break;
            }

            rig.Cloud.Send(SparkMessages.EmptyAck(rig.Cloud.Writer, rig.Cloud.Out, 0, rig.Cloud.Out.Length, m.MessageId));
            missed = m;
        }

        Assert.Equal(Enumerable.Range(0, chunks).ToHashSet(), asked);
        Assert.Equal(image, rig.StagingBytes(image.Length));
        OtaRig.WaitUntil(() => rig.Reboots.Requests == 1, "the reboot request");
    }

    [Theory]
    [InlineData(2, 0, 0, false, false, false, "same version")]  // the running version, no re-install asked for: a replay
    [InlineData(2, 0, 0, false, false, true, null)]             // the running version, re-install asked for
    [InlineData(2, 0, 1, false, false, false, null)]            // newer
    [InlineData(1, 255, 65535, false, false, false, "downgrade refused")] // older
    [InlineData(1, 0, 0, true, false, false, null)]             // older, downgrades allowed
    [InlineData(1, 0, 0, true, true, false, "downgrade refused")] // older, downgrades allowed, but below the security counter
    public void TheVersionGateComparesPackedVersions(int major, int minor, int revision, bool allowDowngrade, bool counterAtV2, bool reinstall, string? refusal)
    {
        using var rig = new OtaRig(activeVersion: V2);
        rig.Policy.AllowDowngrade = allowDowngrade;
        if (counterAtV2) rig.Policy.SecurityCounter = V2;
        rig.StartConnected();
        byte[] image = OtaRig.Image(2_000, 26, new ImageVersion(major, minor, revision, 99));
        int begin = rig.Cloud.SendUpdateBegin(false, ChunkSize, image.Length, reinstall);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        CoapMessage r = rig.Cloud.WaitResponse(rig.Cloud.SendChunk(image, ChunkSize, 0, false));
        bool accepted = refusal == null;
        Assert.Equal(accepted ? CoapCode.Changed : CoapCode.BadRequest, r.Code);
        Assert.Equal(accepted, rig.Ota.HeaderAccepted);
        if (!accepted) Assert.Equal(refusal, ScriptedCloud.PayloadText(r));
    }

    [Fact]
    public void AnUpdateOverATestingImageKeepsTheBackupAndClearingItGivesTestingBack()
    {
        using var rig = new OtaRig(bootStateStore: true);
        BootStateStore store = rig.BootState.Store!;
        Assert.True(store.Write(new BootState { State = BootImageState.Testing, BootAttempts = 1, ActiveVersion = V2 }));
        rig.StartConnected();
        byte[] image = OtaRig.Image(3_000, 27, new ImageVersion(2, 1, 0, 0));
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(rig.Cloud.SendUpdateBegin(false, ChunkSize, image.Length)).Code);
        for (int i = 0; i < (image.Length + ChunkSize - 1) / ChunkSize; i++)
        {
            Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(rig.Cloud.SendChunk(image, ChunkSize, i, false)).Code);
        }

        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(rig.Cloud.SendUpdateDone()).Code);
        BootState pending = store.Read();
        Assert.Equal(BootImageState.Pending, pending.State);
        Assert.True(pending.Has(BootStateFlags.KeepBackup), pending.ToString());
        Assert.Equal(1, pending.BootAttempts);
        Assert.Equal(V2, pending.ActiveVersion);
        Assert.Equal(image.Length, pending.PendingImageSize);

        // A later update clears the pending state: the image under test is under test again.
        rig.BootState.Erase();
        BootState back = store.Read();
        Assert.Equal(BootImageState.Testing, back.State);
        Assert.False(back.Has(BootStateFlags.KeepBackup));
        Assert.Equal((1, V2, 0), (back.BootAttempts, back.ActiveVersion, back.PendingImageSize));

        // Erase leaves a non-pending state alone; over a confirmed image, Pending carries no KeepBackup.
        rig.BootState.Erase();
        Assert.Equal(back.ToString(), store.Read().ToString());
        Assert.True(store.Write(new BootState { State = BootImageState.Confirmed, ActiveVersion = V2, Flags = BootStateFlags.KeepBackup }));
        Assert.True(rig.BootState.WritePending(100, 1));
        Assert.False(store.Read().Has(BootStateFlags.KeepBackup));
        rig.BootState.Erase();
        Assert.Equal(BootImageState.None, store.Read().State);
        Assert.Equal(V2, store.Read().ActiveVersion);
    }
}
