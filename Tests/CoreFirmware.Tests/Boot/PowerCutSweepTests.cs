using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Sst25;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.PowerCut;
using CoreFirmware.Virtual.Sst25;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.Boot;

/// <summary>
/// Issue 5's headline proof, in the manner of MCUboot's simulator: a dry run counts every flash
/// operation of a full update (OTA staging writes, the Pending write, the bootloader's backup copy,
/// install copy with progress writes, Testing write, confirm); then the power is cut inside every one
/// of them (a seeded sample of 2000 when there are more) and the board must boot the old or the new
/// image intact and then take another OTA. See nf-targets/Virtual/PowerCut/PowerCutSweep.cs.
/// </summary>
[Trait("Category", "PowerCutSweep")]
public class PowerCutSweepTests
{
    private static readonly ECDsa Key = ImageSigner.GenerateKey();
    private readonly ITestOutputHelper _output;

    public PowerCutSweepTests(ITestOutputHelper output) => _output = output;

    private static PowerCutSweepOptions Options(ISweepBootStep step) => new()
    {
        ImageKb = 16,
        BootStep = step,
        Key = Key,
        Signer = (payload, major, minor, revision) =>
            ImageSigner.Sign(payload, new ImageVersion(major, minor, revision, 0), SparkCoreBoard.ImageBoardId, Key),
    };

    [Fact]
    public void ACutAtEveryFlashOperationOfAFullUpdateNeverBricksTheBoard()
    {
        var result = new PowerCutSweep(Options(new BootloaderStep())).Run();
        _output.WriteLine(result.Summary());

        Assert.True(result.Operations >= 200, "a 16 KB update is a few hundred flash operations");
        // Every part of the update is in the sequence.
        Assert.Contains(result.DryRun, op => op.Part == FlashPart.Internal && op.IsErase);
        Assert.Contains(result.DryRun, op => op.Part == FlashPart.External && op.IsErase);
        Assert.Contains(result.DryRun, op => op.Part == FlashPart.External && op.Steps > 100); // an AAI program transaction
        Assert.Contains("backup", result.Breakdown());
        var map = SparkCoreFlashLayout.Create();
        Assert.Contains(result.DryRun, op => op.Part == FlashPart.External && op.IsErase
            && (op.Address == map.BootStateA.Start || op.Address == map.BootStateB.Start)); // the store's sector erase (BootStateHistory)

        Assert.True(result.CutPoints >= Math.Min(result.Operations, 2000), $"{result.CutPoints} cut points for {result.Operations} operations");
        Assert.Equal(0, result.Diverged);
        Assert.Equal(0, result.CutsMissed);
        Assert.True(result.BootsOld > 0 && result.BootsNew > 0, "cuts before the Pending write boot the old image, cuts after it the new one");
        Assert.True(result.Bricks == 0, result.Summary());
        Assert.Equal(result.CutPoints, result.BootsOld + result.BootsNew);
        // Every cut, the counter's updates (first boot, confirm) included, left the counter right and enforced.
        Assert.Equal(result.CutPoints, result.CounterHeld);
    }

    /// <summary>The negative run: an installer that consumes the request first and keeps no backup
    /// or progress must be caught by the same sweep.</summary>
    [Fact]
    public void TheSweepCatchesAnUnsafeInstaller()
    {
        var result = new PowerCutSweep(Options(new UnsafeInstallStep())).Run();
        _output.WriteLine(result.Summary());

        Assert.Equal(0, result.Diverged);
        Assert.Equal(0, result.CutsMissed);
        Assert.True(result.Bricks > 0, "the unsafe installer must brick when cut inside its copy");
        // Every cut inside the application-slot copy bricks it.
        int copyOps = result.DryRun.Count(op => op.Part == FlashPart.Internal);
        Assert.True(result.Bricks >= copyOps, $"{result.Bricks} bricks, {copyOps} copy operations");
    }

