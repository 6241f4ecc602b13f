namespace CoreFirmware.Cloud;

/// <summary>
/// A device's identity as the device needs it: id (12 bytes), RSA-1024 public key (DER
/// SubjectPublicKeyInfo, what DeviceHandshake sends) and private key (DER PKCS#1 RSAPrivateKey).
/// </summary>
public sealed record DeviceKeyPair(byte[] Id, byte[] PublicKeyDer, byte[] PrivateKeyDer)
{
    /// <summary>The id as 24 lowercase hex characters.</summary>
    public string IdHex => DeviceIds.ToHex(Id);
}
