using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Image;

namespace CoreFirmware.Ota.Crypto
{
    /// <summary>
    /// An <see cref="ICrypto"/> in plain firmware code that provides what image verification needs
    /// and nothing more: <see cref="EcdsaP256Verify"/> (<see cref="EcdsaP256Verifier"/>) and
    /// <see cref="Sha256"/> (<see cref="Image.Sha256"/>). It runs wherever the firmware runs,
    /// nanoCLR included, so a board without a crypto engine can still check an image before it
    /// installs it (<see cref="ImageVerifier"/>, the bootloader).
    /// </summary>
    /// <remarks>
    /// <para>Not provided, by decision (CRYPTO-ON-DEVICE.md): the cloud handshake's RSA and the
    /// session's AES-128-CBC and HMAC-SHA1. Those members answer
    /// <see cref="CryptoStatus.NotSupported"/> (<see cref="RsaVerifyRaw"/>, which returns a bool,
    /// answers false), so a cloud link built on this instance fails its handshake cleanly instead
    /// of misbehaving. A board that talks to the cloud pairs the handshake with a native or
    /// hardware implementation.</para>
    /// <para>Allocation: the verifier and the hasher in the constructor (4.7 KB measured on nanoCLR's
    /// 64-bit heap); the calls allocate nothing. Thread-safe: calls are serialized by a lock (a verification is seconds
    /// long on a device, and nothing else waits on it but another verification).</para>
    /// </remarks>
    public sealed class ManagedImageCrypto : ICrypto
    {
        private readonly object _lock = new object();
        private readonly EcdsaP256Verifier _verifier = new EcdsaP256Verifier();
        private readonly Image.Sha256 _sha = new Image.Sha256();

        /// <summary>Not provided: answers <see cref="CryptoStatus.NotSupported"/>.</summary>
        public int RsaEncrypt(byte[] publicKeyDer, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <summary>Not provided: answers <see cref="CryptoStatus.NotSupported"/>.</summary>
        public int RsaDecrypt(byte[] privateKeyDer, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <summary>Not provided: answers <see cref="CryptoStatus.NotSupported"/>.</summary>
        public int RsaSignRaw(byte[] privateKeyDer, byte[] data, int dataOffset, int dataCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <summary>Not provided: always false (no signature is accepted).</summary>
        public bool RsaVerifyRaw(byte[] publicKeyDer, byte[] signature, int signatureOffset, int signatureCount,
            byte[] expected, int expectedOffset, int expectedCount)
        {
            return false;
        }

        /// <summary>Not provided: answers <see cref="CryptoStatus.NotSupported"/>.</summary>
        public int AesCbcEncrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <summary>Not provided: answers <see cref="CryptoStatus.NotSupported"/>.</summary>
        public int AesCbcDecrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            return CryptoStatus.NotSupported;
        }

        /// <summary>Not provided: answers <see cref="CryptoStatus.NotSupported"/>.</summary>
        public int HmacSha1(byte[] key, int keyOffset, int keyCount, byte[] data, int dataOffset, int dataCount,
            byte[] output, int outputOffset)
        {
            return CryptoStatus.NotSupported;
        }

        /// <summary>SHA-256 of data[dataOffset..+dataCount) into output[outputOffset..+32).</summary>
        /// <returns>32, or <see cref="CryptoStatus.InvalidArgument"/> for a null buffer or a range outside it.</returns>
        public int Sha256(byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset)
        {
            if (!InRange(data, dataOffset, dataCount) || !InRange(output, outputOffset, Image.Sha256.DigestSize))
            {
                return CryptoStatus.InvalidArgument;
            }

            lock (_lock)
            {
                _sha.Begin();
                _sha.Update(data, dataOffset, dataCount);
                _sha.Finish(output, outputOffset);
            }

            return Image.Sha256.DigestSize;
        }

        /// <summary>ECDSA P-256 verification of a SHA-256 digest, low-S rule included; see <see cref="EcdsaP256Verifier.Verify"/>.</summary>
        /// <returns>True only for a valid signature; false for any failure.</returns>
        public bool EcdsaP256Verify(byte[] publicKey, int publicKeyOffset, byte[] digest, int digestOffset,
            byte[] signature, int signatureOffset)
        {
            lock (_lock)
            {
                return _verifier.Verify(publicKey, publicKeyOffset, digest, digestOffset, signature, signatureOffset);
            }
        }

        private static bool InRange(byte[] b, int offset, int count)
        {
            return b != null && offset >= 0 && count >= 0 && offset <= b.Length - count;
        }
    }
}
