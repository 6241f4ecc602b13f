using CoreFirmware.Tests.Support;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Boot;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Sst25;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.Boot;

[Trait("Category", "BootState")]
public class BootStateStoreTests
{
    private readonly ITestOutputHelper _output;

    public BootStateStoreTests(ITestOutputHelper output) => _output = output;

    private static BootStateStore Open(Sst25TestRig rig)
    {
        var map = SparkCoreFlashLayout.Create();
        return new BootStateStore(rig.Flash, map.BootStateA, map.BootStateB);
    }

    /// <summary>A distinct state per <paramref name="i"/> that uses every field.</summary>
    private static BootState S(int i) => new()
    {
        State = (BootImageState)(i % 7),
        BootAttempts = i % 256,
        WatchdogResets = (i * 7) % 256,
        Flags = (i * 13) % 256,
        PendingImageSize = 1000 + i,
        PendingImageCrc = 0xA5000000u + (uint)i,
        InstallProgress = (i % 160) * 4096,
        ActiveVersion = 0x10000u + (uint)i,
        SecurityCounter = 0x8000u + (uint)i,
    };

    /// <summary>A format-1 entry ("CFBE", 32 bytes, no security counter) as the firmware before the counter wrote it.</summary>
    internal static byte[] Format1Entry(BootState s, uint sequence)
    {
        var e = new byte[BootStateStore.EntrySizeFormat1];
        CoreFirmware.Ota.Protocol.SparkMessages.WriteUInt32(e, 0, BootStateStore.MagicFormat1);
        CoreFirmware.Ota.Protocol.SparkMessages.WriteUInt32(e, 4, sequence);
        e[8] = (byte)s.State;
        e[9] = (byte)s.BootAttempts;
        e[10] = (byte)s.WatchdogResets;
        e[11] = (byte)s.Flags;
        CoreFirmware.Ota.Protocol.SparkMessages.WriteUInt32(e, 12, (uint)s.PendingImageSize);
        CoreFirmware.Ota.Protocol.SparkMessages.WriteUInt32(e, 16, s.PendingImageCrc);
        CoreFirmware.Ota.Protocol.SparkMessages.WriteUInt32(e, 20, (uint)s.InstallProgress);
        CoreFirmware.Ota.Protocol.SparkMessages.WriteUInt32(e, 24, s.ActiveVersion);
        CoreFirmware.Ota.Protocol.SparkMessages.WriteUInt32(e, 28, CoreFirmware.Ota.Protocol.Crc32.Compute(e, 0, 28));
        return e;
    }

    /// <summary>Writes format-1 entries for states 1..<paramref name="count"/> alternating the sectors, as the old store did.</summary>
    private static void WriteFormat1History(Sst25TestRig rig, int count)
    {
        var map = SparkCoreFlashLayout.Create();
        for (int i = 1; i <= count; i++)
        {
            int sector = (i - 1) % 2 == 0 ? map.BootStateA.Start : map.BootStateB.Start;
            int slot = (i - 1) / 2;
            BootState old = S(i);
            old.SecurityCounter = 0;
            rig.Flash.Program(sector + slot * BootStateStore.EntrySizeFormat1, Format1Entry(old, (uint)i), 0, BootStateStore.EntrySizeFormat1);
        }
    }

    private static void AssertSame(BootState expected, BootState actual, string because = "")
        => Assert.True(expected.SameAs(actual), $"{because} expected [{expected}] got [{actual}]");

    [Fact]
    public void FreshFlashReadsDefaultsThenRoundTripsAcrossAPowerCycle()
    {
        using var file = new TempFlashFile();
        using (var rig = Sst25TestRig.Started(file.Path))
        {
            var store = Open(rig);
            AssertSame(new BootState(), store.Read());
            Assert.Equal(BootImageState.None, store.Read().State);
            Assert.Equal(0u, store.Sequence);
            Assert.Equal(-1, store.NewestSector);

            Assert.True(store.Write(S(1)));
            AssertSame(S(1), Open(rig).Read());
            Assert.True(store.Write(S(2)));
            var again = Open(rig);
            AssertSame(S(2), again.Read());
            Assert.Equal(2u, again.Sequence);
            rig.AssertClean();
        }
        using (var rig = Sst25TestRig.Started(file.Path))
        {
            var store = Open(rig);
            AssertSame(S(2), store.Read());
            Assert.Equal(2u, store.Sequence);
            Assert.True(store.Write(S(3)));
            AssertSame(S(3), Open(rig).Read());
        }
    }

