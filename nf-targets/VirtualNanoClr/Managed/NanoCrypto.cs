using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Crypto;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>
    /// <see cref="ICrypto"/> of the virtual Core on nanoCLR: image verification (SHA-256, ECDSA P-256) in
    /// managed code (<see cref="ManagedImageCrypto"/>, as on a device without a crypto engine), the cloud
    /// session's RSA, AES-128-CBC and HMAC-SHA1 through the board's native cryptography (CRYPTO-ON-DEVICE.md:
    /// native or hardware on a device). Bad arguments answer <see cref="CryptoStatus"/> codes, as the interface says.
    /// </summary>
    public sealed class NanoCrypto : ICrypto
    {
        private readonly ManagedImageCrypto _managed = new ManagedImageCrypto();

        /// <inheritdoc />
        public int RsaEncrypt(byte[] publicKeyDer, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            if (!Valid(publicKeyDer, 0, publicKeyDer == null ? 0 : publicKeyDer.Length) || !Valid(input, inputOffset, inputCount)
                || !Valid(output, outputOffset, outputCapacity)) return CryptoStatus.InvalidArgument;
            return NativeCrypto.Invoke(NativeCrypto.RsaEncrypt, publicKeyDer, 0, publicKeyDer.Length,
                input, inputOffset, inputCount, output, outputOffset, outputCapacity, null, 0, 0);
        }

        /// <inheritdoc />
        public int RsaDecrypt(byte[] privateKeyDer, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            if (!Valid(privateKeyDer, 0, privateKeyDer == null ? 0 : privateKeyDer.Length) || !Valid(input, inputOffset, inputCount)
                || !Valid(output, outputOffset, outputCapacity)) return CryptoStatus.InvalidArgument;
            return NativeCrypto.Invoke(NativeCrypto.RsaDecrypt, privateKeyDer, 0, privateKeyDer.Length,
                input, inputOffset, inputCount, output, outputOffset, outputCapacity, null, 0, 0);
        }

        /// <inheritdoc />
        public int RsaSignRaw(byte[] privateKeyDer, byte[] data, int dataOffset, int dataCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            if (!Valid(privateKeyDer, 0, privateKeyDer == null ? 0 : privateKeyDer.Length) || !Valid(data, dataOffset, dataCount)
                || !Valid(output, outputOffset, outputCapacity)) return CryptoStatus.InvalidArgument;
            return NativeCrypto.Invoke(NativeCrypto.RsaSignRaw, privateKeyDer, 0, privateKeyDer.Length,
                data, dataOffset, dataCount, output, outputOffset, outputCapacity, null, 0, 0);
        }

        /// <inheritdoc />
        public bool RsaVerifyRaw(byte[] publicKeyDer, byte[] signature, int signatureOffset, int signatureCount,
            byte[] expected, int expectedOffset, int expectedCount)
        {
            if (!Valid(publicKeyDer, 0, publicKeyDer == null ? 0 : publicKeyDer.Length) || !Valid(signature, signatureOffset, signatureCount)
                || !Valid(expected, expectedOffset, expectedCount)) return false;
            return NativeCrypto.Invoke(NativeCrypto.RsaVerifyRaw, publicKeyDer, 0, publicKeyDer.Length,
                signature, signatureOffset, signatureCount, expected, expectedOffset, expectedCount, null, 0, 0) == 1;
        }

        /// <inheritdoc />
        public int AesCbcEncrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            if (!Valid(key, 0, 16) || !Valid(iv, 0, 16) || !Valid(input, inputOffset, inputCount)
                || !Valid(output, outputOffset, outputCapacity)) return CryptoStatus.InvalidArgument;
            return NativeCrypto.Invoke(NativeCrypto.AesCbcEncrypt, key, 0, 16,
                input, inputOffset, inputCount, output, outputOffset, outputCapacity, iv, 0, 16);
        }

        /// <inheritdoc />
        public int AesCbcDecrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity)
        {
            if (!Valid(key, 0, 16) || !Valid(iv, 0, 16) || !Valid(input, inputOffset, inputCount)
                || !Valid(output, outputOffset, outputCapacity)) return CryptoStatus.InvalidArgument;
            return NativeCrypto.Invoke(NativeCrypto.AesCbcDecrypt, key, 0, 16,
                input, inputOffset, inputCount, output, outputOffset, outputCapacity, iv, 0, 16);
        }

        /// <inheritdoc />
        public int HmacSha1(byte[] key, int keyOffset, int keyCount, byte[] data, int dataOffset, int dataCount,
            byte[] output, int outputOffset)
        {
            if (!Valid(key, keyOffset, keyCount) || !Valid(data, dataOffset, dataCount) || !Valid(output, outputOffset, 20))
                return CryptoStatus.InvalidArgument;
            return NativeCrypto.Invoke(NativeCrypto.HmacSha1, key, keyOffset, keyCount,
                data, dataOffset, dataCount, output, outputOffset, 20, null, 0, 0);
        }

        /// <inheritdoc />
        public int Sha256(byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset)
        {
            return _managed.Sha256(data, dataOffset, dataCount, output, outputOffset);
        }

        /// <inheritdoc />
        public bool EcdsaP256Verify(byte[] publicKey, int publicKeyOffset, byte[] digest, int digestOffset,
            byte[] signature, int signatureOffset)
        {
            return _managed.EcdsaP256Verify(publicKey, publicKeyOffset, digest, digestOffset, signature, signatureOffset);
        }

        private static bool Valid(byte[] buffer, int offset, int count)
        {
            return buffer != null && offset >= 0 && count >= 0 && offset <= buffer.Length - count;
        }
    }
}
