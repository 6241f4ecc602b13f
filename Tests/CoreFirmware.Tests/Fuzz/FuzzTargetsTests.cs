using CoreFirmware.Fuzz;
using CoreFirmware.Fuzz.Engine;
using Xunit;

namespace CoreFirmware.Tests.Fuzz;

/// <summary>
/// The fuzz targets (Tests/Fuzz) run briefly in CI: a fixed number of inputs from a fixed seed, so a
/// failure reproduces with the same command. Longer runs: README.md, "Fuzzing". The runner itself
/// is shown to report what it is for: an exception, a broken invariant, a hang.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class FuzzTargetsTests
{
    public static TheoryData<string> Targets() => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public void TargetRunsItsCiBudgetWithoutAFinding(string target)
    {
        long budget = FuzzTargets.CiIterations(target);
        FuzzReport report = FuzzTargets.Run(target, budget, TimeSpan.FromMinutes(3), seed: 12);
        Assert.True(report.Findings.Count == 0, string.Join("\n", report.Findings) +
            $"\nreplay: save the input as a file, then dotnet run -c Release --project Tests/Fuzz -- replay {target} <file>");
        Assert.Equal(budget, report.Iterations); // not cut short by the 3-minute cap
        Assert.True(report.Outcomes > 3, $"{target}: only {report.Outcomes} distinct outcomes");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void TargetHasASeedCorpus(string target)
    {
        Assert.True(FuzzCorpus.Load(target).Count >= 5, $"{target}: fewer than 5 seeds in {FuzzCorpus.Folder(target)}");
    }

    private sealed class PlantedTarget(Func<byte[], string> run) : IFuzzTarget
    {
        public string Name => "planted";
        public int MaxInputLength => 64;
        public IReadOnlyList<byte[]> Dictionary { get; } = [[0x42]];
        public string Run(byte[] input) => run(input);
    }

    private static FuzzReport RunPlanted(Func<byte[], string> run, TimeSpan? hangBound = null) =>
        new FuzzRunner(new PlantedTarget(run), [[1, 2, 3], [4, 5]], seed: 1) { HangBound = hangBound ?? TimeSpan.FromSeconds(10) }
            .Run(200_000, TimeSpan.FromMinutes(1));

    [Fact]
    public void RunnerReportsAnExceptionWithItsInput()
    {
        FuzzReport report = RunPlanted(input => input.Contains((byte)0x42) ? throw new IndexOutOfRangeException("planted") : "fine");
        FuzzFinding finding = Assert.Single(report.Findings);
        Assert.Equal("exception", finding.Kind);
        Assert.Contains("IndexOutOfRangeException", finding.Detail);
        Assert.Contains((byte)0x42, finding.Input);
    }

    [Fact]
    public void RunnerReportsABrokenInvariant()
    {
        FuzzReport report = RunPlanted(input =>
        {
            FuzzInvariantException.Check(input.Length < 10, "too long");
            return input.Length.ToString();
        });
        FuzzFinding finding = Assert.Single(report.Findings);
        Assert.Equal("invariant", finding.Kind);
        Assert.True(finding.Input.Length >= 10);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunnerReportsAHangAndStops(bool spinning)
    {
        using var release = new ManualResetEventSlim(false);
        try
        {
            // A loop is caught by its processor time, a wait that never ends by the clock.
            FuzzReport report = RunPlanted(input =>
            {
                if (input.Length > 20)
                {
                    if (spinning) SpinUntil(release);
                    else release.Wait(TimeSpan.FromMinutes(1));
                }

                return "ok";
            }, TimeSpan.FromMilliseconds(300));
            FuzzFinding finding = Assert.Single(report.Findings);
            Assert.Equal("hang", finding.Kind);
            Assert.True(finding.Input.Length > 20);
        }
        finally
        {
            release.Set();
        }
    }

    private static void SpinUntil(ManualResetEventSlim release)
    {
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (!release.IsSet && limit.Elapsed < TimeSpan.FromMinutes(1))
        {
        }
    }
}
