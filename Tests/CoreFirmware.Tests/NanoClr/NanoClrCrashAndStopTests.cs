using System.Diagnostics;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual;
using CoreFirmware.Virtual.NanoClr;
using CoreFirmware.Virtual.Sst25;
using Xunit;

namespace CoreFirmware.Tests.NanoClr;

/// <summary>
/// The ends of a nanoCLR run: a crash of the interpreter itself is reported with the last native call
/// (in a child process: the crash ends the process that hosts nanoCLR, as it stops an MCU), and a
/// running program stops on request even while its threads wait for an edge.
/// </summary>
[Trait("Category", "NanoClr")]
[Collection("NanoClr")]
public sealed class NanoClrCrashAndStopTests
{
    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task ANanoClrCrashIsReportedWithTheLastNativeCall()
    {
        string program = NanoClrBuild.Program("HeapExhaustion");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = DeviceBuildOutput.RepoRoot };
        psi.ArgumentList.Add(VirtualRunnerDll());
        foreach (var a in new[] { "nanoclr", "--seconds", "60", "--lib", NanoClrBuild.LibraryPath, program }) psi.ArgumentList.Add(a);
        // nanoCLR's collector crashes on a small heap instead of throwing OutOfMemoryException (its known defect).
        psi.Environment["NANOCLR_HEAP_SIZE"] = "256K";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1.5)))
        {
            try
            {
                await process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("the crashing program's process did not end within 1.5 minutes");
            }
        }
        string output = await stdout, errors = await stderr;

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("nanoCLR crashed: signal 11 (SIGSEGV); last native call: NativeRgbLed.SetColor(255, 0, 0)", errors);
        Assert.DoesNotContain("nanoclr: program ended", output);
    }

    [Fact]
    public void StopEndsTheInterpreterWhileAThreadWaitsForAnEdgeAndTheNextBootRunsAfresh()
    {
        using var board = new VirtualBoard(new VirtualBoardOptions { FlashTiming = Sst25TimingProfile.Fast });
        // The probe's edge check waits for a CC3000 that takes a minute to boot: it is waiting when Stop comes.
        board.Cc3000.Model.BootDelayMilliseconds = 60_000;
        var hal = new VirtualBoardHal(board);
        var host = new NanoClrHost(hal, NanoClrBuild.LibraryPath);
        using var waiting = new ManualResetEventSlim(false);
        host.Line += line =>
        {
            if (line == "@@edges begin") waiting.Set();
        };
        foreach (var pe in NanoClrPaths.BasePe()) host.Load(pe);
        host.Load(NanoClrBuild.Program("NanoHalProbe"));
        host.Start();
        Assert.True(waiting.Wait(TimeSpan.FromMinutes(2)), "the probe did not reach its edge wait: " + string.Join('\n', host.Lines));

        Assert.True(host.Stop(TimeSpan.FromSeconds(30)), "nanoCLR did not stop within 30 s of the request");
        hal.Detach();

        Assert.True(host.HasExited);
        Assert.DoesNotContain(host.Lines, l => l.StartsWith("probe done"));
        Assert.StartsWith("NativeGpio.", host.LastNativeCall);

        // The next boot of the same MCU (the same nanoCLR library): the board resets, the program runs again.
        board.Reset();
        board.Cc3000.Model.BootDelayMilliseconds = 5;
        foreach (var pe in NanoClrPaths.BasePe()) host.Load(pe);
        host.Load(NanoClrBuild.Program("NanoHalProbe"));
        host.Start();
        Assert.True(host.WaitForExit(TimeSpan.FromMinutes(2)), "the second boot did not end: " + string.Join('\n', host.Lines.TakeLast(20)));
        hal.Detach();
        Assert.Equal(2, host.Runs);
        Assert.Contains("probe done: 12 passed, 0 failed", host.Lines);
    }

    private static string VirtualRunnerDll()
    {
        string here = Path.Combine(AppContext.BaseDirectory, "CoreFirmware.Virtual.dll");
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, "CoreFirmware.Virtual.runtimeconfig.json"))) return here;
        string config = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        return Path.Combine(DeviceBuildOutput.RepoRoot, "nf-targets", "Virtual", "bin", config, "net10.0", "CoreFirmware.Virtual.dll");
    }
}
