using System.Net;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Cloud;

/// <summary>Limits and timeouts of the <see cref="DeviceServer"/>. Every wait is bounded by one of these.</summary>
public sealed class DeviceServerOptions
{
    /// <summary>Address to listen on (loopback only: the local cloud is for this machine).</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 = ephemeral (read <see cref="DeviceServer.EndPoint"/> after start).</summary>
    public int Port { get; set; } = SparkProtocol.Port;

    /// <summary>Connections served at once; more are closed at once with a logged reason.</summary>
    public int MaxConnections { get; set; } = 64;

    /// <summary>Each handshake read (the 256-byte reply) must arrive within this (spark-protocol: 30 s).</summary>
    public TimeSpan HandshakeStepTimeout { get; set; } = TimeSpan.FromMilliseconds(SparkProtocol.HandshakeStepTimeoutMilliseconds);

    /// <summary>The device's Hello must arrive within this after the session key was sent.</summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromMilliseconds(SparkProtocol.HandshakeStepTimeoutMilliseconds);

    /// <summary>
    /// A connected device that sends nothing for this long is dropped. The Core pings about every
    /// 15 s; spark-protocol 0.1.6 relies on TCP keep-alive alone, we bound it explicitly.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>One frame write must complete within this, else the link is dropped.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Drop reasons kept for <see cref="DeviceServer.RecentDrops"/>.</summary>
    public int DropHistory { get; set; } = 100;
}
