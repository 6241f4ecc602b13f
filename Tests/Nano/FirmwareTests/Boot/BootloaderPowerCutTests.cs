using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Boot;

namespace CoreFirmware.Nano.FirmwareTests.Boot
{
    /// <summary>
    /// Power cuts during an install, in the external flash (backup copy, boot-state writes) and in the
    /// application slot (page erases and programs): the boots that follow always end running a whole
    /// image, the new one once the install resumed to its end. The images' hashes are checked but not
    /// their signatures here (YesCrypto): the cuts are about the copy, and the sweep boots many times;
    /// BootloaderTests covers the signature.
    /// </summary>
    [TestClass]
    public class BootloaderPowerCutTests
    {
        private const int CutsPerPart = 7;

        [TestMethod]
        public void CutsInTheExternalFlashResumeToTheNewImage()
        {
            long[] total = CountInstallOperations();
            for (int j = 1; j <= CutsPerPart; j++)
            {
                long k = total[0] * j / (CutsPerPart + 1);
                BootRig rig = Prepared();
                rig.Flash.Chip.CutPowerAtOperation(rig.Flash.Chip.OperationCount + k, 50);
                AssertInstallCompletes(rig, "external flash operation " + k.ToString() + " of " + total[0].ToString());
            }
        }

        [TestMethod]
        public void CutsInTheApplicationSlotResumeToTheNewImage()
        {
            long[] total = CountInstallOperations();
            for (int j = 1; j <= CutsPerPart; j++)
            {
                long k = total[1] * j / (CutsPerPart + 1);
                BootRig rig = Prepared();
                rig.App.CutPowerAtOperation(rig.App.OperationCount + k, 30);
                AssertInstallCompletes(rig, "application slot operation " + k.ToString() + " of " + total[1].ToString());
            }
        }

        // A board running the factory image with Update110 pending.
        private static BootRig Prepared()
        {
            BootRig rig = new BootRig(new YesCrypto());
            rig.WriteSlot(rig.Map.Factory, TestImages.Factory100());
            Assert.IsTrue(rig.Boot().RunApplication, "factory install");
            rig.StageAndPend(TestImages.Update110());
            return rig;
        }

        // Operations one uncut install takes: [0] external flash, [1] application slot.
        private static long[] CountInstallOperations()
        {
            BootRig rig = Prepared();
            long flash = rig.Flash.Chip.OperationCount;
            long app = rig.App.OperationCount;
            BootDecision d = rig.Boot();
            Assert.IsTrue(d.TestBoot, "the uncut install: " + d.Reason);
            long[] total = new long[2];
            total[0] = rig.Flash.Chip.OperationCount - flash;
            total[1] = rig.App.OperationCount - app;
            Assert.IsTrue(total[0] > CutsPerPart && total[1] > CutsPerPart, "enough operations to cut");
            return total;
        }

        private static void AssertInstallCompletes(BootRig rig, string what)
        {
            byte[] update = TestImages.Update110();
            int cuts = 0;
            BootDecision d = null;
            for (int boot = 0; boot < 4 && d == null; boot++)
            {
                try
                {
                    d = rig.Boot();
                }
                catch (PowerLostException)
                {
                    cuts++;
                    rig.Flash.Reboot();
                    rig.App.PowerOn();
                }
            }

            Assert.AreEqual(1, cuts, what + ": the cut happened once");
            Assert.IsNotNull(d, what + ": a boot decided");
            Assert.IsTrue(d.RunApplication, what + ": " + d.Reason);
            Assert.IsTrue(d.TestBoot, what + ": the new image boots in test mode");
            Assert.AreEqual(TestImages.Version(1, 1, 0), d.ActiveVersion, what);
            rig.AssertRunning(update, what);
            rig.AssertSlot(rig.Map.Backup, TestImages.Factory100(), what + ": backup");
        }
    }
}
