using System.Diagnostics;
using System.Security.Cryptography;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Virtual.PowerCut;

/// <summary>
/// The power-cut sweep over a whole update, in the manner of MCUboot's simulator (issue 5).
/// </summary>
/// <remarks>
/// <para>Start: 1.0.0 installed in the application slot and confirmed in the boot state (nothing in
/// staging or backup; the factory slot empty unless <see cref="PowerCutSweepOptions.FactoryImage"/>;
/// the boot-state sectors nearly full, <see cref="PowerCutSweepOptions.BootStateHistory"/>).
/// A full update: boot (bootloader), OTA of 1.1.0 into staging (UpdateBegin, chunks, UpdateDone:
/// erases, programs, the Pending write), reboot, bootloader (backup copy, Installing, install copy
/// with progress writes, Testing), confirm (DeploymentControl).</para>
/// <para>A dry run counts that update's flash operations (<see cref="PowerCutPlan"/>: one erase or
/// one program call at the driver level, both parts in one sequence). Then for each operation index
/// (all of them, or a seeded sample of <see cref="PowerCutSweepOptions.MaxPoints"/> that always holds
/// the first and last <see cref="PowerCutSweepOptions.AlwaysIncluded"/>) the starting contents are
/// restored, the update runs until the power is cut inside that operation, both parts are powered
/// back on and the board boots (more than once while the boot state says a copy is under way). The
/// run passes when the application slot verifies and is byte for byte the old or the new image, the
/// boot state agrees with it, the security counter is what the recovered image calls for (1.1.0
/// once its confirm is durable, else 1.0.0: the first boot raises it from 0 and the confirm raises it
/// again, both writes are in the dry run) and refuses an image just below it even with downgrades
/// otherwise allowed, and a complete second OTA (1.2.0) then installs, test-boots, confirms and boots
/// as confirmed with the counter at 1.2.0. Anything else (no valid image, an exception after power is
/// back, a counter lowered or lost, the second OTA not landing) is a brick.</para>
/// </remarks>
public sealed class PowerCutSweep
{
    private readonly PowerCutSweepOptions _options;
    private readonly ISweepBootStep _step;
    private SweepImages _images = null!;
    private SweepOtaTransfer _update = null!;
    private SweepOtaTransfer _second = null!;
    private SweepOtaTransfer _oldProbe = null!;
    private SweepOtaTransfer _olderProbe = null!;
    private byte[] _baseExternal = null!;
    private byte[] _baseInternal = null!;

    public PowerCutSweep(PowerCutSweepOptions options)
    {
        _options = options;
        _step = options.BootStep;
    }

    /// <summary>Runs the dry run and every cut point.</summary>
    /// <exception cref="InvalidOperationException">The update fails without any power cut (the harness or the firmware is broken).</exception>
    public PowerCutSweepResult Run()
    {
        var clock = Stopwatch.StartNew();
        using ECDsa ownKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ECDsa key = _options.Key ?? ownKey;
        _images = new SweepImages(_options.ImageKb, _options.Signer ?? SweepImages.HostSigner(key), SweepImages.PointOf(key));
        _update = new SweepOtaTransfer(_images.New);
        _second = new SweepOtaTransfer(_images.Second);
        _oldProbe = new SweepOtaTransfer(_images.Old);
        _olderProbe = new SweepOtaTransfer(_images.Older);
        int lanes = Math.Max(1, _options.Parallelism);
        var pool = new System.Collections.Concurrent.ConcurrentBag<Lane>();
        var all = new List<Lane>();
        try
        {
            for (int i = 0; i < lanes; i++)
            {
                var lane = new Lane(_options.WorkDirectory, _images.PublicKeyPoint);
                all.Add(lane);
                pool.Add(lane);
            }

            Manufacture(all[0]);
            var dry = DryRun(all[0]);
            var result = new PowerCutSweepResult
            {
                BootStep = _step.Name,
                ImageSizes = new[] { _images.Old.Length, _images.New.Length, _images.Second.Length },
                DryRun = dry,
            };
            _options.Log?.Invoke($"dry run: {dry.Count} flash operations ({result.Breakdown()})");

            long[] points = CutPoints(dry.Count);
            var outcomes = new CutOutcome[points.Length];
            int done = 0;
            Parallel.For(0, points.Length, new ParallelOptions { MaxDegreeOfParallelism = lanes }, i =>
            {
                if (!pool.TryTake(out Lane? lane)) throw new InvalidOperationException("no free lane");
                try
                {
                    outcomes[i] = CutRun(lane, points[i], dry);
                }
                finally
                {
                    pool.Add(lane);
                }
                if (outcomes[i].Brick != null) _options.Log?.Invoke("brick: " + outcomes[i].Brick);
                int n = Interlocked.Increment(ref done);
                if (n % 100 == 0) _options.Log?.Invoke($"{n}/{points.Length} cut points");
            });

            foreach (var o in outcomes) Merge(result, o);
            result.Elapsed = clock.Elapsed;
            return result;
        }
        finally
        {
            foreach (var lane in all) lane.Dispose();
        }
    }

