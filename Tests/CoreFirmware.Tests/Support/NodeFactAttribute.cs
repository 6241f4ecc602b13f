using Xunit;

namespace CoreFirmware.Tests.Support;

/// <summary>
/// A fact that needs node and npm on PATH (the real spark-cli runs on node): skipped, with a message
/// that says so, only when one of them is missing; anything else that goes wrong fails the test.
/// </summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        string? missing = FindOnPath("node") == null ? "node" : FindOnPath("npm") == null ? "npm" : null;
        if (missing != null)
        {
            Skip = $"{missing} is not installed (apt-get install nodejs npm): the spark-cli 0.3.0 conformance test needs node and npm";
        }
    }

    /// <summary>The full path of <paramref name="program"/> on PATH, or null.</summary>
    public static string? FindOnPath(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
