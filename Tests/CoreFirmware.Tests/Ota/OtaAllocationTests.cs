using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Sst25;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Ota;

/// <summary>The per-chunk path (CRC check, erase ahead, program, read-back, ack) allocates nothing.</summary>
[Trait("Category", "Ota")]
public class OtaAllocationTests
{
    private sealed class CountingChannel : IOtaChannel
    {
        public int Changed, Bad, Missed, Events;
        public bool IsConnected => true;

        public bool SendResponse(byte[] token, int tokenLength, int code, byte[] payload, int offset, int count)
        {
            if (code == CoapCode.Changed) Changed++; else Bad++;
            return true;
        }

        public bool SendChunkMissed(int[] indexes, int offset, int count)
        {
            Missed++;
            return true;
        }

        public bool Publish(string name, byte[] data, int offset, int count)
        {
            Events++;
            return true;
        }
    }

    [Fact]
    public void SteadyStateChunksAllocateNothing()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var map = SparkCoreFlashLayout.Create();
        var user = new FakeUserSockets();
        var channel = new CountingChannel();
        using var crypto = new HostCrypto();
        var ota = new OtaService(channel, new SocketBroker(user, user, rig.Clock), new StagingWriter(rig.Flash, map.Staging),
            new BootStateRecord(rig.Flash, map.BootStateA), OtaRig.NewPolicy(crypto), rig.Clock, new RebootRecorder());
        const int chunkSize = 256, chunks = 200;
        var image = OtaRig.Image(chunkSize * chunks, 11);

        // Every message encoded up front (the cloud's side), decoded into one reused CoapMessage.
        var writer = new CoapWriter();
        var begin = new byte[64];
        Assert.Equal(CoapResult.Ok, SparkMessages.UpdateBegin(writer, begin, 0, begin.Length, 1, 1,
            new UpdateParameters { ChunkSize = chunkSize, FileSize = (uint)image.Length }));
        int beginLength = writer.Length;
        var encoded = new byte[chunks][];
        var lengths = new int[chunks];
        for (int i = 0; i < chunks; i++)
        {
            encoded[i] = new byte[SecureFraming.MaxPlaintextLength];
            uint crc = Crc32.Compute(image, i * chunkSize, chunkSize);
            Assert.Equal(CoapResult.Ok, SparkMessages.Chunk(writer, encoded[i], 0, encoded[i].Length, 2 + i, (i % 250) + 2, crc, -1,
                image, i * chunkSize, chunkSize));
            lengths[i] = writer.Length;
        }

        var m = new CoapMessage();
        Assert.Equal(CoapResult.Ok, m.Decode(begin, 0, beginLength));
        ota.OnMessage(MessageKind.UpdateBegin, m);
        Assert.Equal(OtaState.Receiving, ota.State);

        const int warmUp = 20;
        for (int i = 0; i < warmUp; i++)
        {
            m.Decode(encoded[i], 0, lengths[i]);
            ota.OnMessage(MessageKind.Chunk, m);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = warmUp; i < chunks; i++)
        {
            m.Decode(encoded[i], 0, lengths[i]);
            ota.OnMessage(SparkMessages.Classify(m), m);
            ota.Poll();
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(chunks + 1, channel.Changed); // UpdateReady + one ChunkReceived per chunk
        Assert.Equal(0, channel.Bad);
        Assert.Equal(chunks, ota.ChunksReceived);
        Assert.Equal(0, allocated);
    }
}
