using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Nano.FirmwareTests.Image
{
    /// <summary>The header gate the OTA service applies to chunk 0 before anything is erased (OtaImagePolicy.CheckHeader).</summary>
    [TestClass]
    public class ImageHeaderGateTests
    {
        private const int Slot = SparkCoreFlashLayout.SlotSize;

        [TestMethod]
        public void AGoodHeaderPasses()
        {
            OtaImagePolicy policy = Policy(TestImages.Version(1, 0, 0));
            byte[] image = TestImages.Update110();
            Assert.IsNull(policy.CheckHeader(image, 0, image.Length, Slot));
            Assert.AreEqual(4500u, policy.Header.PayloadSize);
            Assert.IsNull(policy.CheckHeader(image, 0, image.Length, image.Length), "a slot exactly its size");
        }

        [TestMethod]
        public void AnotherBoardIsWrongBoard()
        {
            byte[] image = TestImages.Unsigned(1, 1, 0, 1000, SparkCoreBoard.ImageBoardId ^ 1);
            Assert.AreEqual(OtaImagePolicy.ReasonWrongBoard, Policy(0).CheckHeader(image, 0, image.Length, Slot));
        }

        [TestMethod]
        public void AnImageLargerThanTheSlotIsTooLarge()
        {
            byte[] image = TestImages.Unsigned(1, 1, 0, 5000, SparkCoreBoard.ImageBoardId);
            Assert.AreEqual(OtaImagePolicy.ReasonTooLarge, Policy(0).CheckHeader(image, 0, image.Length, 4096));
            // A header that claims a payload of 4 GB.
            image[20] = 0xFF;
            image[21] = 0xFF;
            image[22] = 0xFF;
            image[23] = 0xFF;
            Assert.AreEqual(OtaImagePolicy.ReasonTooLarge, Policy(0).CheckHeader(image, 0, image.Length, Slot));
        }

        [TestMethod]
        public void AnOlderVersionIsADowngradeUnlessAllowed()
        {
            byte[] image = TestImages.Update110();
            OtaImagePolicy policy = Policy(TestImages.Version(1, 2, 0));
            Assert.AreEqual(OtaImagePolicy.ReasonDowngrade, policy.CheckHeader(image, 0, image.Length, Slot));
            policy.AllowDowngrade = true;
            Assert.IsNull(policy.CheckHeader(image, 0, image.Length, Slot));
        }

        [TestMethod]
        public void TheRunningVersionIsRefusedUnlessAReinstallIsAsked()
        {
            byte[] image = TestImages.Update110();
            OtaImagePolicy policy = Policy(TestImages.Version(1, 1, 0));
            Assert.AreEqual(OtaImagePolicy.ReasonSameVersion, policy.CheckHeader(image, 0, image.Length, Slot));
            policy.ReinstallRequested = true;
            Assert.IsNull(policy.CheckHeader(image, 0, image.Length, Slot));
        }

        [TestMethod]
        public void AFileSizeThatDisagreesWithTheHeaderOrABadMagicIsABadImage()
        {
            byte[] image = TestImages.Update110();
            OtaImagePolicy policy = Policy(0);
            Assert.AreEqual(OtaImagePolicy.ReasonBadImage, policy.CheckHeader(image, 0, 32 + 4500, Slot), "no room for a trailer");
            Assert.AreEqual(OtaImagePolicy.ReasonBadImage, policy.CheckHeader(image, 0, image.Length + 300, Slot), "more than the largest trailer");
            byte[] bad = Bytes.Copy(image);
            bad[0] ^= 0x20;
            Assert.AreEqual(OtaImagePolicy.ReasonBadImage, policy.CheckHeader(bad, 0, bad.Length, Slot));
            byte[] shifted = Bytes.Concat(Bytes.Filled(7, 0), image);
            Assert.IsNull(policy.CheckHeader(shifted, 7, image.Length, Slot), "the header read at its offset");
        }

        private static OtaImagePolicy Policy(uint activeVersion)
        {
            return new OtaImagePolicy(TestImages.NewVerifier(), SparkCoreBoard.ImageBoardId, activeVersion);
        }
    }
}
