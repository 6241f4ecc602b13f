using CoreFirmware.Drivers.Flash;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Virtual.PowerCut;

/// <summary>What a <see cref="PowerCutSweep"/> found.</summary>
public sealed class PowerCutSweepResult
{
    /// <summary>Name of the boot path tested.</summary>
    public string BootStep { get; init; } = "";

    /// <summary>Bytes of the old, new and second image.</summary>
    public int[] ImageSizes { get; init; } = Array.Empty<int>();

    /// <summary>The dry run's flash operations, in order.</summary>
    public IReadOnlyList<PowerCutOperation> DryRun { get; init; } = Array.Empty<PowerCutOperation>();

    /// <summary>Flash operations of a full update (the dry run).</summary>
    public int Operations => DryRun.Count;

    /// <summary>Cut points tried.</summary>
    public int CutPoints { get; set; }

    /// <summary>Cut runs whose first boot after the cut ran the old image.</summary>
    public int BootsOld { get; set; }

    /// <summary>Cut runs whose first boot after the cut ran the new image.</summary>
    public int BootsNew { get; set; }

    /// <summary>Cut runs that did not end with an intact old/new image and a landed second OTA.</summary>
    public int Bricks { get; set; }

    /// <summary>Cut runs after which the security counter had the value the recovered image calls for
    /// and refused an image below it (with downgrades otherwise allowed).</summary>
    public int CounterHeld { get; set; }

    /// <summary>Recovery boots beyond the first (a boot that left a copy state for the next one).</summary>
    public int RepeatBoots { get; set; }

    /// <summary>Recoveries whose first boot restored the backup (a rollback).</summary>
    public int Rollbacks { get; set; }

    /// <summary>Cut runs whose operations before the cut differed from the dry run's (must be 0: the sweep replays exactly).</summary>
    public int Diverged { get; set; }

    /// <summary>Cut runs in which the armed cut never happened (must be 0).</summary>
    public int CutsMissed { get; set; }

    /// <summary>The first bricks, described (cut point, torn operation, what went wrong).</summary>
    public List<string> BrickDetails { get; } = new();

    public TimeSpan Elapsed { get; set; }

    /// <summary>The figures on a few lines.</summary>
    public string Summary()
    {
        var lines = new List<string>
        {
            $"power-cut sweep ({BootStep}): images {string.Join(" / ", ImageSizes)} bytes (1.0.0 / 1.1.0 / 1.2.0)",
            $"operations in the dry run: {Operations} ({Breakdown()})",
            $"cut points tried: {CutPoints}",
            $"boots old: {BootsOld}, boots new: {BootsNew} (rollbacks {Rollbacks}, repeat boots {RepeatBoots})",
            $"bricks: {Bricks}" + (Diverged + CutsMissed > 0 ? $" (diverged replays {Diverged}, cuts missed {CutsMissed})" : ""),
            $"security counter held (right value, older image refused): {CounterHeld} of {CutPoints}",
            $"elapsed: {Elapsed.TotalSeconds:0.0} s",
        };
        lines.AddRange(BrickDetails.Select(d => "  brick: " + d));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Operations per part and region, e.g. "staging 85, boot state 6, ...".</summary>
    public string Breakdown()
    {
        var map = CoreFirmware.SparkCore.SparkCoreFlashLayout.Create();
        return string.Join(", ", DryRun.GroupBy(op => Region(op, map)).Select(g =>
            $"{g.Key} {g.Count()} ({g.Count(o => o.IsErase)} erase, {g.Count(o => !o.IsErase)} program)"));
    }

    private static bool In(FlashRegion r, int address) => address >= r.Start && address < r.End;

    private static string Region(PowerCutOperation op, FlashMap map)
    {
        if (op.Part == FlashPart.Internal) return "application slot";
        if (In(map.Staging, op.Address)) return "staging";
        if (In(map.Backup, op.Address)) return "backup";
        if (In(map.Factory, op.Address)) return "factory";
        if (In(map.BootStateA, op.Address) || In(map.BootStateB, op.Address)) return "boot state";
        return "other";
    }
}
