using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Crypto;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// For negative runs only: ManagedImageCrypto with the signature check switched off (every ECDSA
    /// verification says valid), to show what the real check is there to stop.
    /// </summary>
    public sealed class YesCrypto : ICrypto
    {
        private readonly ManagedImageCrypto _real = new ManagedImageCrypto();

        /// <inheritdoc />
        public int RsaEncrypt(byte[] publicKeyDer, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public int RsaDecrypt(byte[] privateKeyDer, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public int RsaSignRaw(byte[] privateKeyDer, byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public bool RsaVerifyRaw(byte[] publicKeyDer, byte[] signature, int signatureOffset, int signatureCount, byte[] expected, int expectedOffset, int expectedCount)
        {
            return false;
        }

        /// <inheritdoc />
        public int AesCbcEncrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public int AesCbcDecrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public int HmacSha1(byte[] key, int keyOffset, int keyCount, byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset)
        {
            return CryptoStatus.NotSupported;
        }

        /// <inheritdoc />
        public int Sha256(byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset)
        {
            return _real.Sha256(data, dataOffset, dataCount, output, outputOffset);
        }

        /// <inheritdoc />
        public bool EcdsaP256Verify(byte[] publicKey, int publicKeyOffset, byte[] digest, int digestOffset, byte[] signature, int signatureOffset)
        {
            return true;
        }
    }
}
