using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Virtual.Stress;

/// <summary>What a <see cref="BusStress"/> run saw.</summary>
public sealed class BusStressResult
{
    public long EchoBytesVerified { get; init; }
    public long EchoBytesTarget { get; init; }
    public long EchoMismatches { get; init; }
    public IReadOnlyDictionary<SocketError, long> SocketErrors { get; init; } = new Dictionary<SocketError, long>();
    public int FlashRoundsDone { get; init; }
    public int FlashRoundsTarget { get; init; }
    public int FlashVerifyFailures { get; init; }
    public IReadOnlyList<string> FlashErrors { get; init; } = Array.Empty<string>();
    public long BusViolations { get; init; }
    public IReadOnlyList<string> ViolationSamples { get; init; } = Array.Empty<string>();
    public long ModuleFramingViolations { get; init; }
    public int ModuleRecoveries { get; init; }
    public int HungWorkers { get; init; }
    /// <summary>Exceptions that escaped a worker or a model thread during the run (reported on the board's <see cref="BackgroundFaults"/>).</summary>
    public int WorkerFaults { get; init; }
    public TimeSpan Elapsed { get; init; }

    public long TotalSocketErrors => SocketErrors.Values.Sum();

    /// <summary>Everything finished, verified, and the bus stayed clean.</summary>
    public bool Clean =>
        BusViolations == 0 && EchoMismatches == 0 && TotalSocketErrors == 0 && FlashVerifyFailures == 0
        && FlashErrors.Count == 0 && HungWorkers == 0 && WorkerFaults == 0 && ModuleRecoveries == 0 && ModuleFramingViolations == 0
        && EchoBytesVerified == EchoBytesTarget && FlashRoundsDone == FlashRoundsTarget;

    /// <summary>The failures the arbiter exists to prevent: data or the module lost to bus clashes.</summary>
    public bool ShowsBusFailure =>
        BusViolations > 0 && (EchoMismatches > 0 || FlashVerifyFailures > 0 || FlashErrors.Count > 0
            || ModuleRecoveries > 0 || ModuleFramingViolations > 0 || HungWorkers > 0 || TotalSocketErrors > 0);

    public IEnumerable<string> Describe()
    {
        double seconds = Math.Max(Elapsed.TotalSeconds, 1e-6);
        yield return $"elapsed                 {Elapsed.TotalSeconds:0.00} s";
        yield return $"echo verified           {EchoBytesVerified:N0} / {EchoBytesTarget:N0} bytes ({EchoBytesVerified / seconds / 1024:0.0} KiB/s)";
        yield return $"echo mismatches         {EchoMismatches}";
        yield return $"socket errors           {(SocketErrors.Count == 0 ? "0" : string.Join(", ", SocketErrors.Select(e => $"{e.Key} x{e.Value}")))}";
        yield return $"flash rounds verified   {FlashRoundsDone - FlashVerifyFailures} / {FlashRoundsTarget} (erase + program + verify of 4 KB; {FlashRoundsDone * 4 / seconds:0.0} KiB/s)";
        yield return $"flash verify failures   {FlashVerifyFailures}";
        yield return $"flash errors            {FlashErrors.Count}{(FlashErrors.Count > 0 ? " (first: " + FlashErrors[0] + ")" : "")}";
        yield return $"bus violations          {BusViolations}{(ViolationSamples.Count > 0 ? " (first: " + ViolationSamples[0] + ")" : "")}";
        yield return $"CC3000 framing errors   {ModuleFramingViolations}";
        yield return $"CC3000 recoveries       {ModuleRecoveries} (WLAN_EN power cycles)";
        yield return $"hung workers            {HungWorkers}";
        yield return $"thread faults           {WorkerFaults}";
    }
}
