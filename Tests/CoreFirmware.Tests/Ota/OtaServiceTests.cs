using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Ota;

/// <summary>
/// The OTA service end to end: a scripted cloud over host loopback TCP, the device's CloudLink and
/// OtaService, the SocketBroker in front of a fake user view, and the staging slot and boot-state
/// record on the virtual SST25 (Fast timing). Every test ends with preemption released (or, on
/// success, a reboot requested) and the status event the contract names.
/// </summary>
[Trait("Category", "Ota")]
public class OtaServiceTests
{
    private const int ChunkSize = 256;

    private static string PendingText(byte[] image) => $"pending {image.Length} {Crc32.Compute(image, 0, image.Length):x8}";

    private static void AssertReleased(OtaRig rig, string reason)
    {
        OtaRig.WaitUntil(() => rig.Ota.State == OtaState.Idle, "the OTA service to go idle");
        Assert.False(rig.Broker.UpdatesPending, "preemption still held");
        Assert.Equal(reason, rig.Ota.LastAbortReason);
        Assert.False(rig.BootState.Read(), "a pending record was written");
        Assert.Equal(0, rig.Reboots.Requests);
        // User networking works again.
        int s = rig.Broker.Open(1000);
        Assert.True(s >= 0, $"user Open after the abort returned {(SocketError)s}");
        rig.Broker.Close(s);
    }

