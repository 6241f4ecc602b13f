using System.Security.Cryptography;

namespace CoreFirmware.Tests.Protocol;

/// <summary>RSA keys generated once per test run: the Core's 1024-bit device key, the cloud's
/// 2048-bit server key, and a second key of each size for "wrong key" cases.</summary>
internal static class ProtocolTestKeys
{
    internal sealed record KeyPair(byte[] PublicSpki, byte[] PrivatePkcs1, int Bits);

    private static readonly Lazy<KeyPair> DeviceKey = new(() => Make(1024));
    private static readonly Lazy<KeyPair> ServerKey = new(() => Make(2048));
    private static readonly Lazy<KeyPair> OtherDeviceKey = new(() => Make(1024));
    private static readonly Lazy<KeyPair> OtherServerKey = new(() => Make(2048));

    public static KeyPair Device => DeviceKey.Value;
    public static KeyPair Server => ServerKey.Value;
    public static KeyPair OtherDevice => OtherDeviceKey.Value;
    public static KeyPair OtherServer => OtherServerKey.Value;

    private static KeyPair Make(int bits)
    {
        using var rsa = RSA.Create(bits);
        return new KeyPair(rsa.ExportSubjectPublicKeyInfo(), rsa.ExportRSAPrivateKey(), bits);
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
}
