using System.Security.Cryptography;
using System.Text.Json;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Cloud;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Cloud;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Sst25;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>
/// The ways an OTA can fail, on the full virtual board with the ticker app at full speed. Every abort
/// must leave the old image in place (no reboot, the boot-state record untouched), give user
/// networking back (UpdatesPending false, the same app parses again), tell the cloud why (REST
/// ota.state "failed" + reason, last_device_message "aborted: ...", or a drop reason), and the bus
/// model must see no violation. Cloud-side test hooks used: DeviceServer.DisconnectDevice and
/// FlashOptions.CorruptChunk.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(IsolatedCollection.Name)]
public class OtaAbortPathTests
{
    private readonly ITestOutputHelper _out;

    public OtaAbortPathTests(ITestOutputHelper output) => _out = output;

    private static Task<EndToEndRig> StartTicker(Func<FlashOptions>? flash = null, byte[]? serverKey = null, bool waitForCloud = true,
        Sst25TimingProfile? flashTiming = null) =>
        EndToEndRig.StartAsync(r => new BitcoinTickerApp(EndToEndRig.TickerHost, r.Ticker.Port, EndToEndRig.TickerPath),
            flash: flash, flashTiming: flashTiming, serverPublicKeyDer: serverKey, waitForCloud: waitForCloud);

    /// <summary>What an abort must not change, taken while the app runs at full speed.</summary>
    private sealed record Baseline(BitcoinTickerApp App, int Reboots, int Boots, BootImageState BootState);

    private static Baseline TakeBaseline(EndToEndRig rig)
    {
        var app = (BitcoinTickerApp)rig.Core.CurrentApp!;
        int parsed = app.Parsed;
        EndToEndRig.WaitUntil(() => app.Parsed >= parsed + 3, () => $"the app at full speed (parsed {app.Parsed}, failures {app.Failures}, last {app.LastResult})", 20_000);
        return new Baseline(app, rig.Core.Reboots, rig.Core.Boots, PeekBootState(rig));
    }

    // The boot state as the firmware's store reads it now (the two-sector log, newest valid entry).
    private static BootImageState PeekBootState(EndToEndRig rig)
    {
        var map = SparkCoreFlashLayout.Create();
        var store = new BootStateStore(rig.Board.Flash, map.BootStateA, map.BootStateB);
        return store.Read().State;
    }

    /// <summary>(a) old image kept, (b) user networking back and the same app parsing again, (d) no bus violation.</summary>
    private void AssertOldImageKeptAndAppResumed(EndToEndRig rig, Baseline before, string what)
    {
        Assert.Equal(before.Reboots, rig.Core.Reboots);
        Assert.Equal(before.Boots, rig.Core.Boots);
        Assert.NotEqual(BootImageState.Pending, PeekBootState(rig)); // no pending record for the failed image
        Assert.NotEqual(BootImageState.Pending, before.BootState);
        Assert.Same(before.App, rig.Core.CurrentApp);
        var runtime = rig.Core.Runtime!;
        EndToEndRig.WaitUntil(() => !runtime.Broker.UpdatesPending, () => what + ": user networking released", 15_000);
        int parsed = before.App.Parsed;
        EndToEndRig.WaitUntil(() => before.App.Parsed >= parsed + 3,
            () => $"{what}: the app to parse again (parsed {before.App.Parsed}, failures {before.App.Failures}, last {before.App.LastResult})", 20_000);
        Assert.Equal(0, rig.Board.Bus.ViolationCount);
        Assert.Equal(0, rig.Core.StuckUserThreads);
        _out.WriteLine($"{what}: no reboot (reboots {rig.Core.Reboots}), boot state untouched, UpdatesPending false, app parsed {parsed} -> {before.App.Parsed} "
            + $"(failures {before.App.Failures}), device aborts {runtime.Ota.UpdatesAborted} (last '{runtime.Ota.LastAbortReason}'), bus violations {rig.Board.Bus.ViolationCount}");
    }

    private static async Task<JsonElement> GetDevice(EndToEndRig rig)
    {
        var (status, body) = await rig.Cloud.GetAsync("v1/devices/" + rig.Id);
        Assert.Equal(200, status);
        return body;
    }


