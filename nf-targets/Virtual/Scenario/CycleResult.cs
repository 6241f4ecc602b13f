using System.Globalization;
using CoreFirmware.Virtual.Diagnostics;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>What one scenario cycle did and measured.</summary>
public sealed record CycleResult
{
    public required int Cycle { get; init; }
    public required string Version { get; init; }
    public required bool Idle { get; init; }
    public required FaultKind Fault { get; init; }
    /// <summary>True when the fault was actually injected (a transfer may end before its trigger point, or the fault is unsupported).</summary>
    public bool FaultInjected { get; init; }
    /// <summary>Why the fault was not injected, or how it was injected.</summary>
    public string? FaultNote { get; init; }
    public required CycleOutcome Outcome { get; init; }
    /// <summary>The cloud's flash verdict ("done", "failed", or "" when the flash never started).</summary>
    public string FlashState { get; init; } = "";
    public string? Reason { get; init; }
    public int ImageBytes { get; init; }
    /// <summary>Cloud flash time (request to verdict), ms; NaN when the flash did not finish.</summary>
    public double OtaMilliseconds { get; init; } = double.NaN;
    /// <summary>Preemption latency of this update (user networking taken away), ms; NaN when none was measured.</summary>
    public double PreemptionMilliseconds { get; init; } = double.NaN;
    public int Resends { get; init; }
    /// <summary>The device ended on a valid image (what the exit code is about).</summary>
    public bool ImageValid { get; init; }
    /// <summary>What the image check saw (boot state, versions).</summary>
    public string ImageState { get; init; } = "";
    /// <summary>The phase that locked up, if any.</summary>
    public string? LockupPhase { get; init; }
    public double CycleMilliseconds { get; init; }
    /// <summary>What the host process held when the cycle ended (after a full collection); null when not taken.</summary>
    public HostResources? Host { get; init; }

    /// <summary>One line for the soak output and the plain live view.</summary>
    public string ToLine(int totalCycles)
    {
        var c = CultureInfo.InvariantCulture;
        string fault = Fault == FaultKind.None ? "-" : FaultMix.Name(Fault) + (FaultInjected ? "" : "(not injected)");
        string ota = double.IsNaN(OtaMilliseconds) ? "-" : OtaMilliseconds.ToString("0", c) + " ms";
        string lat = double.IsNaN(PreemptionMilliseconds) ? "-" : PreemptionMilliseconds.ToString("0.00", c) + " ms";
        string line = $"cycle {Cycle.ToString(c).PadLeft(totalCycles.ToString(c).Length)}/{totalCycles} v{Version} {(Idle ? "idle  " : "loaded")} fault {fault,-7} "
            + $"-> {Outcome.ToString().ToLowerInvariant(),-10} ota {ota,8} preempt {lat,9} resends {Resends,3} image {(ImageValid ? "valid" : "INVALID")} ({ImageState})";
        if (Reason != null && Outcome != CycleOutcome.Landed) line += $" reason: {Reason}";
        if (LockupPhase != null) line += $" LOCKUP in {LockupPhase}";
        if (FaultNote != null) line += $" [{FaultNote}]";
        return line;
    }
}
