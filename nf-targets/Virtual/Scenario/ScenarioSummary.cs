using System.Globalization;
using CoreFirmware.Ota.Cloud;
using CoreFirmware.Ota.Status;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>The figures of a whole run, and whether it passed (every cycle ended on a valid image, no lockup, no host thread fault).</summary>
public sealed record ScenarioSummary
{
    /// <summary>
    /// Cycles kept whole (with their texts): every cycle of a short run; of a long one the last
    /// <see cref="ScenarioRunner.KeptCycles"/> and the first <see cref="ScenarioRunner.KeptFailures"/>
    /// that did not end well. Counts and figures come from <see cref="Figures"/>.
    /// </summary>
    public required IReadOnlyList<CycleResult> Cycles { get; init; }

    /// <summary>Every cycle of the run, in order, as figures.</summary>
    public required IReadOnlyList<CycleFigures> Figures { get; init; }
    public required int CyclesPlanned { get; init; }
    public required string Faults { get; init; }
    public required bool FastOta { get; init; }
    public required TimeSpan Elapsed { get; init; }
    /// <summary>Why the run ended before its cycles were done (Ctrl-C, repeated lockups), or null.</summary>
    public string? StoppedEarly { get; init; }
    public required long BusViolations { get; init; }
    /// <summary>Largest managed heap seen (GC.GetTotalMemory, sampled every poll) of the host process (cloud + board + firmware).</summary>
    public required long HeapHighWaterBytes { get; init; }
    /// <summary>The CLR that ran the firmware ("CoreCLR", "nanoCLR").</summary>
    public string Clr { get; init; } = "CoreCLR";
    /// <summary>Which heap <see cref="HeapHighWaterBytes"/> follows: the host process's, or nanoCLR's managed heap.</summary>
    public string HeapSource { get; init; } = "host process";
    /// <summary>The longest SPI bus hold the firmware's arbiter measured (sampled), and its bound.</summary>
    public double LongestBusHoldMilliseconds { get; init; } = double.NaN;
    public int BusHoldBoundMilliseconds { get; init; }
    /// <summary>The longest watchdog check-in gap, cloud session start and ping round trip (ms; 0: none measured).</summary>
    public (int CheckinGapMs, int SessionStartMs, int PingRoundTripMs) LongestTimings { get; init; }
    /// <summary>CC3000 power-cycle recoveries summed over every boot's driver.</summary>
    public required int ModuleRecoveries { get; init; }
    public required int Boots { get; init; }
    public required int BootFailures { get; init; }
    public int Installs { get; init; }
    public int BootloaderRollbacks { get; init; }
    public int WatchdogResets { get; init; }
    public int PowerCuts { get; init; }
    public required int StuckUserThreads { get; init; }
    public required int AppRequests { get; init; }
    public required int AppFailures { get; init; }
    /// <summary>
    /// Exceptions that escaped the host's background threads (the board's models, the boot loop, the
    /// ticker server), reported instead of ending the process. A healthy run has none: the simulation
    /// itself went wrong when it has.
    /// </summary>
    public int HostThreadFaults { get; init; }
    /// <summary>The host thread faults kept, one line each ("thread: exception: message").</summary>
    public IReadOnlyList<string> HostThreadFaultLines { get; init; } = Array.Empty<string>();

    /// <summary>Cycles run.</summary>
    public int CyclesRun => Figures.Count;
    public int Tried => Figures.Count(c => c.Tried);
    public int Landed => Count(CycleOutcome.Landed);
    public int RolledBack => Count(CycleOutcome.RolledBack);
    public int Aborted => Count(CycleOutcome.Aborted);
    public int Failed => Count(CycleOutcome.Failed);
    public int Lockups => Count(CycleOutcome.Lockup);
    public int InvalidImages => Figures.Count(c => !c.ImageValid && c.Outcome != CycleOutcome.Cancelled);
    /// <summary>Aborts in cycles with no fault injected (should be 0).</summary>
    public int UnexpectedAborts => Figures.Count(c => c.Outcome == CycleOutcome.Aborted && !c.FaultInjected);

    /// <summary>Rollbacks in cycles that did not flash a bad release (a test image lost to a reset, say).</summary>
    public int UnexpectedRollbacks => Figures.Count(c => c.Outcome == CycleOutcome.RolledBack && c.Fault != FaultKind.BadRelease);
    public int FaultsInjected => Figures.Count(c => c.FaultInjected);
    public int FaultsSkipped => Figures.Count(c => c.Fault != FaultKind.None && !c.FaultInjected);