    [Fact]
    public void WritesAlternateSectorsAndTheHighestValidSequenceWins()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var map = SparkCoreFlashLayout.Create();
        var store = Open(rig);
        for (int i = 1; i <= 5; i++)
        {
            Assert.True(store.Write(S(i)));
            Assert.Equal((i - 1) % 2, store.NewestSector); // 1 -> A, 2 -> B, 3 -> A ...
            Assert.Equal((i - 1) / 2, store.NewestSlot);
        }

        // The newest (seq 5, A slot 2) is damaged: the previous one (seq 4, in B) wins.
        rig.Flash.Program(map.BootStateA.Start + 2 * BootStateStore.EntrySize + 15, new byte[1], 0, 1);
        var reader = Open(rig);
        AssertSame(S(4), reader.Read());
        Assert.Equal(4u, reader.Sequence);
        Assert.Equal(1, reader.NewestSector);

        // The next write goes to A again (B holds the newest): A is dirty, so it is erased first.
        Assert.True(reader.Write(S(6)));
        Assert.Equal(1, reader.Erases);
        Assert.Equal(0, reader.NewestSector);
        Assert.Equal(0, reader.NewestSlot);
        Assert.Equal(5u, reader.Sequence);
        AssertSame(S(6), Open(rig).Read());
        rig.AssertClean();
    }

    [Fact]
    public void AFullSectorIsErasedWhenItsTurnComesAndTheOtherKeepsTheNewest()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var map = SparkCoreFlashLayout.Create();
        var store = Open(rig);
        int slots = store.SlotsPerSector;
        Assert.Equal(Sst25Flash.SectorSize / BootStateStore.EntrySize, slots);
        long erasesBefore = rig.Model.SectorErases;
        for (int i = 1; i <= 2 * slots; i++) Assert.True(store.Write(S(i)));
        Assert.Equal(0, store.Erases); // both sectors filled by appending alone
        Assert.Equal(erasesBefore, rig.Model.SectorErases);
        Assert.Equal(1, store.NewestSector);
        Assert.Equal(slots - 1, store.NewestSlot);
        Assert.False(rig.Flash.IsErased(map.BootStateA.Start, Sst25Flash.SectorSize));

        // A is full and does not hold the newest: erase A, write at its slot 0; B is untouched.
        var bBefore = rig.Peek(map.BootStateB.Start, Sst25Flash.SectorSize);
        Assert.True(store.Write(S(1000)));
        Assert.Equal(1, store.Erases);
        Assert.Equal(erasesBefore + 1, rig.Model.SectorErases);
        Assert.Equal(0, store.NewestSector);
        Assert.Equal(0, store.NewestSlot);
        Assert.Equal((uint)(2 * slots + 1), store.Sequence);
        Assert.True(rig.Flash.IsErased(map.BootStateA.Start + BootStateStore.EntrySize, Sst25Flash.SectorSize - BootStateStore.EntrySize));
        Assert.Equal(bBefore, rig.Peek(map.BootStateB.Start, Sst25Flash.SectorSize));
        AssertSame(S(1000), Open(rig).Read());

        // Then B (full) gets its turn.
        Assert.True(store.Write(S(1001)));
        Assert.Equal(2, store.Erases);
        Assert.Equal(1, store.NewestSector);
        Assert.Equal(0, store.NewestSlot);
        AssertSame(S(1001), Open(rig).Read());
        rig.AssertClean();
    }

    [Fact]
    public void AFormatOneStateIsReadAndACutDuringTheFirstFormatTwoWriteLeavesOneOfThem()
    {
        using var baseFile = new TempFlashFile();
        const int history = 7; // newest in A (slot 3), the other sector holds 3 format-1 entries
        using (var rig = Sst25TestRig.Started(baseFile.Path))
        {
            WriteFormat1History(rig, history);
            var store = Open(rig);
            BootState read = store.Read();
            BootState expected = S(history);
            expected.SecurityCounter = 0;
            AssertSame(expected, read, "a format-1 entry reads with a security counter of 0:");
            Assert.Equal((uint)history, store.Sequence);
            Assert.Equal(0, store.NewestSector);
        }

        // Dry run of the first format-2 write: it erases B (format-1 entries are nothing to append to) and programs.
        long operations;
        using (var file = new TempFlashFile())
        {
            File.Copy(baseFile.Path, file.Path, overwrite: true);
            using var rig = Sst25TestRig.Started(file.Path);
            var store = Open(rig);
            long start = rig.Model.OperationCount;
            Assert.True(store.Write(S(100)));
            operations = rig.Model.OperationCount - start;
            Assert.Equal(1, store.Erases);
            Assert.Equal(1, store.NewestSector);
            AssertSame(S(100), Open(rig).Read());
        }

        BootState old = S(history);
        old.SecurityCounter = 0;
        int sawOld = 0, sawNew = 0;
        for (long k = 0; k < operations; k++)
        foreach (double fraction in new[] { 0.0, 0.5, 1.0 })
        {
            using var file = new TempFlashFile();
            File.Copy(baseFile.Path, file.Path, overwrite: true);
            using (var rig = Sst25TestRig.Started(file.Path))
            {
                var store = Open(rig);
                rig.Model.CutPowerAtOperation(rig.Model.OperationCount + k, fraction);
                Assert.ThrowsAny<Sst25Exception>(() => store.Write(S(100)));
            }
            using (var rig = Sst25TestRig.Started(file.Path))
            {
                var store = Open(rig);
                BootState read = store.Read();
                if (read.SameAs(old)) sawOld++;
                else
                {
                    AssertSame(S(100), read, $"cut at operation {k} x {fraction}:");
                    sawNew++;
                }

                Assert.True(store.Write(S(101)));
                AssertSame(S(101), Open(rig).Read());
            }
        }

        _output.WriteLine($"format-1 to format-2 write: {operations} operations x 3 tears; read old {sawOld}, new {sawNew}");
        Assert.True(sawOld > 0 && sawNew > 0);
    }

    [Fact]
    public void AnEntryWithAReservedByteSetIsNotValid()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var map = SparkCoreFlashLayout.Create();
        var store = Open(rig);
        Assert.True(store.Write(S(1)));
        Assert.True(store.Write(S(2)));   // B slot 0
        // Rewrite B's entry with a reserved byte set and a CRC that matches: still refused.
        byte[] entry = rig.Peek(map.BootStateB.Start, BootStateStore.EntrySize);
        entry[40] = 0x01;
        CoreFirmware.Ota.Protocol.SparkMessages.WriteUInt32(entry, 60, CoreFirmware.Ota.Protocol.Crc32.Compute(entry, 0, 60));
        rig.Flash.EraseSector(map.BootStateB.Start);
        rig.Flash.Program(map.BootStateB.Start, entry, 0, entry.Length);
        AssertSame(S(1), Open(rig).Read());
    }

    [Fact]
    public void OutOfRangeFieldsAreRefused()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var store = Open(rig);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Write(new BootState { BootAttempts = 256 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Write(new BootState { WatchdogResets = 256 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Write(new BootState { Flags = 256 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Write(new BootState { PendingImageSize = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Write(new BootState { State = (BootImageState)9 }));
        Assert.Equal(0u, store.Read().ActiveVersion);
    }

    [Fact]
    public void SteadyStateWriteAndReadAllocateNothing()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var store = Open(rig);
        var states = new BootState[8];
        for (int i = 0; i < states.Length; i++) states[i] = S(i + 1);
        for (int i = 0; i < 20; i++) { store.Write(states[i % 8]); store.Read(); } // warm-up
        // Up to 3 passes (Support/Allocations): the runtime now and then charges a few KB to a test thread under parallel load.
        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 300; i++) // crosses both sectors' erase points
            {
                store.Write(states[i % 8]);
                store.Read();
            }
        });
        Assert.Equal(0L, allocated);
        Assert.True(store.Erases >= 2);
    }

    /// <summary>
    /// The power-cut sweep. Setup: enough writes that both sectors are nearly full. Workload:
    /// <see cref="WorkloadWrites"/> more writes, which cross the erase of both sectors. A dry run
    /// counts the workload's flash operations (programs and erases, as the model counts them) and
    /// where each write ends; then for every operation index k the workload is replayed on a copy
    /// of the set-up image with the power cut at k (the model tears that operation). After the
    /// reboot the store must read exactly the state before the interrupted write or the state it
    /// was writing (never junk, never anything older), and a further write must work.
    /// </summary>
    private const int SetupWrites = 250;
    private const int WorkloadWrites = 12;

    [Fact]
    public void PowerCutAtEveryFlashOperationLeavesTheOldOrTheNewState()
    {
        using var baseFile = new TempFlashFile();
        using (var rig = Sst25TestRig.Started(baseFile.Path))
        {
            var store = Open(rig);
            for (int i = 1; i <= SetupWrites; i++) Assert.True(store.Write(S(i)));
        }

        // Dry run: operations of the workload and the operation count at the end of each write.
        var ends = new long[WorkloadWrites];
        long operations;
        using (var file = new TempFlashFile())
        {
            File.Copy(baseFile.Path, file.Path, overwrite: true);
            using var rig = Sst25TestRig.Started(file.Path);
            var store = Open(rig);
            long start = rig.Model.OperationCount;
            for (int j = 0; j < WorkloadWrites; j++)
            {
                Assert.True(store.Write(S(SetupWrites + 1 + j)));
                ends[j] = rig.Model.OperationCount - start;
            }
            operations = rig.Model.OperationCount - start;
            Assert.Equal(2, store.Erases); // the workload crosses both sectors' erase
        }

        // Each operation is torn three ways: not started, half done, done (power lost just after).
        double[] fractions = { 0.0, 0.5, 1.0 };
        int sawOld = 0, sawNew = 0, cuts = 0;
        for (long k = 0; k < operations; k++)
        foreach (double fraction in fractions)
        {
            cuts++;
            int interrupted = 0;
            while (ends[interrupted] <= k) interrupted++;
            BootState oldState = S(SetupWrites + interrupted), newState = S(SetupWrites + 1 + interrupted);
            uint oldSequence = (uint)(SetupWrites + interrupted);

            using var file = new TempFlashFile();
            File.Copy(baseFile.Path, file.Path, overwrite: true);
            using (var rig = Sst25TestRig.Started(file.Path))
            {
                var store = Open(rig);
                rig.Model.CutPowerAtOperation(rig.Model.OperationCount + k, fraction);
                Assert.ThrowsAny<Sst25Exception>(() =>
                {
                    for (int j = 0; j < WorkloadWrites; j++) store.Write(S(SetupWrites + 1 + j));
                });
                Assert.Equal(1, rig.Model.PowerCuts);
                rig.AssertClean();
            }
            using (var rig = Sst25TestRig.Started(file.Path))
            {
                var store = Open(rig);
                BootState read = store.Read();
                if (read.SameAs(oldState))
                {
                    Assert.Equal(oldSequence, store.Sequence);
                    sawOld++;
                }
                else
                {
                    AssertSame(newState, read, $"cut at operation {k} x {fraction} (write {interrupted + 1} of {WorkloadWrites}):");
                    Assert.Equal(oldSequence + 1, store.Sequence);
                    sawNew++;
                }

                // Life goes on: two more writes (the first may have to clean a torn sector).
                Assert.True(store.Write(S(5000)));
                Assert.True(store.Write(S(5001)));
                rig.AssertClean();
            }
            using (var rig = Sst25TestRig.Started(file.Path))
            {
                AssertSame(S(5001), Open(rig).Read(), $"after the cut at {k} x {fraction}:");
            }
        }

        _output.WriteLine($"power-cut sweep: {operations} operations x {fractions.Length} tear fractions = {cuts} cut points over {WorkloadWrites} writes ({SetupWrites} set-up writes); read old {sawOld}, new {sawNew}");
        Assert.True(operations >= WorkloadWrites * 2);
        Assert.True(sawOld > 0 && sawNew > 0);
    }
}

[Trait("Category", "BootState")]
public class BootStateRecordOverStoreTests
{
    [Fact]
    public void TheOtaServiceViewWorksOverTheStoreAndKeepsTheActiveVersion()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var map = SparkCoreFlashLayout.Create();
        var store = new BootStateStore(rig.Flash, map.BootStateA, map.BootStateB);
        Assert.True(store.Write(new BootState { State = BootImageState.Confirmed, ActiveVersion = 7 }));
        var record = new BootStateRecord(store);
        Assert.False(record.Read());
        Assert.Equal(BootImageState.None, record.State);

        Assert.True(record.WritePending(12345, 0xDEADBEEF));
        var again = new BootStateRecord(new BootStateStore(rig.Flash, map.BootStateA, map.BootStateB));
        Assert.True(again.Read());
        Assert.Equal(BootImageState.Pending, again.State);
        Assert.Equal(12345, again.ImageSize);
        Assert.Equal(0xDEADBEEFu, again.ImageCrc);
        Assert.Equal(2u, again.Sequence);
        Assert.Equal(7u, store.Read().ActiveVersion);

        record.Erase();
        Assert.False(again.Read());
        Assert.Equal(BootImageState.None, store.Read().State);
        Assert.Equal(7u, store.Read().ActiveVersion);
        Assert.Equal(3u, store.Sequence);
        rig.AssertClean();
    }
}