    private async Task FlashAndExpectSuccess(EndToEndRig rig, byte[] image, bool fast, string what)
    {
        int reboots = rig.Core.Reboots;
        OtaRun ota = await rig.FlashAsync(image, fast, TimeSpan.FromSeconds(40));
        Assert.True(ota.State == "done", $"{what}: flash ended {ota.State} ({ota.Reason}); device said {ota.DeviceMessage}");
        string? said = await rig.WaitForAcceptedAsync(image, TimeSpan.FromSeconds(20));
        Assert.True(EndToEndRig.Accepted(image, said), $"{what}: the device said '{said}'");
        EndToEndRig.WaitUntil(() => rig.Core.Reboots == reboots + 1 && rig.Core.Runtime != null, () => what + ": the reboot into the new image", 20_000);
        Assert.Equal(image, rig.PeekStaging(image.Length));
        rig.AssertInstalled(image, what);
        _out.WriteLine($"{what}: done in {ota.Elapsed.TotalMilliseconds:0} ms, device said '{EndToEndRig.PendingMessage(image)}', rebooted, installed, test boot");
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task LinkDroppedMidTransferAbortsReportsDisconnectAfterReconnectAndTheNextFlashSucceeds()
    {
        await using EndToEndRig rig = await StartTicker();
        Baseline before = TakeBaseline(rig);
        var ota = rig.Core.Runtime!.Ota;
        byte[] image = rig.SignedImage(128 * 1024, 1);

        Task<OtaRun> flash = rig.FlashAsync(image, fast: false, TimeSpan.FromSeconds(40));
        EndToEndRig.WaitUntil(() => ota.ChunksReceived >= 20 || flash.IsCompleted,
            () => $"the transfer to be under way (chunks {ota.ChunksReceived}, state {ota.State})", 20_000);
        Assert.False(flash.IsCompleted, "the flash ended before the link could be cut");
        int chunksAtCut = ota.ChunksReceived;
        Assert.True(rig.Cloud.Cloud.Devices.DisconnectDevice(rig.Id, "test: link cut mid-transfer"));

        OtaRun run = await flash;
        Assert.Equal("failed", run.State);
        Assert.False(string.IsNullOrEmpty(run.Reason));
        Assert.Contains("disconnect", run.Reason);
        Assert.Contains(rig.Cloud.Cloud.Devices.RecentDrops, d => d.DeviceId == rig.Id && d.Reason == "test: link cut mid-transfer");

        // The device aborts on the link loss, reconnects, and only then can tell the cloud.
        rig.WaitForCloudLink(20_000);
        Assert.Equal("aborted: disconnect", await rig.WaitForDeviceMessageAsync("aborted: disconnect", TimeSpan.FromSeconds(10)));
        Assert.Equal("disconnect", rig.Core.Runtime!.Ota.LastAbortReason);
        JsonElement device = await GetDevice(rig);
        Assert.Equal("failed", device.GetProperty("ota").GetProperty("state").GetString());
        _out.WriteLine($"link cut after {chunksAtCut} of {image.Length / 256} chunks: cloud '{run.Reason}', device '{device.GetProperty("last_device_message").GetString()}'");
        AssertOldImageKeptAndAppResumed(rig, before, "link drop");

        await FlashAndExpectSuccess(rig, rig.SignedImage(48 * 1024, 2), fast: false, "second flash after the drop");
        Assert.Equal(0, rig.Board.Bus.ViolationCount);
    }

    [Theory(Timeout = TestTimeouts.EndToEnd)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFewCorruptedChunksAreResentAndTheUpdateStillSucceeds(bool fast)
    {
        // Chunks 3, 40 and 77 are corrupted on their first two sends.
        await using EndToEndRig rig = await StartTicker(() =>
        {
            FlashOptions o = CloudTestHost.FastTimeouts();
            o.CorruptChunk = (index, attempt) => (index == 3 || index == 40 || index == 77) && attempt <= 2;
            return o;
        });
        TakeBaseline(rig);
        var ota = rig.Core.Runtime!.Ota;
        byte[] image = rig.SignedImage(32 * 1024 - 100, 3);
        await FlashAndExpectSuccess(rig, image, fast, $"3 corrupted chunks ({(fast ? "fast" : "slow")})");
        JsonElement device = await GetDevice(rig);
        int resends = device.GetProperty("ota").GetProperty("resends").GetInt32();
        _out.WriteLine($"cloud resends {resends}, device bad chunks {ota.BadChunks}");
        Assert.True(ota.BadChunks >= 3, $"the device saw {ota.BadChunks} bad chunks");
        Assert.Equal(0, rig.Board.Bus.ViolationCount);
    }

    /// <summary>
    /// Regression (soak with fast OTA, realistic flash timing and corrupted chunks: "0 resends, no answer
    /// to UpdateDone"): when the device's backlog of chunks outlasts the cloud's quiet period, the device
    /// sees its gaps only at UpdateDone, holds it and sends ChunkMissed; the cloud must serve that. A
    /// 1 ms quiet period makes that order certain: UpdateDone always comes before the device's 300 ms gap timer.
    /// </summary>
    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task FastOtaCorruptedChunksAskedForOnlyAfterUpdateDoneAreResentWithRealisticFlashTiming()
    {
        await using EndToEndRig rig = await StartTicker(() =>
        {
            FlashOptions o = CloudTestHost.FastTimeouts();
            o.FastQuietPeriod = TimeSpan.FromMilliseconds(1);
            o.UpdateDoneTimeout = TimeSpan.FromSeconds(8); // before the fix: the held UpdateDone timed out here
            o.CorruptChunk = (index, attempt) => (index == 3 || index == 40 || index == 77) && attempt <= 2;
            return o;
        }, flashTiming: Sst25TimingProfile.Realistic);
        TakeBaseline(rig);
        var ota = rig.Core.Runtime!.Ota;
        byte[] image = rig.SignedImage(32 * 1024 - 100, 5);
        await FlashAndExpectSuccess(rig, image, fast: true, "fast OTA, gaps asked for after UpdateDone");
        JsonElement device = await GetDevice(rig);
        int resends = device.GetProperty("ota").GetProperty("resends").GetInt32();
        _out.WriteLine($"cloud resends {resends}; device bad chunks {ota.BadChunks}, ChunkMissed sent {ota.MissedRequests}");
        Assert.True(resends >= 3, $"the cloud resent {resends} chunks");
        Assert.True(ota.BadChunks >= 3, $"the device saw {ota.BadChunks} bad chunks");
        Assert.True(ota.MissedRequests >= 1, $"the device sent {ota.MissedRequests} ChunkMissed");
        Assert.Equal(0, rig.Board.Bus.ViolationCount);
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task OneChunkAlwaysCorruptedFailsWithAReasonAndKeepsTheOldImage()
    {
        await using EndToEndRig rig = await StartTicker(() =>
        {
            FlashOptions o = CloudTestHost.FastTimeouts();
            o.CorruptChunk = (index, _) => index == 5;
            return o;
        });
        Baseline before = TakeBaseline(rig);
        byte[] image = rig.SignedImage(32 * 1024, 4);

        OtaRun run = await rig.FlashAsync(image, fast: false, TimeSpan.FromSeconds(40));
        Assert.Equal("failed", run.State);
        Assert.False(string.IsNullOrEmpty(run.Reason));
        string? said = await rig.WaitForDeviceMessageAsync("aborted: too many bad chunks", TimeSpan.FromSeconds(15));
        _out.WriteLine($"chunk 5 always corrupted: cloud '{run.Reason}', device '{said}', device bad chunks {rig.Core.Runtime!.Ota.BadChunks}");
        Assert.True(said == "aborted: too many bad chunks" || run.Reason!.Contains("rejected"), $"no clear reason: cloud '{run.Reason}', device '{said}'");
        AssertOldImageKeptAndAppResumed(rig, before, "chunk always corrupted");
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task AnOversizeImageIsRefusedBeforeAnythingIsErased()
    {
        await using EndToEndRig rig = await StartTicker();
        Baseline before = TakeBaseline(rig);
        var runtime = rig.Core.Runtime!;
        int slot = rig.Staging.Size;
        Assert.Equal(SparkCoreFlashLayout.SlotSize, slot);
        byte[] stagingBefore = SHA256.HashData(rig.PeekStaging(slot));
        int preemptions = runtime.Broker.Preemptions;
        byte[] image = rig.SignedImage(slot + 1, 5);

        // The REST API has its own 640 KB bound in front of the device...
        var (status, put) = await rig.Cloud.PutFileAsync(rig.Id, image);
        Assert.Equal(200, status);
        Assert.False(put.GetProperty("ok").GetBoolean());
        _out.WriteLine("REST PUT of " + image.Length + " B: " + put);

        // ...so the device's own refusal is reached through the cloud library (as `corefw`/tools could).
        FlashJob job = rig.Cloud.Cloud.Flash(rig.Id, image, CloudTestHost.FastTimeouts());
        OtaProgress end = await job.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(OtaState.Failed, end.State);
        Assert.Contains("too large", end.Reason);
        Assert.Equal("aborted: too large", await rig.WaitForDeviceMessageAsync("aborted: too large", TimeSpan.FromSeconds(10)));
        JsonElement device = await GetDevice(rig);
        JsonElement ota = device.GetProperty("ota");
        Assert.Equal("failed", ota.GetProperty("state").GetString());
        Assert.Contains("too large", ota.GetProperty("reason").GetString());

        Assert.Equal(stagingBefore, SHA256.HashData(rig.PeekStaging(slot))); // nothing erased
        Assert.Equal(preemptions, runtime.Broker.Preemptions); // the app was never preempted
        Assert.Equal("too large", runtime.Ota.LastRefusal);
        _out.WriteLine($"device refusal: cloud '{end.Reason}', device '{device.GetProperty("last_device_message").GetString()}', staging slot hash unchanged, preemptions {runtime.Broker.Preemptions}");
        AssertOldImageKeptAndAppResumed(rig, before, "oversize");
    }

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task AServerWithTheWrongKeyNeverGetsTheDeviceAndTheAppKeepsRunning()
    {
        // The device is provisioned with a server public key that is not this cloud's (as if it
        // talked to an impostor server, or its server key were wrong): the handshake cannot succeed.
        byte[] wrongKey;
        using (var rsa = RSA.Create(2048)) wrongKey = rsa.ExportSubjectPublicKeyInfo();
        await using EndToEndRig rig = await StartTicker(serverKey: wrongKey, waitForCloud: false);
        var devices = rig.Cloud.Cloud.Devices;
        EndToEndRig.WaitUntil(() => rig.Core.Runtime?.Cloud?.Drops >= 2 && devices.RecentDrops.Count >= 2,
            () => $"two failed handshakes (device drops {rig.Core.Runtime?.Cloud?.Drops}, cloud drops {devices.RecentDrops.Count})", 30_000);
        Baseline before = TakeBaseline(rig);
        var link = rig.Core.Runtime!.Cloud;

        Assert.Equal(0, link.Sessions);
        Assert.False(link.IsConnected);
        Assert.False(devices.IsOnline(rig.Id));
        string deviceReason = link.LastDropReason;
        Assert.Contains("handshake", deviceReason);
        ConnectionDrop cloudDrop = devices.RecentDrops[^1];
        Assert.Contains("handshake", cloudDrop.Reason);

        JsonElement device = await GetDevice(rig);
        Assert.False(device.GetProperty("connected").GetBoolean());
        var (status, put) = await rig.Cloud.PutFileAsync(rig.Id, rig.SignedImage(16 * 1024, 6));
        Assert.Equal(200, status);
        Assert.False(put.GetProperty("ok").GetBoolean());
        Assert.Contains("not connected", put.ToString());
        _out.WriteLine($"wrong server key: device attempts {link.ConnectAttempts}, sessions {link.Sessions}, device last drop '{deviceReason}'; "
            + $"cloud last drop '{cloudDrop.Reason}'; REST connected=false; PUT: {put}");
        Assert.Equal(0, link.Sessions);
        AssertOldImageKeptAndAppResumed(rig, before, "wrong server key");
    }
}
