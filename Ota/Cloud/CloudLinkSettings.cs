using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Ota.Cloud
{
    /// <summary>
    /// Where the cloud is, who the device is, and the link's time bounds. Fill it in before creating
    /// the <see cref="CloudLink"/>; the link reads it, never changes it.
    /// </summary>
    public sealed class CloudLinkSettings
    {
        /// <summary>Cloud host name, resolved at every attempt; null to use <see cref="Ipv4Address"/>.</summary>
        public string HostName;

        /// <summary>Cloud IPv4 address (host order, a.b.c.d = a &lt;&lt; 24 | ...), used when <see cref="HostName"/> is null.</summary>
        public uint Ipv4Address = 0x7F000001;

        /// <summary>Cloud TCP port (5683).</summary>
        public int Port = SparkProtocol.Port;

        /// <summary>The 12-byte device id.</summary>
        public byte[] DeviceId;

        /// <summary>The device's RSA-1024 public key, DER (SubjectPublicKeyInfo), sent in the handshake.</summary>
        public byte[] DevicePublicKeyDer;

        /// <summary>The device's RSA-1024 private key, DER (PKCS#1 RSAPrivateKey or PKCS#8).</summary>
        public byte[] DevicePrivateKeyDer;

        /// <summary>The cloud's RSA-2048 public key, DER.</summary>
        public byte[] ServerPublicKeyDer;

        /// <summary>Product id in the device's Hello.</summary>
        public int ProductId;

        /// <summary>Firmware version in the device's Hello.</summary>
        public int FirmwareVersion;

        /// <summary>Bound on resolving, opening and connecting (each).</summary>
        public int ConnectTimeoutMilliseconds = 10000;

        /// <summary>Bound on each handshake read and on the wait for the cloud's Hello (spark-protocol: 30 s).</summary>
        public int HandshakeStepTimeoutMilliseconds = SparkProtocol.HandshakeStepTimeoutMilliseconds;

        /// <summary>Bound on sending one message.</summary>
        public int SendTimeoutMilliseconds = 5000;

        /// <summary>The device pings the cloud this often (15 s).</summary>
        public int KeepAliveMilliseconds = 15000;

        /// <summary>A ping not acknowledged within this drops the link.</summary>
        public int PingTimeoutMilliseconds = 10000;

        /// <summary>First reconnect delay; doubles after each failed attempt (1 s).</summary>
        public int ReconnectMinMilliseconds = 1000;

        /// <summary>Cap of the reconnect delay (30 s).</summary>
        public int ReconnectMaxMilliseconds = 30000;
    }
}
