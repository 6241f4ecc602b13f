namespace CoreFirmware.Virtual;

/// <summary>Dispatches the runner's commands.</summary>
public static class VirtualCoreCommands
{
    public static int Run(string[] args)
    {
        string command = args.Length > 0 ? args[0] : "help";
        switch (command)
        {
            default:
                Console.WriteLine("usage: dotnet run --project nf-targets/Virtual -- <command>");
                Console.WriteLine("commands: (none yet)");
                return command == "help" ? 0 : 2;
        }
    }
}
