using CoreFirmware.Virtual.Stress;

namespace CoreFirmware.Virtual;

/// <summary>Dispatches the runner's commands.</summary>
public static class VirtualCoreCommands
{
    public static int Run(string[] args)
    {
        string command = args.Length > 0 ? args[0] : "help";
        string[] rest = args.Skip(1).ToArray();
        switch (command)
        {
            case "bus-stress":
                return BusStressCommand.Run(rest);
            default:
                Console.WriteLine("usage: dotnet run --project nf-targets/Virtual -- <command> [flags]");
                Console.WriteLine("commands:");
                Console.WriteLine("  bus-stress   CC3000 echo traffic and flash erase/program/verify at once on the shared SPI bus");
                return command == "help" ? 0 : 2;
        }
    }
}
