using CoreFirmware.Virtual.Scenario;
using Xunit;

namespace CoreFirmware.Tests.Virtual;

/// <summary>
/// The soak's drift table on made-up runs: flat figures pass; what grows with the cycles (the OTA
/// time of issue 16, the heap, threads, a preemption tail that rises) is flagged; a p99 spike in the
/// middle of the run is noise, not drift.
/// </summary>
public sealed class DriftTableTests
{
    // 1,000 cycles as the soak runs them: every 5th idle, clean landed updates, loaded ones preempted.
    private static CycleFigures[] Run(Func<int, double> ota, Func<int, double> preemption, Func<int, int>? threads = null, Func<int, long>? heap = null) =>
        Enumerable.Range(1, 1000).Select(n =>
        {
            bool idle = n % 5 == 0;
            return new CycleFigures(n, idle, FaultKind.None, false, CycleOutcome.Landed, true, true, (float)ota(n),
                idle ? float.NaN : (float)preemption(n), 0, threads?.Invoke(n) ?? 26, heap?.Invoke(n) ?? 4_000_000);
        }).ToArray();

    private static DriftTable.Row Row(DriftTable table, string prefix) => table.Rows.Single(r => r.Figure.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public void AFlatRunHasNoDrift()
    {
        DriftTable table = DriftTable.Of(Run(n => 190 + n % 7, n => 0.3 + n % 3 * 0.1))!;
        Assert.True(table.Flat);
        Assert.Equal(100, table.FirstCycles);
        Assert.Equal(100, table.LastCycles);
        Assert.All(table.Rows, r => Assert.False(r.AboveLimit, r.Figure));
    }

    [Fact]
    public void OtaTimeGrowingAsInIssue16IsFlagged()
    {
        // 191 ms in the first hundred cycles, 559 ms in the last.
        DriftTable table = DriftTable.Of(Run(n => 191 + (559 - 191) * (n - 1) / 999.0, _ => 0.3))!;
        Assert.False(table.Flat);
        Assert.True(Row(table, "OTA time idle").Drifts);
        Assert.True(Row(table, "OTA time under load").Drifts);
        Assert.True(Row(table, "OTA time under load").Ratio > 2);
        Assert.False(Row(table, "preemption latency (p99)").Drifts);
    }

    [Fact]
    public void HostThreadsOrHeapThatGrowAreFlagged()
    {
        DriftTable threads = DriftTable.Of(Run(_ => 190, _ => 0.3, threads: n => 26 + n / 50))!;
        Assert.True(Row(threads, "host threads").Drifts);
        DriftTable heap = DriftTable.Of(Run(_ => 190, _ => 0.3, heap: n => 4_000_000 + n * 30_000L))!;
        Assert.True(Row(heap, "host heap").Drifts);
    }

    [Fact]
    public void APreemptionTailThatRisesIsDriftAndOneThatSpikesMidRunIsNoise()
    {
        // Rising: a slow cycle in every tenth, slower each tenth.
        DriftTable rising = DriftTable.Of(Run(_ => 190, n => n % 100 == 1 ? 2 + n / 50.0 : 0.3))!;
        Assert.True(Row(rising, "preemption latency (p99)").Drifts);

        // Noise: the last tenth's worst (10 ms) is above the first's (7 ms), but the third tenth had 36 ms.
        DriftTable noisy = DriftTable.Of(Run(_ => 190, n => n == 51 ? 7 : n == 251 ? 36 : n == 951 ? 10 : 0.3))!;
        DriftTable.Row p99 = Row(noisy, "preemption latency (p99)");
        Assert.True(p99.AboveLimit);
        Assert.True(p99.Noise);
        Assert.False(p99.Drifts);
        Assert.True(noisy.Flat);
    }

    [Fact]
    public void AMedianIsJudgedStrictlyEvenWhenATenthBetweenWasHigher()
    {
        DriftTable table = DriftTable.Of(Run(n => n > 900 ? 260 : n is > 300 and <= 400 ? 400 : 190, _ => 0.3))!;
        Assert.True(Row(table, "OTA time under load").Drifts);
    }

    [Fact]
    public void ARunTooShortHasNoTable()
    {
        Assert.Null(DriftTable.Of(Run(_ => 190, _ => 0.3).Take(DriftTable.MinimumCycles - 1).ToArray()));
        using var text = new StringWriter();
        DriftTable.Of(Run(_ => 190, _ => 0.3))!.Print(text);
        Assert.Contains("drift: none", text.ToString());
    }
}
