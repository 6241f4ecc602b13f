using CoreFirmware.Virtual.NanoClr;
using CoreFirmware.Virtual.PowerCut;
using CoreFirmware.Virtual.Runner;
using CoreFirmware.Virtual.Scenario;
using CoreFirmware.Virtual.Stress;

namespace CoreFirmware.Virtual;

/// <summary>Dispatches the runner's commands.</summary>
public static class VirtualCoreCommands
{
    public static int Run(string[] args)
    {
        string command = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : "live";
        if (args.Length == 0 || args[0].StartsWith("--")) args = new[] { "live" }.Concat(args).ToArray();
        string[] rest = args.Skip(1).ToArray();
        switch (command)
        {
            case "live":
                return LiveCommand.Run(rest);
            case "soak":
                return SoakCommand.Run(rest);
            case "core":
                return CoreCommand.Run(rest);
            case "app":
                return TickerAppCommand.Run(rest);
            case "bus-stress":
                return BusStressCommand.Run(rest);
            case "power-cut-sweep":
                return PowerCutSweepCommand.Run(rest);
            case "nanoclr":
                return NanoClrCommand.Run(rest);
            default:
                Console.WriteLine("usage: dotnet run --project nf-targets/Virtual -- <command> [flags]");
                Console.WriteLine("commands:");
                Console.WriteLine("  live         (default) cloud + ticker server + virtual Core running the ticker app; flashes a new app version every cycle, live view");
                Console.WriteLine("               " + ScenarioArgs.Usage);
                Console.WriteLine("  soak         the same scenario headless with faults (default --cycles 100 --faults all), one line per cycle, exit code,");
                Console.WriteLine("               the summary and its drift table (first against last tenth); --census: what the host holds after every cycle");
                Console.WriteLine("  core         cloud + ticker server + virtual Core, no automatic flashing: prints how to sign and flash your app with corefw");
                Console.WriteLine("  app          the Bitcoin ticker app alone on the virtual Core against a local ticker server (--seconds N, --quiet)");
                Console.WriteLine("  bus-stress   CC3000 echo traffic and flash erase/program/verify at once on the shared SPI bus");
                Console.WriteLine("  power-cut-sweep  cut the power at every flash operation of a full update; count bricks");
                Console.WriteLine("  nanoclr      run a .pe on nanoCLR with the native HAL bridge over a fresh virtual board: " + NanoClrCommand.Usage);
                return command == "help" ? 0 : 2;
        }
    }
}
