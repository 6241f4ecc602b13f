using CoreFirmware.Virtual.PowerCut;
using CoreFirmware.Virtual.Runner;
using CoreFirmware.Virtual.Stress;

namespace CoreFirmware.Virtual;

/// <summary>Dispatches the runner's commands.</summary>
public static class VirtualCoreCommands
{
    public static int Run(string[] args)
    {
        string command = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : "app";
        if (args.Length > 0 && args[0].StartsWith("--")) args = new[] { "app" }.Concat(args).ToArray();
        string[] rest = args.Skip(1).ToArray();
        switch (command)
        {
            case "app":
                return TickerAppCommand.Run(rest);
            case "bus-stress":
                return BusStressCommand.Run(rest);
            case "power-cut-sweep":
                return PowerCutSweepCommand.Run(rest);
            default:
                Console.WriteLine("usage: dotnet run --project nf-targets/Virtual -- <command> [flags]");
                Console.WriteLine("commands:");
                Console.WriteLine("  app          (default) the Bitcoin ticker app on the virtual Core against a local ticker server");
                Console.WriteLine("  bus-stress   CC3000 echo traffic and flash erase/program/verify at once on the shared SPI bus");
                Console.WriteLine("  power-cut-sweep  cut the power at every flash operation of a full update; count bricks");
                return command == "help" ? 0 : 2;
        }
    }
}