    private void Merge(PowerCutSweepResult result, CutOutcome o)
    {
        result.CutPoints++;
        result.RepeatBoots += o.RepeatBoots;
        if (o.Diverged) result.Diverged++;
        if (o.Missed) result.CutsMissed++;
        if (o.Brick != null)
        {
            result.Bricks++;
            if (result.BrickDetails.Count < _options.MaxBrickDetails) result.BrickDetails.Add(o.Brick);
            return;
        }
        if (o.BootedNew) result.BootsNew++; else result.BootsOld++;
        if (o.CounterHeld) result.CounterHeld++;
        if (o.RolledBack) result.Rollbacks++;
    }

    /// <summary>One worker's private things: its SST25 backing file and its verifier (not thread-safe).</summary>
    private sealed class Lane : IDisposable
    {
        private readonly HostCrypto _crypto = new();

        public Lane(string? directory, byte[] publicKeyPoint)
        {
            Path = System.IO.Path.Combine(directory ?? System.IO.Path.GetTempPath(), $"corefw-sweep-{Guid.NewGuid():N}.bin");
            Verifier = new ImageVerifier(_crypto, publicKeyPoint, SparkCoreBoard.ImageBoardId);
        }

        public string Path { get; }

        public ImageVerifier Verifier { get; }

        public void Dispose()
        {
            _crypto.Dispose();
            try { File.Delete(Path); } catch (IOException) { }
        }
    }

    /// <summary>What one cut run ended with.</summary>
    private sealed class CutOutcome
    {
        public string? Brick;
        public bool BootedNew;
        public bool RolledBack;
        public bool CounterHeld;
        public int RepeatBoots;
        public bool Diverged;
        public bool Missed;
    }

    /// <summary>Cut points: every index, or a seeded sample that keeps both ends.</summary>
    public static long[] SampleCutPoints(long operations, int maxPoints, int alwaysIncluded, int seed)
    {
        if (operations <= maxPoints) return Enumerable.Range(0, (int)operations).Select(i => (long)i).ToArray();
        var chosen = new SortedSet<long>();
        int ends = Math.Min(alwaysIncluded, maxPoints / 2);
        for (int i = 0; i < ends; i++)
        {
            chosen.Add(i);
            chosen.Add(operations - 1 - i);
        }
        var random = new Random(seed);
        while (chosen.Count < maxPoints) chosen.Add(ends + random.NextInt64(operations - 2 * ends));
        return chosen.ToArray();
    }

    private long[] CutPoints(long operations) => SampleCutPoints(operations, _options.MaxPoints, _options.AlwaysIncluded, _options.Seed);

    // ---- the starting board -----------------------------------------------------------------------

    private void Manufacture(Lane lane)
    {
        var blankExternal = new byte[Sst25.Sst25Model.Capacity];
        Array.Fill(blankExternal, (byte)0xFF);
        var app = new byte[VirtualInternalFlash.DefaultSize];
        Array.Fill(app, (byte)0xFF);
        _images.Old.CopyTo(app, 0); // the factory programmer writes the application slot

        var plan = new PowerCutPlan();
        plan.Stop();
        using (var hw = new SweepHardware(lane.Path, blankExternal, app, plan, _options.Seed))
        {
            var board = hw.PowerUp(lane.Verifier);
            if (_options.FactoryImage)
            {
                var factory = hw.Map.Factory;
                board.Flash.EraseRange(factory.Start, (_images.Old.Length + 4095) / 4096 * 4096);
                board.Flash.Program(factory.Start, _images.Old, 0, _images.Old.Length);
            }
            for (int i = 0; i < Math.Max(1, _options.BootStateHistory); i++)
            {
                if (!board.Store.Write(new BootState { State = BootImageState.Confirmed, ActiveVersion = SweepImages.OldVersion }))
                    throw new InvalidOperationException("could not write the starting boot state");
            }
            _baseInternal = hw.ApplicationBytes(app.Length);
        }
        _baseExternal = File.ReadAllBytes(lane.Path);
    }

