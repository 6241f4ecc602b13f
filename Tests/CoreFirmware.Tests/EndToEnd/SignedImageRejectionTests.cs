using System.Security.Cryptography;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>
/// Rejected images, end to end: the local cloud flashes them through its REST API to the virtual
/// board running the ticker app at full speed. Each must be refused before it is installed: no
/// pending state, no reboot, the same app parsing on, user networking back, a clear reason at the
/// cloud (REST ota.state "failed" + reason, last_device_message "aborted: ..."). The ones the
/// header gives away (wrong board, too large, older version) are refused at chunk 0 with not one
/// erase or program on the flash; the others (bad signature, wrong key, bad hash, truncated) at
/// UpdateDone by the verifier.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(IsolatedCollection.Name)]
public class SignedImageRejectionTests
{
    private static readonly uint V2 = PackedImageVersion.Pack(2, 0, 0);
    private const int Size = 8 * 1024;
    private readonly ITestOutputHelper _out;

    public SignedImageRejectionTests(ITestOutputHelper output) => _out = output;

    private static Task<EndToEndRig> StartTicker(uint activeVersion = 0) =>
        EndToEndRig.StartAsync(r => new BitcoinTickerApp(EndToEndRig.TickerHost, r.Ticker.Port, EndToEndRig.TickerPath), activeVersion: activeVersion);

    private static BootState PeekBootState(EndToEndRig rig)
    {
        var map = SparkCoreFlashLayout.Create();
        return new BootStateStore(rig.Board.Flash, map.BootStateA, map.BootStateB).Read();
    }

    private static void WaitForParsing(BitcoinTickerApp app, string what)
    {
        int parsed = app.Parsed;
        EndToEndRig.WaitUntil(() => app.Parsed >= parsed + 3,
            () => $"{what}: the app to parse (parsed {app.Parsed}, failures {app.Failures}, last {app.LastResult})", 20_000);
    }

    /// <summary>Flashes <paramref name="image"/> and checks the refusal; returns the cloud's reason.</summary>
    private async Task Refused(EndToEndRig rig, byte[] image, bool fast, string reason, bool headerGate, string what)
    {
        var app = (BitcoinTickerApp)rig.Core.CurrentApp!;
        WaitForParsing(app, what + " (before)");
        int reboots = rig.Core.Reboots, boots = rig.Core.Boots;
        BootState stateBefore = PeekBootState(rig);
        long erases = rig.Board.FlashModel.EraseOperations, programs = rig.Board.FlashModel.ProgramOperations;

        OtaRun run = await rig.FlashAsync(image, fast, TimeSpan.FromSeconds(30));
        // "refused": the cloud answered the flash with the device's refusal of UpdateBegin / chunk 0 (honest flashing).
        Assert.True(run.State is "failed" or "refused", $"{what}: flash ended {run.State} ({run.Reason})");
        Assert.Contains(reason, run.Reason);
        Assert.Equal("aborted: " + reason, await rig.WaitForDeviceMessageAsync("aborted: " + reason, TimeSpan.FromSeconds(10)));
        var runtime = rig.Core.Runtime!;
        Assert.Equal(reason, runtime.Ota.LastAbortReason);

        if (headerGate)
        {
            Assert.Equal(erases, rig.Board.FlashModel.EraseOperations);    // the staging slot was not erased
            Assert.Equal(programs, rig.Board.FlashModel.ProgramOperations); // nothing written at all
        }

        Assert.Equal(stateBefore.ToString(), PeekBootState(rig).ToString()); // no pending state
        Assert.Equal(reboots, rig.Core.Reboots);
        Assert.Equal(boots, rig.Core.Boots);
        Assert.Same(app, rig.Core.CurrentApp);
        EndToEndRig.WaitUntil(() => !runtime.Broker.UpdatesPending, () => what + ": user networking released", 15_000);
        WaitForParsing(app, what + " (after)");
        Assert.Equal(0, rig.Board.Bus.ViolationCount);
        _out.WriteLine($"{what} ({(fast ? "fast" : "slow")}, {image.Length} B): cloud '{run.Reason}', device 'aborted: {reason}', "
            + $"erases +{rig.Board.FlashModel.EraseOperations - erases}, programs +{rig.Board.FlashModel.ProgramOperations - programs}, "
            + $"boot state '{PeekBootState(rig)}', no reboot, app parsed {app.Parsed}");
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task ImagesTheHeaderGivesAwayAreRefusedAtChunkZeroWithNothingWritten()
    {
        await using EndToEndRig rig = await StartTicker(activeVersion: V2);
        var cloud = rig.Cloud.Cloud;
        byte[] payload = EndToEndRig.Payload(Size, 31);

        await Refused(rig, cloud.SignImage(payload, new ImageVersion(2, 0, 0, 0), boardId: 0x0BAD0BAD), fast: false, "wrong board", true, "wrong board");
        await Refused(rig, cloud.SignImage(payload, new ImageVersion(1, 9, 0, 0)), fast: false, "downgrade refused", true, "older version");

        // Header claims a payload the slot cannot hold (the file itself is small).
        byte[] oversize = cloud.SignImage(payload, new ImageVersion(2, 0, 0, 0));
        ImageFormat.WriteUInt32(oversize, 20, (uint)SparkCoreFlashLayout.SlotSize);
        await Refused(rig, oversize, fast: true, "too large", true, "header larger than the slot");

        // The gate is no wall: the same version (a re-install) goes through and the board reboots.
        byte[] good = cloud.SignImage(payload, new ImageVersion(2, 0, 0, 0));
        int reboots = rig.Core.Reboots;
        OtaRun ok = await rig.FlashAsync(good, fast: false, TimeSpan.FromSeconds(30));
        Assert.True(ok.State == "done", $"good image: {ok.State} ({ok.Reason})");
        EndToEndRig.WaitUntil(() => rig.Core.Reboots == reboots + 1 && rig.Core.Runtime != null, () => "the reboot after the good image", 20_000);
        rig.AssertInstalled(good, "good image");
        Assert.Equal(good, rig.PeekStaging(good.Length));
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task ImagesThatDoNotVerifyAreRefusedAtUpdateDoneAndNeverPending()
    {
        await using EndToEndRig rig = await StartTicker();
        var cloud = rig.Cloud.Cloud;
        byte[] payload = EndToEndRig.Payload(Size, 32);
        var version = new ImageVersion(1, 1, 0, 0);

        byte[] badSignature = cloud.SignImage(payload, version);
        badSignature[^7] ^= 0x20; // inside the signature entry (the trailer's last)
        await Refused(rig, badSignature, fast: false, "bad signature", false, "bad signature");

        using (ECDsa other = ImageSigner.GenerateKey())
        {
            byte[] wrongKey = ImageSigner.Sign(payload, version, SparkCoreBoard.ImageBoardId, other);
            await Refused(rig, wrongKey, fast: true, "bad signature", false, "signed with another key");
        }

        byte[] badHash = cloud.SignImage(payload, version);
        badHash[ImageFormat.HeaderSize + 4000] ^= 0x01; // payload altered after signing
        await Refused(rig, badHash, fast: false, "bad hash", false, "payload altered after signing");

        byte[] truncated = cloud.SignImage(payload, version)[..^20];
        await Refused(rig, truncated, fast: true, "truncated", false, "truncated");
    }
}
