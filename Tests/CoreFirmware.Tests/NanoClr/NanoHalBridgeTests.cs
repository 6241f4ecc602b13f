using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual;
using CoreFirmware.Virtual.NanoClr;
using CoreFirmware.Virtual.Sst25;
using Xunit;

namespace CoreFirmware.Tests.NanoClr;

/// <summary>
/// The native HAL bridge: a device program (Tests/DevicePrograms/NanoHalProbe) interpreted by nanoCLR
/// in this process drives the virtual board's models through the natives of CoreFirmware.VirtualNanoClr,
/// and the models show what it did: SST25 bytes written through the firmware's own driver, CC3000 IRQ
/// edges arriving as nanoCLR events (with no native calls while it waits), clock, internal flash,
/// watchdog, Serial1, the RGB LED; a model's exception arrives as a managed exception with its reason.
/// </summary>
[Trait("Category", "NanoClr")]
[Collection("NanoClr")]
public sealed class NanoHalBridgeTests
{
    private static readonly TimeSpan ProgramBound = TimeSpan.FromMinutes(3);

    private sealed record ProbeRun(VirtualBoard Board, NanoClrHost Host, IReadOnlyList<string> Lines, long EdgeWindowCalls);

    private static ProbeRun RunProbe(VirtualBoard board)
    {
        var hal = new VirtualBoardHal(board);
        var host = new NanoClrHost(hal, NanoClrBuild.LibraryPath);
        long edgesBegin = -1, edgesEnd = -1;
        // Raised on the interpreter thread, in order: the call count is exact at each marker.
        host.Line += line =>
        {
            if (line == "@@edges begin") edgesBegin = host.NativeCalls;
            else if (line == "@@edges end") edgesEnd = host.NativeCalls;
        };
        foreach (var pe in NanoClrPaths.BasePe()) host.Load(pe);
        host.Load(NanoClrBuild.Program("NanoHalProbe"));
        host.Start();
        bool ended = host.WaitForExit(ProgramBound);
        if (!ended) host.Stop(TimeSpan.FromSeconds(10));
        hal.Detach();
        Assert.True(ended, $"the probe did not end within {ProgramBound}; last native call {host.LastNativeCall}; output:\n{string.Join('\n', host.Lines)}");
        return new ProbeRun(board, host, host.Lines, edgesEnd >= 0 && edgesBegin >= 0 ? edgesEnd - edgesBegin : -1);
    }

    [Fact]
    public void TheProbePassesEveryCheckAndTheModelsShowWhatItDid()
    {
        using var board = new VirtualBoard(new VirtualBoardOptions { FlashTiming = Sst25TimingProfile.Fast });
        // Long enough that a bridge that polled for edges would make many calls while it waits.
        board.Cc3000.Model.BootDelayMilliseconds = 200;

        var run = RunProbe(board);
        string output = string.Join('\n', run.Lines);

        Assert.Contains("probe done: 12 passed, 0 failed", output);
        Assert.DoesNotContain(": FAIL", output);

        // SST25: the 300 bytes the firmware's driver programmed at 0x1F0005.
        var written = new byte[300];
        board.FlashModel.Peek(0x1F0005, written);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (byte)(i * 7 + 3)), written);
        // CC3000: three power cycles, one IRQ fall and rise each.
        Assert.Equal(3, board.Cc3000.Model.PowerUps);
        // Internal flash: the 4 bytes at the last page + 8.
        var flash = new byte[4];
        board.InternalFlash.Peek(board.InternalFlash.Size - board.InternalFlash.PageSize + 8, flash);
        Assert.Equal(new byte[] { 0x12, 0x34, 0x56, 0x78 }, flash);
        Assert.True(board.Watchdog.IsRunning);
        Assert.Equal(600_000, board.Watchdog.TimeoutMilliseconds);
        Assert.True(board.Watchdog.FeedCount >= 5);
        Assert.Contains("probe serial", board.Serial1.LastLines(10));
        Assert.Equal((0, 40, 200), (board.RgbLed.Current.Red, board.RgbLed.Current.Green, board.RgbLed.Current.Blue));

        // Two calls failed in the board (PGERR, no pin 99) and came back as managed exceptions.
        Assert.Equal(2, run.Host.Failures);
        Assert.Equal(0, board.Bus.ViolationCount);
        Assert.Equal(0, board.Faults.Count);
    }

    [Fact]
    public void EdgesArriveAsEventsWithoutNativeCallsWhileWaiting()
    {
        using var board = new VirtualBoard(new VirtualBoardOptions { FlashTiming = Sst25TimingProfile.Fast });
        board.Cc3000.Model.BootDelayMilliseconds = 200;

        var run = RunProbe(board);

        Assert.Contains(run.Lines, l => l.StartsWith("probe gpio-edges: ok 3 falling, 3 rising, dispatcher delivered 6"));
        // Per round: WLAN_EN high, IRQ read, WLAN_EN low. Three rounds of 200 ms boot delay each: a bridge
        // that polled the IRQ pin would make hundreds of calls in that time.
        Assert.InRange(run.EdgeWindowCalls, 9, 12);
    }

    [Fact]
    public void AModelExceptionBecomesTheFirmwaresExceptionWithTheModelsReason()
    {
        using var board = new VirtualBoard(new VirtualBoardOptions { FlashTiming = Sst25TimingProfile.Fast });

        var run = RunProbe(board);

        // The internal flash model threw InternalFlashException (PGERR): the firmware caught its own type.
        Assert.Contains(run.Lines, l => l.StartsWith("probe internal-flash-pgerr: ok NativeInternalFlash.Program: InternalFlashException: PGERR"));
        // A part the board does not have: NativeHalException, code NoSuchPart, the board's words.
        Assert.Contains(run.Lines, l => l.StartsWith("probe no-such-part: ok NativeSpi.Open: KeyNotFoundException: no pin 99 on the board"));
        Assert.Equal(NanoHalFailure.NoSuchPart, run.Host.LastFailure!.Code);
        // A range outside the array is refused by the native side before the board sees a byte.
        Assert.Contains(run.Lines, l => l.StartsWith("probe bad-range: ok"));
        Assert.Equal(0, board.Bus.ViolationCount);
    }
}
