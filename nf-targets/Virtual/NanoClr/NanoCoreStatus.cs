namespace CoreFirmware.Virtual.NanoClr;

/// <summary>
/// The firmware's counters as its last status report on nanoCLR gave them (nf-targets/VirtualNanoClr/Firmware/NanoCoreStatus.cs
/// fills them, same indexes), with the time of the report. Zero before the first report of a boot.
/// </summary>
public sealed record NanoCoreStatus(
    bool CloudConnected,
    int CloudSessions,
    int CloudConnectAttempts,
    int Preemptions,
    long LastPreemptionTicks,
    bool UpdatesPending,
    int ChunksReceived,
    int ModuleRecoveries,
    int AppCompleted,
    int AppRequests,
    int AppFailures,
    int UserLoops,
    long LongestBusHoldTicks,
    int BusHoldOverruns,
    bool AppInLoop,
    int LongestCheckinGapMs,
    int LongestSessionStartMs,
    int LongestPingRoundTripMs)
{
    public const int Count = 18;

    public static NanoCoreStatus None { get; } = From(new int[Count]);

    /// <summary>The record of a report's values (missing ones read 0).</summary>
    public static NanoCoreStatus From(int[] v)
    {
        int At(int i) => i < v.Length ? v[i] : 0;
        return new NanoCoreStatus(At(0) != 0, At(1), At(2), At(3), At(4), At(5) != 0, At(6), At(7), At(8), At(9), At(10), At(11), At(12), At(13), At(14) != 0, At(15), At(16), At(17));
    }
}
