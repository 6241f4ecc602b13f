using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Boot;

namespace CoreFirmware.Nano.FirmwareTests.Boot
{
    /// <summary>The two-sector boot-state log (Ota/Boot/BootStateStore) on the SST25: round trips, alternation, wear, damage and power cuts.</summary>
    [TestClass]
    public class BootStateStoreTests
    {
        [TestMethod]
        public void FreshFlashReadsDefaultsThenStatesSurviveAPowerCycle()
        {
            FlashRig rig = new FlashRig();
            BootStateStore store = BootStates.Open(rig);
            BootStates.AssertSame(new BootState(), store.Read(), "fresh");
            Assert.AreEqual(0u, store.Sequence);
            Assert.AreEqual(-1, store.NewestSector);
            Assert.IsTrue(store.Write(BootStates.Numbered(1)));
            Assert.IsTrue(store.Write(BootStates.Numbered(2)));
            rig.Reboot();
            BootStateStore again = BootStates.Open(rig);
            BootStates.AssertSame(BootStates.Numbered(2), again.Read(), "after the power cycle");
            Assert.AreEqual(2u, again.Sequence);
            rig.AssertClean();
        }

        [TestMethod]
        public void WritesAlternateSectorsAndTheHighestValidSequenceWins()
        {
            FlashRig rig = new FlashRig();
            BootStateStore store = BootStates.Open(rig);
            for (int i = 1; i <= 5; i++)
            {
                Assert.IsTrue(store.Write(BootStates.Numbered(i)));
                Assert.AreEqual((i - 1) % 2, store.NewestSector, "write " + i.ToString());
                Assert.AreEqual((i - 1) / 2, store.NewestSlot, "write " + i.ToString());
            }

            // Damage the newest entry (sequence 5, sector A slot 2): the one before, in B, wins.
            rig.Flash.Program(rig.Map.BootStateA.Start + 2 * BootStateStore.EntrySize + 15, new byte[1], 0, 1);
            BootStateStore reader = BootStates.Open(rig);
            BootStates.AssertSame(BootStates.Numbered(4), reader.Read(), "with the newest damaged");
            Assert.AreEqual(1, reader.NewestSector);

            // The next write goes to A (B has the newest); A holds junk, so it is erased first.
            Assert.IsTrue(reader.Write(BootStates.Numbered(6)));
            Assert.AreEqual(1, reader.Erases);
            Assert.AreEqual(0, reader.NewestSlot);
            Assert.AreEqual(5u, reader.Sequence);
            BootStates.AssertSame(BootStates.Numbered(6), BootStates.Open(rig).Read(), "after the clean-up write");
        }

        [TestMethod]
        public void AFullSectorIsErasedOnlyWhenItsTurnComes()
        {
            FlashRig rig = new FlashRig();
            BootStateStore store = BootStates.Open(rig);
            int slots = store.SlotsPerSector;
            Assert.AreEqual(Sst25Flash.SectorSize / BootStateStore.EntrySize, slots);
            int erasesBefore = rig.Chip.Erases;
            for (int i = 1; i <= 2 * slots; i++) Assert.IsTrue(store.Write(BootStates.Numbered(i)));
            Assert.AreEqual(0, store.Erases, "both sectors filled by appending alone");
            Assert.AreEqual(erasesBefore, rig.Chip.Erases);
            byte[] b = rig.Peek(rig.Map.BootStateB.Start, Sst25Flash.SectorSize);
            Assert.IsTrue(store.Write(BootStates.Numbered(1000)));
            Assert.AreEqual(1, store.Erases, "A erased");
            Assert.AreEqual(0, store.NewestSector);
            Assert.AreEqual(0, store.NewestSlot);
            Assert.AreEqual(b, rig.Peek(rig.Map.BootStateB.Start, Sst25Flash.SectorSize), "B untouched while A was erased");
            BootStates.AssertSame(BootStates.Numbered(1000), BootStates.Open(rig).Read(), "after the wrap");
        }

        [TestMethod]
        public void APowerCutAnywhereInAWriteLeavesTheOldOrTheNewState()
        {
            int[] percents = { 0, 50 };
            for (int p = 0; p < percents.Length; p++)
            {
                for (int k = 0; k < 17; k++)
                {
                    FlashRig rig = new FlashRig();
                    BootStateStore store = BootStates.Open(rig);
                    for (int i = 1; i <= 3; i++) Assert.IsTrue(store.Write(BootStates.Numbered(i)));
                    rig.Chip.CutPowerAtOperation(rig.Chip.OperationCount + k, percents[p]);
                    bool cut = false;
                    try
                    {
                        store.Write(BootStates.Numbered(4));
                    }
                    catch (PowerLostException)
                    {
                        cut = true;
                    }

                    rig.Reboot();
                    string what = "cut in operation " + k.ToString() + " at " + percents[p].ToString() + "%";
                    BootState after = BootStates.Open(rig).Read();
                    Assert.IsTrue(after.SameAs(BootStates.Numbered(3)) || after.SameAs(BootStates.Numbered(4)), what + ": read " + after.ToString());
                    if (!cut) BootStates.AssertSame(BootStates.Numbered(4), after, what + " (no cut: the write completed)");
                    BootStateStore next = BootStates.Open(rig);
                    Assert.IsTrue(next.Write(BootStates.Numbered(5)), what + ": the next write");
                    BootStates.AssertSame(BootStates.Numbered(5), BootStates.Open(rig).Read(), what + ": the next write reads back");
                }
            }
        }

        [TestMethod]
        public void APowerCutInTheEraseOfAFullSectorKeepsTheNewestState()
        {
            FlashRig rig = new FlashRig();
            BootStateStore store = BootStates.Open(rig);
            for (int i = 1; i <= 2 * store.SlotsPerSector; i++) Assert.IsTrue(store.Write(BootStates.Numbered(i)));
            rig.Chip.CutPowerAtOperation(rig.Chip.OperationCount, 40); // the erase of A comes first
            Assert.Throws(typeof(PowerLostException), delegate { store.Write(BootStates.Numbered(999)); });
            rig.Reboot();
            BootStateStore reader = BootStates.Open(rig);
            BootStates.AssertSame(BootStates.Numbered(2 * store.SlotsPerSector), reader.Read(), "the newest, in B");
            Assert.IsTrue(reader.Write(BootStates.Numbered(999)));
            BootStates.AssertSame(BootStates.Numbered(999), BootStates.Open(rig).Read(), "after the torn erase");
        }

        [TestMethod]
        public void FieldsThatDoNotFitAreRefusedBeforeAnythingIsWritten()
        {
            FlashRig rig = new FlashRig();
            BootStateStore store = BootStates.Open(rig);
            BootState s = BootStates.Numbered(1);
            s.BootAttempts = 256;
            Assert.Throws(typeof(System.ArgumentOutOfRangeException), delegate { store.Write(s); });
            s = BootStates.Numbered(1);
            s.State = (BootImageState)7;
            Assert.Throws(typeof(System.ArgumentOutOfRangeException), delegate { store.Write(s); });
            s = BootStates.Numbered(1);
            s.PendingImageSize = -1;
            Assert.Throws(typeof(System.ArgumentOutOfRangeException), delegate { store.Write(s); });
            Assert.AreEqual(0L, rig.Chip.OperationCount);
        }
    }
}
