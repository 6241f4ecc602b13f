namespace CoreFirmware.Virtual.Scenario;

/// <summary>placeholder</summary>
public static class LiveCommand
{
    public static int Run(string[] args) => SoakCommand.Run(args);
}
