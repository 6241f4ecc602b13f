using System;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Sst25
{
    /// <summary>The SST25VF016B driver (Drivers/Sst25/Sst25Flash) over the tests' part at its SPI interface (Support/Sst25Chip) and a real arbiter.</summary>
    [TestClass]
    public class Sst25FlashTests
    {
        [TestMethod]
        public void InitializeChecksTheIdAndClearsThePowerUpProtection()
        {
            FlashRig rig = new FlashRig();
            Assert.IsTrue(rig.Flash.IsInitialized);
            Assert.AreEqual(Sst25Flash.ExpectedJedecId, rig.Flash.ReadJedecId());
            Assert.AreEqual(0, rig.Flash.ReadStatus() & Sst25Status.BlockProtectMask, "block protection cleared");
            rig.AssertClean();
        }

        [TestMethod]
        public void AMissingPartIsRefusedAndNothingElseRuns()
        {
            Sst25Chip chip = new Sst25Chip();
            chip.Present = false;
            Sst25Flash flash = new Sst25Flash(chip, new CoreFirmware.Drivers.Spi.SpiBusArbiter(new ManualClock()), new ManualClock());
            Exception e = Assert.Throws(typeof(Sst25Exception), delegate { flash.Initialize(); });
            Assert.Contains("FFFFFF", e.Message);
            Assert.IsFalse(flash.IsInitialized);
            Assert.Throws(typeof(InvalidOperationException), delegate { flash.Read(0, new byte[4], 0, 4); });
            Assert.IsFalse(chip.IsSelected);
        }

        [TestMethod]
        public void ProgramReadsBackAtAnyAlignmentAndLengthInBothProgramModes()
        {
            FlashRig rig = new FlashRig();
            int[] addresses = { 0, 1, 255, 256, 4095, 0x1FFF00 };
            int[] lengths = { 1, 2, 3, 255, 256, 257, 600 };
            TestRandom random = new TestRandom(25);
            for (int mode = 0; mode < 2; mode++)
            {
                rig.Flash.UseAutoAddressIncrement = mode == 0;
                rig.Flash.UseHighSpeedRead = mode == 1;
                for (int a = 0; a < addresses.Length; a++)
                {
                    for (int l = 0; l < lengths.Length; l++)
                    {
                        int length = lengths[l];
                        if (addresses[a] + length > Sst25Flash.Capacity) continue;
                        byte[] data = random.NextBytes(length);
                        rig.Write(addresses[a], data);
                        string what = (mode == 0 ? "AAI" : "byte program") + " at " + addresses[a].ToString() + ", " + length.ToString() + " bytes";
                        Assert.AreEqual(data, rig.Peek(addresses[a], length), what + " (array)");
                        byte[] read = new byte[length + 2];
                        rig.Flash.Read(addresses[a], read, 1, length);
                        Assert.AreEqual(data, 0, read, 1, length, what + " (read)");
                        Assert.IsTrue(rig.Flash.Verify(addresses[a], data, 0, length), what + " (verify)");
                    }
                }
            }

            rig.AssertClean();
        }

        [TestMethod]
        public void ProgrammingOnlyClearsBitsAndVerifyFindsTheDifference()
        {
            FlashRig rig = new FlashRig();
            rig.Write(0x3000, new byte[] { 0x0F, 0xFF, 0x5A });
            rig.Flash.Program(0x3000, new byte[] { 0xF0, 0xFF, 0xFF }, 0, 3);
            Assert.AreEqual(new byte[] { 0x00, 0xFF, 0x5A }, rig.Peek(0x3000, 3));
            Assert.AreEqual(0x3000, rig.Flash.FindFirstMismatch(0x3000, new byte[] { 0xF0, 0xFF, 0x5A }, 0, 3));
            Assert.AreEqual(-1, rig.Flash.FindFirstMismatch(0x3001, new byte[] { 0xFF, 0x5A }, 0, 2));
        }

        [TestMethod]
        public void EraseRangeTakesTheLargestAlignedUnits()
        {
            FlashRig rig = new FlashRig();
            rig.Chip.Poke(0xF000, Bytes.Filled(16, 0), 0, 16);
            rig.Chip.Poke(0x2FFF0, Bytes.Filled(16, 0), 0, 16);
            rig.Chip.Poke(0x30000, Bytes.Filled(16, 0), 0, 16);
            int before = rig.Chip.Erases;
            rig.Flash.EraseRange(0xF000, 0x30000 - 0xF000);
            Assert.AreEqual(3, rig.Chip.Erases - before, "one sector, then two 64 KB blocks");
            Assert.IsTrue(rig.Flash.IsErased(0xF000, 0x21000));
            Assert.IsFalse(rig.Flash.IsErased(0x30000, 16), "the byte after the range is untouched");
            Assert.Throws(typeof(ArgumentException), delegate { rig.Flash.EraseRange(0x100, 4096); });
            Assert.Throws(typeof(ArgumentException), delegate { rig.Flash.EraseSector(0x1800); });
            Assert.Throws(typeof(ArgumentOutOfRangeException), delegate { rig.Flash.Read(Sst25Flash.Capacity - 2, new byte[4], 0, 4); });
            Assert.Throws(typeof(ArgumentOutOfRangeException), delegate { rig.Flash.Program(0, new byte[4], 2, 4); });
            rig.AssertClean();
        }

        [TestMethod]
        public void AStuckPartTimesOutNamingTheOperationAndFreesTheBus()
        {
            ManualClock clock = new ManualClock();
            clock.StepPerRead = 3;
            FlashRig rig = new FlashRig(new Sst25Chip(), clock);
            rig.Chip.StuckBusy = true;
            Exception e = Assert.Throws(typeof(Sst25TimeoutException), delegate { rig.Flash.Program(0x100, new byte[] { 1, 2 }, 0, 2); });
            Assert.AreEqual(0x100, ((Sst25TimeoutException)e).Address);
            rig.AssertClean();
            rig.Chip.StuckBusy = false;
            rig.Flash.Program(0x100, new byte[] { 1, 2 }, 0, 2);
            Assert.AreEqual(new byte[] { 1, 2 }, rig.Peek(0x100, 2), "the part works again once it is not busy");
        }

        [TestMethod]
        public void ABusTimeoutIsReportedAsSuchAndLeavesTheHolderAlone()
        {
            // nanoCLR gave an exception from a call right before a try to that try's finally (Tests/Nano/Repros):
            // the driver's "acquire; try { ... } finally { release }" then released a bus it never got, and the
            // caller saw "released by a thread that does not hold it" instead of the timeout.
            FlashRig rig = new FlashRig();
            rig.Flash.BusTimeoutMilliseconds = 20;
            Spi.BusHolder holder = new Spi.BusHolder(rig.Arbiter);
            holder.Hold();
            Assert.Throws(typeof(CoreFirmware.Drivers.Spi.SpiBusTimeoutException), delegate { rig.Flash.Read(0, new byte[4], 0, 4); });
            Assert.Throws(typeof(CoreFirmware.Drivers.Spi.SpiBusTimeoutException), delegate { rig.Flash.Program(0, new byte[2], 0, 2); });
            Assert.Throws(typeof(CoreFirmware.Drivers.Spi.SpiBusTimeoutException), delegate { rig.Flash.EraseSector(0); });
            Assert.Throws(typeof(CoreFirmware.Drivers.Spi.SpiBusTimeoutException), delegate { rig.Flash.ReadStatus(); });
            Assert.Throws(typeof(CoreFirmware.Drivers.Spi.SpiBusTimeoutException), delegate { rig.Flash.IsErased(0, 16); });
            Assert.IsTrue(rig.Arbiter.IsHeld, "the other thread still holds the bus");
            holder.Release();
            rig.AssertClean();
            Assert.IsTrue(rig.Flash.IsErased(0, 16), "the flash works once the bus is free");
        }

        [TestMethod]
        public void APowerCutMidProgramKeepsWhatWasWrittenAndTheNextPowerUpWorks()
        {
            FlashRig rig = new FlashRig();
            byte[] data = new TestRandom(9).NextBytes(256);
            long start = rig.Chip.OperationCount;
            rig.Chip.CutPowerAtOperation(start + 50, 50);
            Assert.Throws(typeof(PowerLostException), delegate { rig.Flash.Program(0x4000, data, 0, data.Length); });
            rig.Reboot();
            byte[] after = rig.Peek(0x4000, 256);
            // AAI programs two bytes per operation: 50 whole words, then half of word 50.
            Assert.AreEqual(data, 0, after, 0, 101, "the words before the cut");
            Assert.AreEqual(Bytes.Filled(155, 0xFF), Bytes.Slice(after, 101, 155), "nothing after the cut");
            rig.AssertClean();
            rig.Write(0x4000, data);
            Assert.AreEqual(data, rig.Peek(0x4000, 256), "erase and program again after the reboot");
        }
    }
}
