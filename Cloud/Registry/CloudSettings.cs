using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoreFirmware.Cloud;

/// <summary>
/// The cloud's settings file (<c>cloud.json</c> in the registry folder): the access tokens the
/// REST API accepts. spark-server keeps OAuth tokens per user; the local cloud has one operator,
/// so a list of accepted tokens is enough. A new file gets one random 40-hex-digit token (the
/// length of spark-server's tokens).
/// </summary>
public sealed class CloudSettings
{
    /// <summary>File name inside the registry folder.</summary>
    public const string FileName = "cloud.json";

    /// <summary>Accepted access tokens.</summary>
    [JsonPropertyName("access_tokens")]
    public List<string> AccessTokens { get; set; } = new();

    /// <summary>A new random token: 20 random bytes as 40 lowercase hex digits.</summary>
    public static string NewToken() => Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();

    /// <summary>Reads <paramref name="path"/>; creates it with one new token when it does not exist.</summary>
    public static CloudSettings LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var loaded = JsonSerializer.Deserialize<CloudSettings>(File.ReadAllText(path));
            if (loaded != null && loaded.AccessTokens.Count > 0)
            {
                return loaded;
            }
        }

        var created = new CloudSettings { AccessTokens = { NewToken() } };
        created.Save(path);
        return created;
    }

    /// <summary>Writes the settings to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        OwnerOnlyFile.WriteAllText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));
    }
}
