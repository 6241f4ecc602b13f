using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Crypto;
using CoreFirmware.Ota.Image;

namespace CoreFirmware.Nano.FirmwareTests.Boot
{
    /// <summary>
    /// The bootloader's decisions (Ota/Boot/BOOT-DESIGN.md) on the device's own crypto: factory
    /// install, install with backup, test boot, rollback when not confirmed or after watchdog resets,
    /// factory fallback, refused staged images, safe mode.
    /// </summary>
    [TestClass]
    public class BootloaderTests
    {
        private BootRig _rig;
        private byte[] _factory;

        [Setup]
        public void Manufacture()
        {
            _rig = new BootRig(new ManagedImageCrypto());
            _factory = TestImages.Factory100();
        }

        [TestMethod]
        public void AnEmptyBoardBootsIntoSafeMode()
        {
            BootDecision d = _rig.Boot();
            Assert.IsFalse(d.RunApplication);
            Assert.Contains("no valid image", d.Reason);
        }

        [TestMethod]
        public void TheFirstBootInstallsTheFactoryImageConfirmedAndTheNextJustRunsIt()
        {
            _rig.WriteSlot(_rig.Map.Factory, _factory);
            BootDecision d = _rig.Boot();
            Assert.IsTrue(d.RunApplication, d.Reason);
            Assert.IsFalse(d.TestBoot);
            Assert.AreEqual(1, d.FactoryRestores);
            Assert.AreEqual(TestImages.Version(1, 0, 0), d.ActiveVersion);
            Assert.AreEqual(ImageFormat.HeaderSize, d.PayloadOffset);
            Assert.AreEqual(3000, d.PayloadSize);
            _rig.AssertRunning(_factory, "factory");
            Assert.AreEqual(BootImageState.Confirmed, _rig.State().State);

            BootDecision again = _rig.Boot();
            Assert.IsTrue(again.RunApplication);
            Assert.AreEqual(0, again.Installs + again.Rollbacks + again.FactoryRestores);
        }

        [TestMethod]
        public void APendingImageIsInstalledForATestBootWithTheOldOneBackedUp()
        {
            _rig.WriteSlot(_rig.Map.Factory, _factory);
            _rig.Boot();
            byte[] update = TestImages.Update110();
            _rig.StageAndPend(update);
            BootDecision d = _rig.Boot();
            Assert.IsTrue(d.RunApplication, d.Reason);
            Assert.IsTrue(d.TestBoot);
            Assert.AreEqual(1, d.Installs);
            Assert.AreEqual(TestImages.Version(1, 1, 0), d.ActiveVersion);
            _rig.AssertRunning(update, "installed");
            _rig.AssertSlot(_rig.Map.Backup, _factory, "the running image was backed up");
            Assert.AreEqual(BootImageState.Testing, _rig.State().State);

            // The image confirms itself: later boots run it as confirmed.
            BootState s = _rig.State();
            s.State = BootImageState.Confirmed;
            _rig.WriteState(s);
            BootDecision next = _rig.Boot();
            Assert.IsTrue(next.RunApplication);
            Assert.IsFalse(next.TestBoot);
            Assert.AreEqual(TestImages.Version(1, 1, 0), next.ActiveVersion);
        }

        [TestMethod]
        public void ATestImageThatDoesNotConfirmIsRolledBackAtTheNextBoot()
        {
            _rig.WriteSlot(_rig.Map.Factory, _factory);
            _rig.Boot();
            _rig.StageAndPend(TestImages.Update110());
            Assert.IsTrue(_rig.Boot().TestBoot);
            BootDecision d = _rig.Boot();
            Assert.IsTrue(d.RunApplication, d.Reason);
            Assert.IsFalse(d.TestBoot);
            Assert.AreEqual(1, d.Rollbacks);
            Assert.Contains("not confirmed", d.Reason);
            Assert.AreEqual(TestImages.Version(1, 0, 0), d.ActiveVersion);
            _rig.AssertRunning(_factory, "rolled back");
            Assert.AreEqual(BootImageState.Confirmed, _rig.State().State);
        }

        [TestMethod]
        public void WatchdogResetsOfATestImageRollItBackAtTheLimit()
        {
            _rig.WriteSlot(_rig.Map.Factory, _factory);
            _rig.Boot();
            _rig.StageAndPend(TestImages.Update110());
            Assert.IsTrue(_rig.Boot().TestBoot);
            _rig.Watchdog.WatchdogCausedReset = true;
            for (int reset = 1; reset < Bootloader.DefaultMaxTestWatchdogResets; reset++)
            {
                BootDecision test = _rig.Boot();
                Assert.IsTrue(test.TestBoot, "watchdog reset " + reset.ToString() + ": " + test.Reason);
                Assert.IsTrue(test.WatchdogReset);
                Assert.AreEqual(reset, _rig.State().WatchdogResets);
            }

            BootDecision d = _rig.Boot();
            Assert.IsFalse(d.TestBoot);
            Assert.AreEqual(1, d.Rollbacks);
            Assert.Contains("watchdog", d.Reason);
            _rig.AssertRunning(_factory, "rolled back after watchdog resets");
        }

        [TestMethod]
        public void AStagedImageThatDoesNotVerifyIsNeverInstalled()
        {
            _rig.WriteSlot(_rig.Map.Factory, _factory);
            _rig.Boot();
            byte[] forged = TestImages.Update110();
            forged[ImageFormat.HeaderSize + 100] ^= 0x01;
            _rig.StageAndPend(forged);
            BootDecision d = _rig.Boot();
            Assert.IsTrue(d.RunApplication, d.Reason);
            Assert.AreEqual(0, d.Installs);
            Assert.Contains("staged image refused: bad hash", d.Reason);
            _rig.AssertRunning(_factory, "still the factory image");
            Assert.AreEqual(BootImageState.None, _rig.State().State);

            byte[] foreign = TestImages.SignedByAnotherKey(false);
            _rig.StageAndPend(foreign);
            d = _rig.Boot();
            Assert.Contains("staged image refused: bad signature", d.Reason);
            _rig.AssertRunning(_factory, "still the factory image");
        }

        [TestMethod]
        public void ADamagedApplicationWithoutABackupComesBackFromTheFactorySlot()
        {
            _rig.WriteSlot(_rig.Map.Factory, _factory);
            _rig.Boot();
            _rig.App.ErasePage(1024); // the application slot loses a page
            BootDecision d = _rig.Boot();
            Assert.IsTrue(d.RunApplication, d.Reason);
            Assert.AreEqual(1, d.FactoryRestores);
            Assert.Contains("application slot does not verify", d.Reason);
            _rig.AssertRunning(_factory, "restored");
        }
    }
}
