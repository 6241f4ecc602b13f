namespace CoreFirmware.Cloud;

/// <summary>
/// A device's identity as the device needs it: id (12 bytes), RSA-1024 public key (DER
/// SubjectPublicKeyInfo, what DeviceHandshake sends) and private key (DER PKCS#1 RSAPrivateKey),
/// plus the cloud's image public key.
/// </summary>
public sealed record DeviceKeyPair(byte[] Id, byte[] PublicKeyDer, byte[] PrivateKeyDer)
{
    /// <summary>
    /// The cloud's image public key (65-byte uncompressed P-256 point) the device must be provisioned
    /// with to accept the images this cloud signs (DeviceKeys.ImagePublicKey); set by
    /// <see cref="DeviceRegistry.CreateDevice"/>, null when the pair was made elsewhere.
    /// </summary>
    public byte[]? ImagePublicKey { get; init; }

    /// <summary>The id as 24 lowercase hex characters.</summary>
    public string IdHex => DeviceIds.ToHex(Id);
}
