using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Nano.FirmwareTests.Ota
{
    /// <summary>UpdateBegin refusals and repeats, stray chunks and UpdateDones: answered, nothing erased, nothing preempted.</summary>
    [TestClass]
    public class OtaBeginTests
    {
        [TestMethod]
        public void UpdateBeginsThatCannotWorkAreRefusedWithAReason()
        {
            AssertRefused(Parameters(SparkCoreFlashLayout.SlotSize + 1, 256, UpdateParameters.DestinationFirmware), "too large");
            AssertRefused(null, "size unknown");
            AssertRefused(Parameters(0, 256, UpdateParameters.DestinationFirmware), "size unknown");
            AssertRefused(Parameters(5000, 256, UpdateParameters.DestinationExternalFlash), "bad destination");
            AssertRefused(Parameters(20, 256, UpdateParameters.DestinationFirmware), OtaImagePolicy.ReasonBadImage);
            AssertRefused(Parameters(5000, 16, UpdateParameters.DestinationFirmware), "chunk size too small");
            AssertRefused(Parameters(SparkCoreFlashLayout.SlotSize, 128, UpdateParameters.DestinationFirmware), "chunk size too small");
        }

        [TestMethod]
        public void ARepeatedUpdateBeginIsAnsweredAgainAnotherIsBusy()
        {
            OtaRig rig = new OtaRig();
            rig.Begin(1276, 256, false);
            rig.AssertAnswered("44", "", "first");
            rig.Begin(1276, 256, false);
            rig.AssertAnswered("44", "", "the same again: UpdateReady again");
            Assert.AreEqual(1, rig.Ota.UpdatesBegun);
            rig.Begin(2000, 256, false);
            rig.AssertAnswered("80", "busy", "another update");
            Assert.AreEqual(OtaState.Receiving, rig.Ota.State);
        }

        [TestMethod]
        public void StrayChunksAndUpdateDonesAreCountedAndAnswered()
        {
            OtaRig rig = new OtaRig();
            rig.Chunk(TestImages.Ota130(), 256, 0, false, false);
            Assert.AreEqual(1, rig.Ota.StrayMessages);
            Assert.AreEqual(0, rig.Channel.ResponseCount, "a stray chunk is not answered");
            rig.Done();
            rig.AssertAnswered("80", "no update", "stray UpdateDone");
            Assert.AreEqual(2, rig.Ota.StrayMessages);
            rig.AssertStagingUntouched();
        }

        private static void AssertRefused(UpdateParameters p, string reason)
        {
            OtaRig rig = new OtaRig();
            rig.Begin(p);
            rig.AssertAnswered("80", reason, reason);
            Assert.AreEqual(reason, rig.Ota.LastRefusal);
            Assert.AreEqual(OtaState.Idle, rig.Ota.State, reason);
            Assert.IsFalse(rig.Broker.UpdatesPending, reason + ": user networking untouched");
            Assert.AreEqual(0, rig.Flash.Chip.Erases, reason + ": nothing erased");
        }

        private static UpdateParameters Parameters(int size, int chunk, int destination)
        {
            UpdateParameters p = new UpdateParameters();
            p.ChunkSize = chunk;
            p.FileSize = (uint)size;
            p.Destination = destination;
            return p;
        }
    }
}
