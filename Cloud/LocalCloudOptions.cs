using CoreFirmware.Ota.Protocol;
using Microsoft.Extensions.Logging;

namespace CoreFirmware.Cloud;

/// <summary>What <see cref="LocalCloud.StartAsync"/> needs.</summary>
public sealed class LocalCloudOptions
{
    /// <summary>The registry folder (server key, device keys, cloud.json with the access tokens). Created if missing.</summary>
    public required string RegistryFolder { get; init; }

    /// <summary>Device (protocol) port; default 5683, 0 = ephemeral.</summary>
    public int DevicePort { get; init; } = SparkProtocol.Port;

    /// <summary>REST API port; default 8080 (spark-server), 0 = ephemeral.</summary>
    public int ApiPort { get; init; } = CloudApiOptions.DefaultPort;

    /// <summary>Access tokens to accept in addition to those in cloud.json (e.g. a test's fixed token).</summary>
    public IReadOnlyList<string> ExtraAccessTokens { get; init; } = Array.Empty<string>();

    /// <summary>Device server limits and timeouts (its Port is replaced by <see cref="DevicePort"/>).</summary>
    public DeviceServerOptions? Server { get; init; }

    /// <summary>REST API settings (its Port is replaced by <see cref="ApiPort"/>).</summary>
    public CloudApiOptions? Api { get; init; }

    /// <summary>Where logs go; null = nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
