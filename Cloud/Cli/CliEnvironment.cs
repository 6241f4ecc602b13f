namespace CoreFirmware.Cloud.Cli;

/// <summary>What corefw reads from its surroundings, replaceable in tests.</summary>
internal sealed class CliEnvironment
{
    public required string HomeDirectory { get; init; }

    public Func<string, string?> Variable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>How often `flash` polls the device info.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Output for System.CommandLine's own messages (help, parse errors); null = the process console.</summary>
    public TextWriter? Output { get; init; }

    public static CliEnvironment FromProcess() => new()
    {
        HomeDirectory = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
    };
}
