using System.Diagnostics;
using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Virtual.NanoClr;

/// <summary>
/// <c>nanoclr [--seconds N] [--deploy DIR] [--lib FILE] [--fast-flash] [--verbose] program.pe [more.pe ...]</c>: runs a
/// program on nanoCLR with the HAL bridge over a fresh virtual board. mscorlib, the system and the
/// board support come from the device build's deploy folder; the program's lines go to stdout, then one
/// summary line. Exit code 0 when the program ended by itself, 3 when it was stopped after N seconds.
/// </summary>
public static class NanoClrCommand
{
    public const string Usage = "nanoclr [--seconds N (60)] [--deploy DIR] [--lib FILE] [--fast-flash] [--verbose] program.pe [more.pe ...]";

    public static int Run(string[] args)
    {
        int seconds = 60;
        string? deploy = null, lib = null;
        bool fastFlash = false, verbose = false;
        var programs = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length: seconds = int.Parse(args[++i]); break;
                case "--deploy" when i + 1 < args.Length: deploy = args[++i]; break;
                case "--lib" when i + 1 < args.Length: lib = args[++i]; break;
                case "--fast-flash": fastFlash = true; break;
                case "--verbose": verbose = true; break;
                default:
                    if (args[i].StartsWith("--") || !args[i].EndsWith(".pe", StringComparison.Ordinal))
                    {
                        Console.Error.WriteLine("usage: " + Usage);
                        return 2;
                    }
                    programs.Add(args[i]);
                    break;
            }
        }
        if (programs.Count == 0)
        {
            Console.Error.WriteLine("usage: " + Usage);
            return 2;
        }
        var files = NanoClrPaths.BasePe(deploy).Concat(programs).ToList();
        foreach (var f in files.Where(f => !File.Exists(f)))
        {
            Console.Error.WriteLine($"nanoclr: {f} is missing (run the device build: dotnet build nf-targets/SparkCore/DeviceBuild -c Release)");
            return 2;
        }

        using var board = new VirtualBoard(new VirtualBoardOptions
        {
            FlashTiming = fastFlash ? Sst25TimingProfile.Fast : Sst25TimingProfile.Realistic,
        });
        var hal = new VirtualBoardHal(board);
        using var host = new NanoClrHost(hal, lib);
        // nanoCLR's own start-up report (assembly tables, sizes) comes before "Ready.": shown with --verbose.
        bool ready = verbose;
        host.Line += line =>
        {
            if (ready) Console.WriteLine(line);
            else if (line == "Ready.") ready = true;
        };
        foreach (var f in files) host.Load(f);
        var clock = Stopwatch.StartNew();
        host.Start();
        bool ended = host.WaitForExit(TimeSpan.FromSeconds(seconds));
        if (!ended) host.Stop(TimeSpan.FromSeconds(10));
        hal.Detach();
        Console.WriteLine($"nanoclr: {(ended ? "program ended" : $"stopped after {seconds} s")} in {clock.Elapsed.TotalSeconds:F1} s; " +
            $"{host.NativeCalls} native calls, {host.Failures} failed in the board; last native call {host.LastNativeCall}; " +
            $"bus violations {board.Bus.ViolationCount}; board faults {board.Faults.Count}");
        return ended ? 0 : 3;
    }
}