    private static void SendAllSlow(OtaRig rig, byte[] image, int count = int.MaxValue)
    {
        int chunks = (image.Length + ChunkSize - 1) / ChunkSize;
        for (int i = 0; i < Math.Min(chunks, count); i++)
        {
            int t = rig.Cloud.SendChunk(image, ChunkSize, i, withIndex: false);
            Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(t).Code);
        }
    }

    [Fact]
    public void SlowOtaWithOneCorruptChunkPreemptsUserSocketsAndEndsPending()
    {
        using var rig = new OtaRig();
        rig.StartConnected();
        var image = OtaRig.Image(20_000, 1); // 79 chunks, the last one partial

        // A user thread blocked in Receive, as in the 2014 report.
        int userSocket = rig.Broker.Open(1000);
        int userResult = int.MinValue;
        var user = TestThread.Start("user", () => userResult = rig.Broker.Receive(userSocket, new byte[64], 0, 64, 60_000));
        OtaRig.WaitUntil(() => rig.User.InsideReceive == 1, "the user Receive to block");

        int begin = rig.Cloud.SendUpdateBegin(fast: false, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code); // UpdateReady
        Assert.True(rig.Broker.UpdatesPending);
        Assert.True(user.Join(5000), "the blocked user Receive was not woken");
        Assert.Equal((int)SocketError.Preempted, userResult);
        Assert.Equal((int)SocketError.UpdateInProgress, rig.Broker.Open(1000));
        Assert.Equal(1, rig.Broker.LatencySampleCount);

        int chunks = (image.Length + ChunkSize - 1) / ChunkSize;
        for (int i = 0; i < chunks; i++)
        {
            if (i == 3)
            {
                int bad = rig.Cloud.SendChunk(image, ChunkSize, i, withIndex: false, corrupt: true);
                Assert.Equal(CoapCode.BadRequest, rig.Cloud.WaitResponse(bad).Code); // ChunkReceivedError
            }

            int t = rig.Cloud.SendChunk(image, ChunkSize, i, withIndex: false);
            Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(t).Code);
        }

        Assert.Equal(OtaState.Receiving, rig.Ota.State);
        Assert.Equal(image.Length, rig.Ota.BytesReceived);
        int done = rig.Cloud.SendUpdateDone();
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(done).Code);
        Assert.Equal(PendingText(image), rig.Cloud.WaitOtaEvent());

        Assert.Equal(OtaState.RebootPending, rig.Ota.State);
        OtaRig.WaitUntil(() => rig.Reboots.Requests == 1, "the reboot request");
        Assert.Equal(1, rig.Ota.BadChunks);
        Assert.Equal(1, rig.Ota.Resends);
        Assert.Equal(image, rig.StagingBytes(image.Length));
        Assert.True(rig.BootState.Read());
        Assert.Equal(BootImageState.Pending, rig.BootState.State);
        Assert.Equal(image.Length, rig.BootState.ImageSize);
        Assert.Equal(Crc32.Compute(image, 0, image.Length), rig.BootState.ImageCrc);
        // Erased only what the image needs: never past its last sector.
        Assert.True(rig.Staging.ErasedBytes >= image.Length && rig.Staging.ErasedBytes < image.Length + 4096 * 8);
        rig.Flash.AssertClean();
    }

    [Fact]
    public void FastOtaAsksForDroppedChunksWhenTheCloudPauses()
    {
        using var rig = new OtaRig();
        rig.StartConnected();
        var image = OtaRig.Image(30_000, 2); // 118 chunks
        int chunks = (image.Length + ChunkSize - 1) / ChunkSize;
        // Chunk 0 (the header) arrives: chunks before it would all count as missing (OtaImageGateTests).
        var dropped = new HashSet<int> { 1, 5, 17, 40, 41, 42, 90, chunks - 1 };

        int begin = rig.Cloud.SendUpdateBegin(fast: true, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        for (int i = 0; i < chunks; i++)
        {
            if (!dropped.Contains(i)) rig.Cloud.SendChunk(image, ChunkSize, i, withIndex: true);
        }

        // The cloud pauses: the device lists the gaps (repeating while they stay open); the cloud resends
        // each, until every chunk is in. Bounded, but not by a quiet period: on a loaded machine the
        // device's first ChunkMissed can come well over a second after the last chunk went out.
        var asked = new List<int>();
        long end = Environment.TickCount64 + 30_000;
        while (!(asked.ToHashSet().IsSupersetOf(dropped) && rig.Ota.ChunksReceived == chunks))
        {
            Assert.True(Environment.TickCount64 < end,
                $"timed out: the device asked for [{string.Join(",", asked.Distinct())}] of [{string.Join(",", dropped)}], has {rig.Ota.ChunksReceived} of {chunks} chunks");
            CoapMessage? m = rig.Cloud.Next(200);
            if (m is null) continue;
            if (SparkMessages.Classify(m) != MessageKind.ChunkMissed) continue;
            int n = SparkMessages.ReadMissedChunkCount(m);
            Assert.InRange(n, 1, 10);
            var list = Enumerable.Range(0, n).Select(i => SparkMessages.ReadMissedChunk(m, i)).ToList();
            rig.Cloud.Send(SparkMessages.EmptyAck(rig.Cloud.Writer, rig.Cloud.Out, 0, rig.Cloud.Out.Length, m.MessageId));
            asked.AddRange(list);
            foreach (int i in list) rig.Cloud.SendChunk(image, ChunkSize, i, withIndex: true);
        }

        Assert.Subset(asked.ToHashSet(), dropped);
        Assert.Superset(asked.ToHashSet(), dropped);
        int done = rig.Cloud.SendUpdateDone();
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(done).Code);
        Assert.Equal(PendingText(image), rig.Cloud.WaitOtaEvent());
        Assert.Equal(image, rig.StagingBytes(image.Length));
        OtaRig.WaitUntil(() => rig.Reboots.Requests == 1, "the reboot request");
        Assert.True(rig.Ota.MissedRequests >= 1);
    }

    [Fact]
    public void FastOtaUpdateDoneWithGapsAndACorruptChunkIsHeldUntilTheGapsFill()
    {
        using var rig = new OtaRig();
        rig.StartConnected();
        rig.Ota.FastGapMilliseconds = 60_000; // only UpdateDone may trigger the request here
        var image = OtaRig.Image(10_000, 3); // 40 chunks
        int chunks = (image.Length + ChunkSize - 1) / ChunkSize;

        int begin = rig.Cloud.SendUpdateBegin(fast: true, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        for (int i = 0; i < chunks; i++)
        {
            if (i == 7) continue;                                                       // dropped
            rig.Cloud.SendChunk(image, ChunkSize, i, withIndex: true, corrupt: i == 12); // corrupt: treated as missing
        }

        int done = rig.Cloud.SendUpdateDone();
        CoapMessage missed = rig.Cloud.WaitFor(m => SparkMessages.Classify(m) == MessageKind.ChunkMissed, "ChunkMissed");
        var list = Enumerable.Range(0, SparkMessages.ReadMissedChunkCount(missed)).Select(i => SparkMessages.ReadMissedChunk(missed, i)).ToList();
        Assert.Equal(new[] { 7, 12 }, list);
        foreach (int i in list) rig.Cloud.SendChunk(image, ChunkSize, i, withIndex: true);

        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(done).Code); // the held UpdateDone answered
        Assert.Equal(PendingText(image), rig.Cloud.WaitOtaEvent());
        Assert.Equal(1, rig.Ota.BadChunks);
        Assert.Equal(image, rig.StagingBytes(image.Length));
    }

    [Fact]
    public void OversizeIsRefusedBeforeAnyErase()
    {
        using var rig = new OtaRig();
        rig.StartConnected();
        long erases = rig.Flash.Model.EraseOperations;
        long programs = rig.Flash.Model.ProgramOperations;
        byte[] before = rig.StagingBytes(4096);

        int begin = rig.Cloud.SendUpdateBegin(fast: false, ChunkSize, rig.Map.Staging.Size + 1);
        CoapMessage r = rig.Cloud.WaitResponse(begin);
        Assert.Equal(CoapCode.BadRequest, r.Code);
        Assert.Equal("too large", ScriptedCloud.PayloadText(r));
        Assert.Equal("aborted: too large", rig.Cloud.WaitOtaEvent());

        Assert.Equal(erases, rig.Flash.Model.EraseOperations);
        Assert.Equal(programs, rig.Flash.Model.ProgramOperations);
        Assert.Equal(before, rig.StagingBytes(4096));
        Assert.Equal(0, rig.Broker.Preemptions);
        AssertReleased(rig, "too large");

        // The largest image that fits is accepted.
        int ok = rig.Cloud.SendUpdateBegin(fast: false, ChunkSize, rig.Map.Staging.Size);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(ok).Code);
        Assert.True(rig.Broker.UpdatesPending);
    }

    [Fact]
    public void LinkDroppedMidTransferAbortsAndReportsAfterReconnect()
    {
        using var rig = new OtaRig();
        rig.StartConnected();
        var image = OtaRig.Image(12_000, 4);
        int begin = rig.Cloud.SendUpdateBegin(fast: false, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        SendAllSlow(rig, image, count: 10);

        rig.Cloud.CloseClient();
        AssertReleased(rig, "disconnect");
        Assert.True(rig.Ota.EventUnsent);

        // The device reconnects and then reports why the update ended.
        rig.Cloud.Connect();
        Assert.Equal("aborted: disconnect", rig.Cloud.WaitOtaEvent());
        Assert.StartsWith("peer closed", rig.Link.LastDropReason);
    }

    [Fact]
    public void SilenceDuringTransferTimesOut()
    {
        using var rig = new OtaRig();
        rig.StartConnected();
        rig.Ota.TransferTimeoutMilliseconds = 500;
        var image = OtaRig.Image(5_000, 5);
        int begin = rig.Cloud.SendUpdateBegin(fast: false, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        SendAllSlow(rig, image, count: 2);

        Assert.Equal("aborted: timeout", rig.Cloud.WaitOtaEvent());
        AssertReleased(rig, "timeout");
        Assert.True(rig.Link.IsConnected);
    }

    [Fact]
    public void CorruptStagingBeforeUpdateDoneFailsVerification()
    {
        using var rig = new OtaRig();
        rig.StartConnected();
        var image = OtaRig.Image(8_000, 6);
        int begin = rig.Cloud.SendUpdateBegin(fast: false, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        SendAllSlow(rig, image);

        // Flip bits in the staged image on the flash itself (programming can clear bits).
        rig.Flash.Flash.Program(rig.Map.Staging.Start + 1000, new byte[16], 0, 16);

        int done = rig.Cloud.SendUpdateDone();
        CoapMessage r = rig.Cloud.WaitResponse(done);
        Assert.Equal(CoapCode.BadRequest, r.Code);
        Assert.Equal("verify failed", ScriptedCloud.PayloadText(r));
        Assert.Equal("aborted: verify failed", rig.Cloud.WaitOtaEvent());
        AssertReleased(rig, "verify failed");
    }

    [Fact]
    public void ElevenBadCrcsOnOneChunkAbort()
    {
        using var rig = new OtaRig();
        rig.StartConnected();
        var image = OtaRig.Image(3_000, 7);
        int begin = rig.Cloud.SendUpdateBegin(fast: false, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        for (int i = 0; i < OtaService.MaxBadCrcPerChunk; i++)
        {
            int t = rig.Cloud.SendChunk(image, ChunkSize, 0, withIndex: false, corrupt: true);
            Assert.Equal(CoapCode.BadRequest, rig.Cloud.WaitResponse(t).Code);
        }

        rig.Cloud.SendChunk(image, ChunkSize, 0, withIndex: false, corrupt: true);
        Assert.Equal("aborted: too many bad chunks", rig.Cloud.WaitOtaEvent());
        AssertReleased(rig, "too many bad chunks");
    }

    [Fact]
    public void UpdateBeginWhileRunningIsBusyAndARepeatIsAnsweredAgain()
    {
        using var rig = new OtaRig();
        rig.StartConnected();
        var image = OtaRig.Image(3_000, 8);
        int begin = rig.Cloud.SendUpdateBegin(fast: false, ChunkSize, image.Length);
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(begin).Code);
        int again = rig.Cloud.SendUpdateBegin(fast: false, ChunkSize, image.Length); // a repeat: UpdateReady again
        Assert.Equal(CoapCode.Changed, rig.Cloud.WaitResponse(again).Code);
        SendAllSlow(rig, image, count: 1);
        int other = rig.Cloud.SendUpdateBegin(fast: false, ChunkSize, image.Length);
        CoapMessage r = rig.Cloud.WaitResponse(other);
        Assert.Equal(CoapCode.BadRequest, r.Code);
        Assert.Equal("busy", ScriptedCloud.PayloadText(r));
        Assert.Equal(OtaState.Receiving, rig.Ota.State);
    }
}
