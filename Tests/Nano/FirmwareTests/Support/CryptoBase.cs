using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Crypto;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// The tests' crypto providers start here: SHA-256 and ECDSA from the firmware's ManagedImageCrypto
    /// (what a device has), RSA, AES and HMAC not provided. Each provider overrides what it changes.
    /// </summary>
    public abstract class CryptoBase : ICrypto
    {
        private readonly ManagedImageCrypto _managed = new ManagedImageCrypto();

        /// <inheritdoc />
        public virtual int RsaEncrypt(byte[] publicKeyDer, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public virtual int RsaDecrypt(byte[] privateKeyDer, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public virtual int RsaSignRaw(byte[] privateKeyDer, byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public virtual bool RsaVerifyRaw(byte[] publicKeyDer, byte[] signature, int signatureOffset, int signatureCount, byte[] expected, int expectedOffset, int expectedCount)
        {
            return false;
        }

        /// <inheritdoc />
        public virtual int AesCbcEncrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public virtual int AesCbcDecrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public virtual int HmacSha1(byte[] key, int keyOffset, int keyCount, byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public virtual int Sha256(byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset)
        {
            return _managed.Sha256(data, dataOffset, dataCount, output, outputOffset);
        }

        /// <inheritdoc />
        public virtual bool EcdsaP256Verify(byte[] publicKey, int publicKeyOffset, byte[] digest, int digestOffset, byte[] signature, int signatureOffset)
        {
            return _managed.EcdsaP256Verify(publicKey, publicKeyOffset, digest, digestOffset, signature, signatureOffset);
        }
    }
}