    [Fact]
    public void ASampleKeepsBothEndsAndIsSeeded()
    {
        long[] a = PowerCutSweep.SampleCutPoints(5000, 2000, 50, 7);
        long[] b = PowerCutSweep.SampleCutPoints(5000, 2000, 50, 7);
        Assert.Equal(2000, a.Length);
        Assert.Equal(a, b);
        Assert.Equal(a.Length, a.Distinct().Count());
        for (long i = 0; i < 50; i++)
        {
            Assert.Contains(i, a);
            Assert.Contains(4999 - i, a);
        }
        Assert.All(a, k => Assert.InRange(k, 0, 4999));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), PowerCutSweep.SampleCutPoints(300, 2000, 50, 7));
    }

    [Fact]
    public void ThePlanCountsDriverLevelOperationsAcrossBothParts()
    {
        using var file = new TempFlashFile();
        var plan = new PowerCutPlan();
        using var rig = new PlanRig(file.Path, plan);
        var data = new byte[1000];
        new Random(3).NextBytes(data);

        rig.Flash.EraseSector(0x20000);                 // 1 operation
        rig.Flash.Program(0x20001, data, 0, data.Length); // chunks 0x20001-0x200FF, -0x201FF, -0x202FF, -0x203E8: 4 transactions
        rig.InternalView.ErasePage(0);                   // 1
        rig.InternalView.Program(0, data, 0, 256);       // 1
        rig.Flash.Read(0x20000, new byte[64], 0, 64);    // reads are not operations

        Assert.Equal(7, plan.Operations.Count);
        Assert.True(plan.Operations[0].IsErase);
        Assert.Equal(FlashPart.External, plan.Operations[1].Part);
        Assert.Equal(0x20001, plan.Operations[1].Address);
        Assert.Equal(1 + 127, plan.Operations[1].Steps); // an odd first byte by byte program, then 127 AAI words
        Assert.Equal(128, plan.Operations[2].Steps);
        Assert.Equal(FlashPart.Internal, plan.Operations[5].Part);
        Assert.True(plan.Operations[5].IsErase);
        Assert.Equal(0, plan.Operations[5].Address);
        Assert.Equal(256, plan.Operations[6].Length);
        Assert.Equal(data, rig.Model.PeekBytes(0x20001, data.Length));
    }

    [Fact]
    public void ACutInsideAnAaiSequenceTearsItAndStopsTheBoard()
    {
        using var file = new TempFlashFile();
        var dry = new PowerCutPlan();
        using (var rig = new PlanRig(file.Path, dry))
        {
            rig.Flash.EraseSector(0x20000);
            rig.Flash.Program(0x20000, new byte[256], 0, 256);
        }

        var plan = new PowerCutPlan(1, 5, dry.Operations);
        using (var rig = new PlanRig(file.Path, plan))
        {
            rig.Flash.EraseSector(0x20000);
            Assert.Throws<PowerLossException>(() => rig.Flash.Program(0x20000, new byte[256], 0, 256));
            Assert.True(plan.CutHappened);
            Assert.False(plan.BoardPowered);
            Assert.False(rig.Model.IsPowered);
            Assert.False(rig.Internal.IsPowered); // the other part lost power too
            Assert.Throws<PowerLossException>(() => rig.Internal.ErasePage(0));
            Assert.Throws<PowerLossException>(() => rig.Flash.Read(0, new byte[4], 0, 4));
            Assert.False(plan.Diverged);
            Assert.Contains("of 128", plan.CutDescription);

            // Part done: some zero words at the start, the rest still erased.
            byte[] after = rig.Model.PeekBytes(0x20000, 256);
            Assert.Contains(after, b => b == 0xFF);
            plan.PowerOn();
            Assert.True(rig.Model.IsPowered && rig.Internal.IsPowered);
        }
    }

    [Fact]
    public void TheRunnersSignerMakesImagesTheCloudVerifies()
    {
        var image = SweepImages.HostSigner(Key)(new byte[3000], 1, 2, 3);
        Assert.Equal(ImageVerifyResult.Ok, ImageSigner.Verify(image, Key, SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize));
        Assert.Equal(ImageSigner.PublicKeyPoint(Key), SweepImages.PointOf(Key));
    }

    /// <summary>An SST25 driver and an internal flash, both watched by a plan.</summary>
    private sealed class PlanRig : IDisposable
    {
        public PlanRig(string path, PowerCutPlan plan)
        {
            var test = new Sst25TestRig(path);
            Rig = test;
            Model = test.Model;
            Internal = new VirtualInternalFlash(64 * 1024);
            plan.Attach(Model);
            plan.Attach(Internal);
            var device = plan.PowerSwitch(test.Device);
            Flash = new CoreFirmware.Drivers.Sst25.Sst25Flash(device, plan.ObserveArbiter(test.Arbiter), test.Clock);
            Flash.Initialize();
            InternalView = plan.ObserveInternalFlash(Internal);
            Plan = plan;
        }

        public Sst25TestRig Rig { get; }
        public Sst25Model Model { get; }
        public VirtualInternalFlash Internal { get; }
        public IInternalFlash InternalView { get; }
        public CoreFirmware.Drivers.Sst25.Sst25Flash Flash { get; }
        public PowerCutPlan Plan { get; }

        public void Dispose()
        {
            Plan.Dispose();
            Rig.Dispose();
        }
    }
}

internal static class Sst25ModelPeek
{
    public static byte[] PeekBytes(this Sst25Model model, int address, int count)
    {
        var b = new byte[count];
        model.Peek(address, b);
        return b;
    }
}
