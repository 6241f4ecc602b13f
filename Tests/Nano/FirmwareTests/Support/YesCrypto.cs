namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// For negative runs and for sweeps that check integrity, not authenticity: the firmware's
    /// SHA-256 with the signature check switched off (every ECDSA verification says valid).
    /// </summary>
    public sealed class YesCrypto : CryptoBase
    {
        /// <inheritdoc />
        public override bool EcdsaP256Verify(byte[] publicKey, int publicKeyOffset, byte[] digest, int digestOffset, byte[] signature, int signatureOffset)
        {
            return true;
        }
    }
}
