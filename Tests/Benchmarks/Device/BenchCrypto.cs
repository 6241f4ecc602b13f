#nullable disable
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Image;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>
    /// Crypto with SHA-256 (the firmware's own <see cref="Ota.Image.Sha256"/>) and an ECDSA
    /// verification that accepts every signature, so an image verification over it times the header,
    /// trailer and SHA-256 work alone (next to the whole verification over ManagedImageCrypto); and the
    /// start-up objects' crypto, which they only hold. RSA, AES and HMAC are not offered.
    /// </summary>
    public sealed class BenchCrypto : ICrypto
    {
        private readonly Sha256 _sha = new Sha256();
        private int _ecdsaCalls;

        /// <summary>Verifications asked for (each one accepted without any ECDSA work).</summary>
        public int EcdsaCalls
        {
            get { return _ecdsaCalls; }
        }

        /// <inheritdoc />
        public int RsaEncrypt(byte[] publicKeyDer, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.Failed;
        }

        /// <inheritdoc />
        public int RsaDecrypt(byte[] privateKeyDer, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.Failed;
        }

        /// <inheritdoc />
        public int RsaSignRaw(byte[] privateKeyDer, byte[] data, int dataOffset, int dataCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.Failed;
        }

        /// <inheritdoc />
        public bool RsaVerifyRaw(byte[] publicKeyDer, byte[] signature, int signatureOffset, int signatureCount,
            byte[] expected, int expectedOffset, int expectedCount)
        {
            return false;
        }

        /// <inheritdoc />
        public int AesCbcEncrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.Failed;
        }

        /// <inheritdoc />
        public int AesCbcDecrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.Failed;
        }

        /// <inheritdoc />
        public int HmacSha1(byte[] key, int keyOffset, int keyCount, byte[] data, int dataOffset, int dataCount,
            byte[] output, int outputOffset)
        {
            return CryptoStatus.Failed;
        }

        /// <inheritdoc />
        public int Sha256(byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset)
        {
            _sha.Begin();
            _sha.Update(data, dataOffset, dataCount);
            _sha.Finish(output, outputOffset);
            return Ota.Image.Sha256.DigestSize;
        }

        /// <inheritdoc />
        public bool EcdsaP256Verify(byte[] publicKey, int publicKeyOffset, byte[] digest, int digestOffset,
            byte[] signature, int signatureOffset)
        {
            _ecdsaCalls++;
            return true;
        }
    }
}