    // ---- the update -------------------------------------------------------------------------------

    private IReadOnlyList<PowerCutOperation> DryRun(Lane lane)
    {
        var plan = new PowerCutPlan();
        using var hw = new SweepHardware(lane.Path, _baseExternal, _baseInternal, plan, _options.Seed);
        try
        {
            RunUpdate(hw, lane.Verifier);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"the update fails without a power cut ({_step.Name}): {e.Message}", e);
        }
        var ops = plan.Operations.ToArray();
        plan.Stop();

        // The update must have landed.
        var board = hw.PowerUp(lane.Verifier);
        var state = board.Store.Read();
        if (!hw.ApplicationBytes(_images.New.Length).AsSpan().SequenceEqual(_images.New)
            || state.State != BootImageState.Confirmed || state.ActiveVersion != SweepImages.NewVersion)
        {
            throw new InvalidOperationException($"the dry run's update did not land ({_step.Name}): state [{state}]");
        }
        return ops;
    }

    /// <summary>The workload cut into: boot, OTA of 1.1.0, reboot, bootloader install, confirm.</summary>
    private void RunUpdate(SweepHardware hw, ImageVerifier verifier)
    {
        var board = hw.PowerUp(verifier);
        var d = _step.Boot(board);
        Powered(hw);
        if (!d.RunApplication || d.ActiveVersion != SweepImages.OldVersion) throw new SweepWorkloadException($"boot 1: {d.Reason}");

        string? error = board.ReceiveOta(_update);
        Powered(hw);
        if (error != null) throw new SweepWorkloadException("OTA of 1.1.0: " + error);

        board = hw.PowerUp(verifier);
        d = _step.Boot(board);
        Powered(hw);
        if (!d.RunApplication || d.Installs != 1 || d.ActiveVersion != SweepImages.NewVersion) throw new SweepWorkloadException($"boot 2: {d.Reason}");
        if (d.TestBoot)
        {
            bool confirmed = board.Confirm();
            Powered(hw);
            if (!confirmed) throw new SweepWorkloadException("confirm of 1.1.0 failed");
        }
    }

    // Firmware that caught the power loss (OtaService aborts on a flash exception) still stops here.
    private static void Powered(SweepHardware hw)
    {
        if (!hw.Plan.BoardPowered) throw new PowerLossException("power cut");
    }

    // ---- one cut ----------------------------------------------------------------------------------

    private CutOutcome CutRun(Lane lane, long k, IReadOnlyList<PowerCutOperation> dry)
    {
        var outcome = new CutOutcome();
        var plan = new PowerCutPlan(k, unchecked(_options.Seed * 7919 + (int)k), dry);
        using var hw = new SweepHardware(lane.Path, _baseExternal, _baseInternal, plan, unchecked(_options.Seed * 31 + (int)k));
        string where = $"cut point {k} ({dry[(int)k]})";
        try
        {
            RunUpdate(hw, lane.Verifier);
        }
        catch (Exception) when (plan.CutHappened)
        {
            // Expected: the board died in the middle of it.
        }
        catch (Exception e)
        {
            outcome.Brick = $"{where}: the update failed before the cut: {e.GetType().Name}: {e.Message}";
            return outcome;
        }

        if (!plan.CutHappened)
        {
            outcome.Missed = true;
            outcome.Brick = $"{where}: the armed cut never happened";
            return outcome;
        }
        if (plan.Diverged)
        {
            outcome.Diverged = true;
            outcome.Brick = $"{where}: replay diverged: {plan.Divergence}";
            return outcome;
        }

        where = $"cut point {k} ({plan.CutDescription})";
        plan.PowerOn();
        string? brick;
        try
        {
            brick = Recover(hw, lane.Verifier, outcome);
        }
        catch (Exception e)
        {
            brick = $"{e.GetType().Name} after power came back: {e.Message}";
        }
        if (brick != null) outcome.Brick = $"{where}: {brick}";
        return outcome;
    }

    /// <summary>Boots after the cut and checks; null when intact and the second OTA landed, else why not.</summary>
    private string? Recover(SweepHardware hw, ImageVerifier verifier, CutOutcome outcome)
    {
        SweepBoard board;
        SweepBootResult d;
        int boot = 1;
        while (true)
        {
            board = hw.PowerUp(verifier);
            d = _step.Boot(board);
            if (!d.RunApplication) return $"boot {boot} after the cut: no application ({d.Reason})";
            var pending = board.Store.Read().State;
            bool copyLeft = pending is BootImageState.Pending or BootImageState.Installing or BootImageState.RollingBack or BootImageState.RollbackPending;
            if (!copyLeft || boot >= _options.MaxRecoveryBoots) break;
            boot++;
            outcome.RepeatBoots++;
        }

        // The application slot: verifies, and is exactly the old or exactly the new image.
        var verdict = board.VerifyApplication(out uint version, out _);
        if (verdict != ImageVerifyResult.Ok) return $"application slot does not verify ({verdict}) though the boot ran it ({d.Reason})";
        bool isOld = hw.ApplicationBytes(_images.Old.Length).AsSpan().SequenceEqual(_images.Old);
        bool isNew = !isOld && hw.ApplicationBytes(_images.New.Length).AsSpan().SequenceEqual(_images.New);
        if (!isOld && !isNew) return $"application slot verifies as {PackedImageVersion.ToText(version)} but is neither the old nor the new image";
        uint expected = isOld ? SweepImages.OldVersion : SweepImages.NewVersion;

        // The boot state is decidable and agrees with the slot.
        BootState s = board.Store.Read();
        bool settled = s.State is BootImageState.None or BootImageState.Confirmed || (s.State == BootImageState.Testing && d.TestBoot);
        if (!settled || s.ActiveVersion != expected || d.ActiveVersion != expected || version != expected)
            return $"boot state [{s}] / decision (test {d.TestBoot}, version {PackedImageVersion.ToText(d.ActiveVersion)}) does not match the slot ({PackedImageVersion.ToText(expected)})";
        outcome.BootedNew = isNew;
        outcome.RolledBack = d.Rollbacks > 0;

        // The security counter: 1.1.0 once the new image's confirm is durable, else 1.0.0; and an image
        // just below it is refused though downgrades below the running image are allowed.
        uint counter = isNew && s.State != BootImageState.Testing ? SweepImages.NewVersion : SweepImages.OldVersion;
        if (s.SecurityCounter != counter)
            return $"security counter {PackedImageVersion.ToText(s.SecurityCounter)} after the cut, expected {PackedImageVersion.ToText(counter)} (state [{s}])";
        string? probe = board.ReceiveOta(counter == SweepImages.NewVersion ? _oldProbe : _olderProbe, allowDowngrade: true);
        if (probe == null || !probe.Contains(OtaImagePolicy.ReasonDowngrade, StringComparison.Ordinal))
            return $"an image below the security counter {PackedImageVersion.ToText(counter)} was not refused: {probe ?? "accepted"}";
        if (!board.Store.Read().SameAs(s)) return "the refused downgrade changed the boot state";
        outcome.CounterHeld = true;

        // The runtime confirms a healthy test image; then the second OTA must land.
        if (d.TestBoot && !board.Confirm()) return "confirm after the cut failed";
        string? error = board.ReceiveOta(_second);
        if (error != null) return "second OTA (1.2.0) refused: " + error;

        board = hw.PowerUp(verifier);
        d = _step.Boot(board);
        if (!d.RunApplication || d.ActiveVersion != SweepImages.SecondVersion) return $"second OTA did not install: {d.Reason}";
        if (d.TestBoot && !board.Confirm()) return "confirm of 1.2.0 failed";

        board = hw.PowerUp(verifier);
        d = _step.Boot(board);
        s = board.Store.Read();
        if (!d.RunApplication || d.TestBoot || d.ActiveVersion != SweepImages.SecondVersion
            || s.State is not (BootImageState.Confirmed or BootImageState.None) || s.SecurityCounter != SweepImages.SecondVersion
            || !hw.ApplicationBytes(_images.Second.Length).AsSpan().SequenceEqual(_images.Second))
        {
            return $"second OTA did not land: boot '{d.Reason}', state [{s}]";
        }
        return null;
    }
}

/// <summary>The update workload failed for a reason other than the power cut.</summary>
public sealed class SweepWorkloadException : Exception
{
    public SweepWorkloadException(string message) : base(message)
    {
    }
}
