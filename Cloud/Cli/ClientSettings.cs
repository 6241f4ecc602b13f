using System.Text.Json;
using System.Text.Json.Nodes;

namespace CoreFirmware.Cloud.Cli;

/// <summary>
/// Where corefw finds the cloud and its token, in the manner of spark-cli's
/// <c>~/.spark/spark.config.json</c>: a JSON file <c>~/.corefw/corefw.config.json</c> with
/// <c>apiUrl</c> and <c>access_token</c>. Precedence: command-line option, then environment
/// (<c>COREFW_API_URL</c>, <c>COREFW_ACCESS_TOKEN</c>), then the file (path from
/// <c>--config</c> or <c>COREFW_CONFIG</c>), then the default URL http://127.0.0.1:8080.
/// </summary>
internal sealed class ClientSettings
{
    public const string DefaultApiUrl = "http://127.0.0.1:8080";
    public const string EnvApiUrl = "COREFW_API_URL";
    public const string EnvToken = "COREFW_ACCESS_TOKEN";
    public const string EnvConfig = "COREFW_CONFIG";

    public required string ConfigPath { get; init; }

    public required string ApiUrl { get; init; }

    public string? AccessToken { get; init; }

    public static string DefaultConfigPath(CliEnvironment env) =>
        env.Variable(EnvConfig) ?? Path.Combine(env.HomeDirectory, ".corefw", "corefw.config.json");

    public static ClientSettings Load(CliEnvironment env, string? configOption, string? apiUrlOption, string? tokenOption)
    {
        string path = configOption ?? DefaultConfigPath(env);
        string? fileUrl = null;
        string? fileToken = null;
        if (File.Exists(path))
        {
            JsonNode? node = JsonNode.Parse(File.ReadAllText(path));
            fileUrl = node?["apiUrl"]?.GetValue<string>();
            fileToken = node?["access_token"]?.GetValue<string>();
        }

        return new ClientSettings
        {
            ConfigPath = path,
            ApiUrl = apiUrlOption ?? env.Variable(EnvApiUrl) ?? fileUrl ?? DefaultApiUrl,
            AccessToken = tokenOption ?? env.Variable(EnvToken) ?? fileToken,
        };
    }

    /// <summary>Writes apiUrl and access_token into the file, keeping any other keys.</summary>
    public static void Save(string path, string apiUrl, string token)
    {
        JsonObject root = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? new JsonObject() : new JsonObject();
        root["apiUrl"] = apiUrl;
        root["access_token"] = token;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
