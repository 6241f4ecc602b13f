namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// Which faults a run injects, and in which cycles. Deterministic so a failing soak can be run
/// again: idle cycles never get a fault; loaded cycles alternate clean, fault, clean, fault, ... and
/// the faults take turns in the order given. Parsed from "none", "all", or a comma list of
/// link, corrupt, hang, power.
/// </summary>
public sealed class FaultMix
{
    public static readonly FaultMix None = new(Array.Empty<FaultKind>());

    public static readonly FaultMix All = new(new[] { FaultKind.LinkDrop, FaultKind.CorruptChunks, FaultKind.ModuleHang, FaultKind.PowerCutDuringInstall, FaultKind.BadRelease });

    public FaultMix(IReadOnlyList<FaultKind> kinds)
    {
        Kinds = kinds.Where(k => k != FaultKind.None).ToArray();
    }

    public IReadOnlyList<FaultKind> Kinds { get; }

    public static FaultMix Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "none" || t.Length == 0) return None;
        if (t == "all") return All;
        var kinds = new List<FaultKind>();
        foreach (string part in t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            kinds.Add(part switch
            {
                "link" or "link-drop" => FaultKind.LinkDrop,
                "corrupt" or "corrupt-chunks" => FaultKind.CorruptChunks,
                "hang" or "module-hang" => FaultKind.ModuleHang,
                "power" or "power-cut" => FaultKind.PowerCutDuringInstall,
                "bad" or "bad-release" => FaultKind.BadRelease,
                _ => throw new ArgumentException($"unknown fault '{part}' (none, all, or a comma list of link, corrupt, hang, power, bad)"),
            });
        }
        return new FaultMix(kinds);
    }

    /// <summary>The fault of the <paramref name="loadedIndex"/>-th loaded cycle (0-based).</summary>
    public FaultKind ForLoadedCycle(int loadedIndex)
    {
        if (Kinds.Count == 0 || loadedIndex % 2 == 0) return FaultKind.None;
        return Kinds[(loadedIndex / 2) % Kinds.Count];
    }

    public override string ToString() => Kinds.Count == 0 ? "none" : string.Join(",", Kinds.Select(Name));

    public static string Name(FaultKind kind) => kind switch
    {
        FaultKind.LinkDrop => "link",
        FaultKind.CorruptChunks => "corrupt",
        FaultKind.ModuleHang => "hang",
        FaultKind.PowerCutDuringInstall => "power",
        FaultKind.BadRelease => "bad",
        _ => "none",
    };
}