    /// <summary>Preemption latency over loaded cycles, ms.</summary>
    public double PreemptionP50 => Percentile(Figures.Where(c => !c.Idle).Select(c => (double)c.PreemptionMilliseconds), 50);
    public double PreemptionP99 => Percentile(Figures.Where(c => !c.Idle).Select(c => (double)c.PreemptionMilliseconds), 99);
    /// <summary>OTA time of landed updates without a fault, idle (app paused), ms (median).</summary>
    public double OtaIdleP50 => Percentile(CleanLanded(idle: true), 50);
    /// <summary>OTA time of landed updates without a fault, under the app's load, ms (median).</summary>
    public double OtaLoadedP50 => Percentile(CleanLanded(idle: false), 50);
    public double OtaLoadedOverIdle => OtaLoadedP50 / OtaIdleP50;

    /// <summary>Every cycle ended on a valid image, nothing locked up and no host thread failed.</summary>
    public bool Passed => InvalidImages == 0 && Lockups == 0 && Failed == 0 && HostThreadFaults == 0;

    /// <summary>First tenth against last tenth of the run (null for a run too short to compare).</summary>
    public DriftTable? Drift => DriftTable.Of(Figures);

    private int Count(CycleOutcome o) => Figures.Count(c => c.Outcome == o);

    private IEnumerable<double> CleanLanded(bool idle) =>
        Figures.Where(c => c.Idle == idle && c.CleanLanded).Select(c => (double)c.OtaMilliseconds);

    public static double Percentile(IEnumerable<double> values, double p)
    {
        double[] sorted = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        int i = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(i, 0, sorted.Length - 1)];
    }

    /// <summary>The summary as label/value rows (the live view prints them as a table, the soak as lines).</summary>
    public IReadOnlyList<(string Label, string Value)> Rows()
    {
        var c = CultureInfo.InvariantCulture;
        string Ms(double v, string f = "0") => double.IsNaN(v) ? "n/a" : v.ToString(f, c) + " ms";
        return new List<(string, string)>
        {
            ("cycles", $"{CyclesRun} of {CyclesPlanned} ({Elapsed.TotalSeconds.ToString("0.0", c)} s){(StoppedEarly != null ? ", stopped: " + StoppedEarly : "")}"),
            ("OTAs tried / landed / rolled back / aborted / failed", $"{Tried} / {Landed} / {RolledBack} / {Aborted} / {Failed}"),
            ("faults injected / skipped", $"{FaultsInjected} / {FaultsSkipped} (mix: {Faults})"),
            ("aborts without a fault / rollbacks without a bad release", $"{UnexpectedAborts.ToString(c)} / {UnexpectedRollbacks.ToString(c)}"),
            ("ended on an invalid image", InvalidImages.ToString(c)),
            ("lockups", Lockups.ToString(c)),
            ("preemption latency p50 / p99 (loaded)", $"{Ms(PreemptionP50, "0.00")} / {Ms(PreemptionP99, "0.00")}"),
            ($"OTA time idle / under load ({(FastOta ? "fast" : "slow")} OTA, p50)", $"{Ms(OtaIdleP50)} / {Ms(OtaLoadedP50)} (x{(double.IsNaN(OtaLoadedOverIdle) ? "n/a" : OtaLoadedOverIdle.ToString("0.00", c))})"),
            ("bus violations", BusViolations.ToString(c)),
            ("longest bus hold / bound", $"{Ms(LongestBusHoldMilliseconds, "0.0")} / {BusHoldBoundMilliseconds} ms"),
            ("longest check-in gap / session start / ping round trip",
                $"{LongestTimings.CheckinGapMs} / {LongestTimings.SessionStartMs} / {LongestTimings.PingRoundTripMs} ms (bounds {SystemWatchdog.DefaultCheckinTimeoutMilliseconds} / - / {new CloudLinkSettings().PingTimeoutMilliseconds} ms)"),
            ("ticker requests per second", Elapsed.TotalSeconds > 0 ? (AppRequests / Elapsed.TotalSeconds).ToString("0.0", c) : "n/a"),
            ("firmware runs on", Clr),
            ($"heap high-water mark ({HeapSource})", $"{HeapHighWaterBytes / 1024} KiB"),
            ("module recoveries (CC3000 power cycles)", ModuleRecoveries.ToString(c)),
            ("boots / boot failures / stuck user threads", $"{Boots} / {BootFailures} / {StuckUserThreads}"),
            ("bootloader installs / rollbacks", $"{Installs} / {BootloaderRollbacks}"),
            ("power cuts during install / watchdog resets", $"{PowerCuts} / {WatchdogResets}"),
            ("app requests / failures", $"{AppRequests} / {AppFailures}"),
            ("host thread faults", HostThreadFaults == 0 ? "0" : $"{HostThreadFaults} (first: {HostThreadFaultLines.FirstOrDefault()})"),
            ("result", Passed ? "PASS: every cycle ended on a valid image, no lockup" : "FAIL"),
        };
    }

    public void Print(TextWriter w)
    {
        w.WriteLine("== summary");
        foreach (var (label, value) in Rows()) w.WriteLine($"  {label,-52} {value}");
        foreach (string fault in HostThreadFaultLines) w.WriteLine("  host thread fault: " + fault);
        Drift?.Print(w);
    }
}
