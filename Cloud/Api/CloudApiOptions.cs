using System.Net;

namespace CoreFirmware.Cloud;

/// <summary>Settings of the REST API.</summary>
public sealed class CloudApiOptions
{
    /// <summary>spark-server's HTTP port (main.js NODE_PORT default).</summary>
    public const int DefaultPort = 8080;

    /// <summary>Address to bind (loopback only).</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>Port; 0 = ephemeral (read <see cref="CloudApi.BaseAddress"/> after start).</summary>
    public int Port { get; set; } = DefaultPort;

    /// <summary>
    /// Largest image accepted: the staging slot on the Spark Core flash map (640 KB). Larger files
    /// get spark-protocol's "Update failed - File was too big!".
    /// </summary>
    public int MaxImageBytes { get; set; } = 640 * 1024;

    /// <summary>How long PUT waits for the device's UpdateReady (or refusal) before answering, as
    /// spark-server answers only once the update started; bounded by spark-server's 90 s flash timeout.</summary>
    public TimeSpan StartWait { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>Defaults for flashes started through the API (chunk size, timeouts); `fast` comes from the request.</summary>
    public Func<FlashOptions> FlashDefaults { get; set; } = () => new FlashOptions();
}
