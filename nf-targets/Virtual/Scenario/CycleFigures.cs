namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// What the summary and the drift table need of one cycle, without its texts: the runner keeps one
/// of these for every cycle of the run (a few dozen bytes each, so a 10,000-cycle soak keeps under
/// half a megabyte), and whole <see cref="CycleResult"/>s only for the last cycles and the failures.
/// </summary>
public readonly record struct CycleFigures(
    int Cycle,
    bool Idle,
    FaultKind Fault,
    bool FaultInjected,
    CycleOutcome Outcome,
    bool Tried,
    bool ImageValid,
    float OtaMilliseconds,
    float PreemptionMilliseconds,
    int Resends,
    int HostThreads,
    long HostHeapBytes)
{
    /// <summary>The figures of <paramref name="r"/> (host figures NaN-free: -1 when they were not taken).</summary>
    public static CycleFigures Of(CycleResult r) => new(r.Cycle, r.Idle, r.Fault, r.FaultInjected, r.Outcome, r.FlashState.Length > 0, r.ImageValid,
        (float)r.OtaMilliseconds, (float)r.PreemptionMilliseconds, r.Resends, r.Host?.DedicatedThreads ?? -1, r.Host?.HeapBytes ?? -1);

    /// <summary>A landed update without a fault: its OTA time is comparable with the others of its kind (idle or loaded).</summary>
    public bool CleanLanded => Outcome == CycleOutcome.Landed && !FaultInjected;
}
