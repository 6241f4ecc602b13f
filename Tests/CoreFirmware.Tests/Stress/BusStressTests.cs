using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual;
using CoreFirmware.Virtual.Network;
using CoreFirmware.Virtual.Stress;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.Stress;

/// <summary>
/// CC3000 echo traffic and flash erase/program/verify at once on the shared SPI bus: clean with the
/// arbiter, broken without it (the negative run proves the test can fail).
/// </summary>
[Trait("Category", "Stress")]
public class BusStressTests
{
    private static readonly BusStressOptions Workload = new()
    {
        Sockets = 3,
        EchoBytesPerSocket = 128 * 1024,
        FlashRounds = 32,
        Deadline = TimeSpan.FromSeconds(60),
    };

    private readonly ITestOutputHelper _out;

    public BusStressTests(ITestOutputHelper output) => _out = output;

    private BusStressResult RunOnce(bool bypassArbiter)
    {
        using var echo = new LoopbackEchoServer();
        using var board = new VirtualBoard(new VirtualBoardOptions { BypassArbiter = bypassArbiter });
        board.PowerUp();
        // Without the arbiter the module can end up unreachable; a shorter deadline bounds that run.
        var workload = bypassArbiter ? Workload with { Deadline = TimeSpan.FromSeconds(15) } : Workload;
        var result = BusStress.Run(board, echo.Port, workload);
        _out.WriteLine(bypassArbiter ? "-- arbiter bypassed" : "-- arbiter on");
        foreach (var line in result.Describe()) _out.WriteLine(line);
        echo.Faults.AssertNone("echo server");
        if (!bypassArbiter) board.Faults.AssertNone("virtual board");
        return result;
    }

    [Fact]
    public void WithTheArbiterEveryByteIsVerifiedAndTheBusStaysClean()
    {
        var r = RunOnce(bypassArbiter: false);
        Assert.Equal(0, r.BusViolations);
        Assert.Equal(0, r.HungWorkers);
        Assert.Equal(0, r.WorkerFaults);
        Assert.Equal(0, r.ModuleRecoveries);
        Assert.Equal(0, r.ModuleFramingViolations);
        Assert.Equal(0, r.TotalSocketErrors);
        Assert.Equal(0, r.EchoMismatches);
        Assert.Equal(r.EchoBytesTarget, r.EchoBytesVerified);
        Assert.Empty(r.FlashErrors);
        Assert.Equal(0, r.FlashVerifyFailures);
        Assert.Equal(r.FlashRoundsTarget, r.FlashRoundsDone);
        Assert.True(r.Clean);
    }

    /// <summary>
    /// Negative run: the same workload with each driver serialising only its own transactions.
    /// Collisions depend on thread timing, so it gets a few tries to show one; on this workload the
    /// first try nearly always does.
    /// </summary>
    [Fact]
    public void WithoutTheArbiterTheSameWorkloadBreaks()
    {
        BusStressResult? r = null;
        for (int attempt = 1; attempt <= 5; attempt++)
        {
            r = RunOnce(bypassArbiter: true);
            if (r.ShowsBusFailure) break;
        }
        Assert.NotNull(r);
        Assert.True(r!.BusViolations > 0, "no bus violation without the arbiter: the stress test cannot tell");
        Assert.True(r.ShowsBusFailure, "violations, but no lost data, hung module or socket error");
        Assert.False(r.Clean);
    }
}
