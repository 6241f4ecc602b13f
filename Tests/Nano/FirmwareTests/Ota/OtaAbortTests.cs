using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Nano.FirmwareTests.Ota
{
    /// <summary>
    /// The OTA service's abort paths: every one releases user networking, writes no pending state,
    /// goes back to Idle and says why in an event (held until the link is up).
    /// </summary>
    [TestClass]
    public class OtaAbortTests
    {
        private const int Chunk = 256;

        [TestMethod]
        public void MoreThanTenBadCopiesOfOneChunkAbort()
        {
            OtaRig rig = new OtaRig();
            byte[] image = TestImages.Ota130();
            rig.Begin(image.Length, Chunk, false);
            rig.Chunk(image, Chunk, 0, false, false);
            for (int i = 0; i < OtaService.MaxBadCrcPerChunk; i++)
            {
                rig.Chunk(image, Chunk, 1, false, true);
                Assert.AreEqual(OtaState.Receiving, rig.Ota.State, "bad copy " + (i + 1).ToString());
            }

            rig.Chunk(image, Chunk, 1, false, true);
            AssertAborted(rig, "too many bad chunks");
        }

        [TestMethod]
        public void SilenceLongerThanTheTransferTimeoutAborts()
        {
            OtaRig rig = new OtaRig();
            byte[] image = TestImages.Ota130();
            rig.Begin(image.Length, Chunk, false);
            rig.Chunk(image, Chunk, 0, false, false);
            rig.Clock.Advance(OtaService.DefaultTransferTimeoutMilliseconds);
            rig.Ota.Poll();
            Assert.AreEqual(OtaState.Receiving, rig.Ota.State, "exactly the timeout: not yet");
            rig.Clock.Advance(1);
            rig.Ota.Poll();
            AssertAborted(rig, "timeout");
        }

        [TestMethod]
        public void ALostLinkAbortsAndTheEventGoesOutAfterTheNextHello()
        {
            OtaRig rig = new OtaRig();
            byte[] image = TestImages.Ota130();
            rig.Begin(image.Length, Chunk, false);
            rig.Chunk(image, Chunk, 0, false, false);
            rig.Channel.Connected = false;
            int events = rig.Channel.EventCount;
            rig.Ota.OnLinkDown();
            Assert.AreEqual(OtaState.Idle, rig.Ota.State);
            Assert.AreEqual("disconnect", rig.Ota.LastAbortReason);
            Assert.IsTrue(rig.Ota.EventUnsent);
            Assert.AreEqual(events, rig.Channel.EventCount);
            rig.Channel.Connected = true;
            rig.Ota.OnLinkUp();
            Assert.IsFalse(rig.Ota.EventUnsent);
            Assert.AreEqual("corefw/ota: aborted: disconnect", rig.Channel.LastEvent);
            Assert.IsFalse(rig.Broker.UpdatesPending);
        }

        [TestMethod]
        public void UpdateDoneWithChunksMissingInSlowOtaAborts()
        {
            OtaRig rig = new OtaRig();
            byte[] image = TestImages.Ota130();
            rig.Begin(image.Length, Chunk, false);
            rig.Chunk(image, Chunk, 0, false, false);
            rig.Done();
            rig.AssertAnswered("80", "verify failed", "UpdateDone");
            AssertAborted(rig, "verify failed");
        }

        [TestMethod]
        public void AnImageSignedByAnotherKeyIsRefusedAtUpdateDone()
        {
            OtaRig rig = new OtaRig();
            byte[] image = TestImages.SignedByAnotherKey(false);
            rig.Begin(image.Length, Chunk, false);
            rig.AllChunks(image, Chunk, false);
            rig.Done();
            rig.AssertAnswered("80", "bad signature", "UpdateDone");
            AssertAborted(rig, "bad signature");
        }

        [TestMethod]
        public void NegativeRunWithoutVerifyingTheStagedImageAForeignImageWouldBePending()
        {
            OtaRig rig = new OtaRig(false);
            byte[] image = TestImages.SignedByAnotherKey(false);
            rig.Begin(image.Length, Chunk, false);
            rig.AllChunks(image, Chunk, false);
            rig.Done();
            Assert.AreEqual(OtaState.RebootPending, rig.Ota.State, "switched off, the check no longer stops it");
            Assert.IsTrue(rig.BootState.Read());
        }

        [TestMethod]
        public void AWrongBoardHeaderAbortsBeforeAnythingIsErased()
        {
            OtaRig rig = new OtaRig();
            byte[] image = TestImages.Unsigned(1, 3, 0, 1100, 0x11223344);
            rig.Begin(image.Length, Chunk, false);
            int erases = rig.Flash.Chip.Erases;
            rig.Chunk(image, Chunk, 0, false, false);
            rig.AssertAnswered("80", OtaImagePolicy.ReasonWrongBoard, "chunk 0");
            AssertAborted(rig, OtaImagePolicy.ReasonWrongBoard);
            Assert.AreEqual(erases, rig.Flash.Chip.Erases, "nothing erased");
            rig.AssertStagingUntouched();
        }

        [TestMethod]
        public void AnOlderImageIsRefusedAsADowngrade()
        {
            OtaRig rig = new OtaRig();
            rig.Policy.ActiveVersion = TestImages.Version(1, 5, 0);
            byte[] image = TestImages.Ota130();
            rig.Begin(image.Length, Chunk, false);
            rig.Chunk(image, Chunk, 0, false, false);
            rig.AssertAnswered("80", OtaImagePolicy.ReasonDowngrade, "chunk 0");
            AssertAborted(rig, OtaImagePolicy.ReasonDowngrade);
        }

        private static void AssertAborted(OtaRig rig, string reason)
        {
            Assert.AreEqual(OtaState.Idle, rig.Ota.State);
            Assert.AreEqual(reason, rig.Ota.LastAbortReason);
            Assert.AreEqual(1, rig.Ota.UpdatesAborted);
            Assert.IsFalse(rig.Broker.UpdatesPending, "user networking given back");
            Assert.IsFalse(rig.BootState.Read(), "no pending state");
            Assert.AreEqual(0, rig.Reboots.Requests);
            Assert.AreEqual("corefw/ota: aborted: " + reason, rig.Channel.LastEvent);
        }
    }
}
