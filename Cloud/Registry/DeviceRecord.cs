namespace CoreFirmware.Cloud;

/// <summary>A registered device: its id (24 lowercase hex), optional name and RSA-1024 public key (DER).</summary>
public sealed record DeviceRecord(string Id, string? Name, byte[] PublicKeyDer);
