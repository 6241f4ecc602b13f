using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Nano.FirmwareTests.Ota
{
    /// <summary>The OTA service's transfer paths (Ota/Update/OtaService): slow OTA answered chunk by chunk, resends, duplicates, fast OTA gaps.</summary>
    [TestClass]
    public class OtaTransferTests
    {
        private const int Chunk = 256;

        [TestMethod]
        public void ASlowOtaIsStagedVerifiedAndLeftPendingForTheBootloader()
        {
            OtaRig rig = new OtaRig();
            byte[] image = TestImages.Ota130();
            rig.Begin(image.Length, Chunk, false);
            rig.AssertAnswered("44", "", "UpdateReady");
            Assert.AreEqual(OtaState.Receiving, rig.Ota.State);
            Assert.IsTrue(rig.Broker.UpdatesPending, "user networking preempted");
            rig.AssertStagingUntouched();

            for (int i = 0; i < 5; i++)
            {
                rig.Chunk(image, Chunk, i, false, false);
                rig.AssertAnswered("44", "", "ChunkReceived " + i.ToString());
            }

            Assert.IsTrue(rig.Ota.HeaderAccepted);
            Assert.AreEqual(image.Length, rig.Ota.BytesReceived);
            rig.Done();
            rig.AssertAnswered("44", "", "UpdateDone");
            Assert.AreEqual(OtaState.RebootPending, rig.Ota.State);
            Assert.AreEqual(1, rig.Reboots.Requests);
            Assert.AreEqual(image, rig.Flash.Peek(rig.Flash.Map.Staging.Start, image.Length), "staged bytes");
            uint crc = Crc32.Compute(image, 0, image.Length);
            Assert.IsTrue(rig.BootState.Read(), "a pending record");
            Assert.AreEqual(BootImageState.Pending, rig.BootState.State);
            Assert.AreEqual(image.Length, rig.BootState.ImageSize);
            Assert.AreEqual(crc, rig.BootState.ImageCrc);
            Assert.AreEqual("corefw/ota: pending 1276 " + Bytes.ToHex(new byte[] { (byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc }, 0, 4), rig.Channel.LastEvent);
            Assert.IsTrue(rig.Broker.UpdatesPending, "preemption stays until the reboot");
        }

        [TestMethod]
        public void ABadChunkIsAskedForAgainAndTheResendIsTaken()
        {
            OtaRig rig = new OtaRig();
            byte[] image = TestImages.Ota130();
            rig.Begin(image.Length, Chunk, false);
            rig.Chunk(image, Chunk, 0, false, false);
            rig.Chunk(image, Chunk, 1, false, true);
            rig.AssertAnswered("80", "", "ChunkReceivedError");
            Assert.AreEqual(1, rig.Ota.Resends);
            Assert.AreEqual(1, rig.Ota.BadChunks);
            rig.Chunk(image, Chunk, 1, false, false);
            rig.AssertAnswered("44", "", "the resent chunk");
            for (int i = 2; i < 5; i++) rig.Chunk(image, Chunk, i, false, false);
            rig.Done();
            Assert.AreEqual(OtaState.RebootPending, rig.Ota.State);
            Assert.AreEqual(image, rig.Flash.Peek(rig.Flash.Map.Staging.Start, image.Length));
        }

        [TestMethod]
        public void ADuplicateChunkIsAnsweredButNotWrittenTwice()
        {
            OtaRig rig = new OtaRig();
            byte[] image = TestImages.Ota130();
            rig.Begin(image.Length, Chunk, true);
            rig.Chunk(image, Chunk, 0, true, false);
            rig.Chunk(image, Chunk, 1, true, false);
            rig.Chunk(image, Chunk, 1, true, false);
            Assert.AreEqual(1, rig.Ota.DuplicateChunks);
            Assert.AreEqual(2, rig.Ota.ChunksReceived);
            for (int i = 2; i < 5; i++) rig.Chunk(image, Chunk, i, true, false);
            rig.Done();
            Assert.AreEqual(OtaState.RebootPending, rig.Ota.State);
        }

        [TestMethod]
        public void FastOtaAsksForMissingChunksAndHoldsUpdateDoneUntilTheyCome()
        {
            OtaRig rig = new OtaRig();
            byte[] image = TestImages.Ota130();
            rig.Begin(image.Length, Chunk, true);
            int answered = rig.Channel.ResponseCount;
            rig.Chunk(image, Chunk, 0, true, false);
            rig.Chunk(image, Chunk, 2, true, false);
            rig.Chunk(image, Chunk, 4, true, true); // corrupt: counts as missing
            Assert.AreEqual(answered, rig.Channel.ResponseCount, "fast OTA answers no chunk");

            rig.Clock.Advance(OtaService.DefaultFastGapMilliseconds);
            rig.Ota.Poll();
            Assert.AreEqual("1 3 4", rig.Channel.LastMissed, "the gap asks for the missing chunks");
            rig.Done();
            Assert.AreEqual(2, rig.Channel.MissedCount, "UpdateDone with gaps asks again");
            Assert.AreEqual(answered, rig.Channel.ResponseCount, "UpdateDone is held");
            Assert.AreEqual(OtaState.Receiving, rig.Ota.State);

            rig.Chunk(image, Chunk, 3, true, false);
            rig.Chunk(image, Chunk, 1, true, false);
            rig.Chunk(image, Chunk, 4, true, false);
            Assert.AreEqual(OtaState.RebootPending, rig.Ota.State, "the last gap filled: done");
            Assert.AreEqual(image, rig.Flash.Peek(rig.Flash.Map.Staging.Start, image.Length));
            Assert.AreEqual(1, rig.Reboots.Requests);
        }

        [TestMethod]
        public void FastOtaChunksBeforeChunkZeroWaitForTheHeader()
        {
            OtaRig rig = new OtaRig();
            byte[] image = TestImages.Ota130();
            rig.Begin(image.Length, Chunk, true);
            rig.Chunk(image, Chunk, 3, true, false);
            Assert.AreEqual(0, rig.Ota.ChunksReceived, "nothing written before the header passed");
            rig.AssertStagingUntouched();
            rig.AllChunks(image, Chunk, true);
            rig.Done();
            Assert.AreEqual(OtaState.RebootPending, rig.Ota.State);
        }
    }
}
