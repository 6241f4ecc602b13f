namespace CoreFirmware.Drivers.Hal
{
    /// <summary>
    /// The cryptographic primitives the firmware needs; nanoFramework's mscorlib has none, so the
    /// board (a native interop or a hardware engine) or the host (System.Security.Cryptography)
    /// provides them. Every method works on caller-owned buffers (byte[] + offset + count) and
    /// reports failures as <see cref="CryptoStatus"/> codes: none throws on bad input.
    /// </summary>
    /// <remarks>
    /// <para>Key material is DER: an RSA public key is an X.509 SubjectPublicKeyInfo (what the Core
    /// sends in the handshake) or a PKCS#1 RSAPublicKey; an RSA private key is PKCS#1 RSAPrivateKey
    /// (the Core's <c>core_private.der</c>, the cloud's key) or PKCS#8. The Core's device key is
    /// 1024-bit (128-byte blocks), the cloud's server key 2048-bit (256-byte blocks).</para>
    /// <para>Allocation: the per-message path (<see cref="AesCbcEncrypt"/> / <see cref="AesCbcDecrypt"/>)
    /// should allocate nothing once the key is in use; RSA, HMAC, SHA-256 and ECDSA run once per
    /// handshake or per image and may allocate. Each implementation states what it allocates.</para>
    /// <para>CRC32 is deliberately not here: it is plain firmware code
    /// (<c>CoreFirmware.Ota.Protocol.Crc32</c>) because the device computes it per OTA chunk.</para>
    /// </remarks>
    public interface ICrypto
    {
        /// <summary>
        /// RSA PKCS#1 v1.5 (block type 2) encryption with a public key. Writes exactly one
        /// modulus-sized block at <paramref name="output"/>[<paramref name="outputOffset"/>].
        /// </summary>
        /// <returns>The modulus length in bytes, or a <see cref="CryptoStatus"/> code:
        /// InvalidKey, InvalidLength (more than modulus - 11 bytes of input), BufferTooSmall.</returns>
        int RsaEncrypt(byte[] publicKeyDer, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity);

        /// <summary>
        /// RSA PKCS#1 v1.5 (block type 2) decryption with a private key.
        /// <paramref name="inputCount"/> must equal the modulus length.
        /// </summary>
        /// <returns>The plaintext length, or a <see cref="CryptoStatus"/> code: InvalidKey,
        /// InvalidLength, BadPadding (wrong key or tampered block), BufferTooSmall.</returns>
        int RsaDecrypt(byte[] privateKeyDer, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity);

        /// <summary>
        /// RSA PKCS#1 v1.5 block type 1 "raw" signature: the private-key operation applied to
        /// 00 01 FF.. 00 || data, with NO DigestInfo around the data. This is what spark-protocol's
        /// handshake does (ursa privateEncrypt over the 20-byte HMAC). The cloud side needs it.
        /// </summary>
        /// <returns>The modulus length, or a <see cref="CryptoStatus"/> code.</returns>
        int RsaSignRaw(byte[] privateKeyDer, byte[] data, int dataOffset, int dataCount,
            byte[] output, int outputOffset, int outputCapacity);

        /// <summary>
        /// Verifies a <see cref="RsaSignRaw"/> signature: the public-key operation on the signature
        /// must give a well-formed type-1 block whose content equals <paramref name="expected"/>
        /// exactly. A signature whose length is not the modulus length is simply invalid.
        /// </summary>
        /// <returns>True only for a valid signature; false for any failure (bad key, bad length,
        /// bad padding, content mismatch).</returns>
        bool RsaVerifyRaw(byte[] publicKeyDer, byte[] signature, int signatureOffset, int signatureCount,
            byte[] expected, int expectedOffset, int expectedCount);

        /// <summary>
        /// AES-128-CBC encryption with PKCS#7 padding. Output length is
        /// (inputCount / 16 + 1) * 16. <paramref name="output"/> may be the input array only if the
        /// areas do not overlap. Neither <paramref name="key"/> (16 bytes at 0) nor
        /// <paramref name="iv"/> (16 bytes at 0) is modified.
        /// </summary>
        /// <returns>The ciphertext length, or a <see cref="CryptoStatus"/> code.</returns>
        int AesCbcEncrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity);

        /// <summary>
        /// AES-128-CBC decryption and PKCS#7 padding removal. <paramref name="inputCount"/> must be a
        /// non-zero multiple of 16. <paramref name="output"/> may be the input array only if the
        /// areas do not overlap. On failure the output area may hold partial plaintext.
        /// </summary>
        /// <returns>The plaintext length, or a <see cref="CryptoStatus"/> code: InvalidLength,
        /// BadPadding, BufferTooSmall (the capacity must cover inputCount, padding included).</returns>
        int AesCbcDecrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount,
            byte[] output, int outputOffset, int outputCapacity);

        /// <summary>HMAC-SHA1: writes the 20-byte MAC at <paramref name="output"/>[<paramref name="outputOffset"/>].</summary>
        /// <returns>20, or a <see cref="CryptoStatus"/> code.</returns>
        int HmacSha1(byte[] key, int keyOffset, int keyCount, byte[] data, int dataOffset, int dataCount,
            byte[] output, int outputOffset);

        /// <summary>SHA-256: writes the 32-byte digest at <paramref name="output"/>[<paramref name="outputOffset"/>].</summary>
        /// <returns>32, or a <see cref="CryptoStatus"/> code.</returns>
        int Sha256(byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset);

        /// <summary>
        /// ECDSA P-256 verification of a SHA-256 digest (the image format signs the image digest so
        /// the device can hash a large image in pieces). The public key is the 65-byte uncompressed
        /// SEC1 point (0x04 || X || Y); the signature is 64 bytes r || s (IEEE P1363, big-endian).
        /// </summary>
        /// <returns>True only for a valid signature; false for any failure.</returns>
        bool EcdsaP256Verify(byte[] publicKey, int publicKeyOffset, byte[] digest, int digestOffset,
            byte[] signature, int signatureOffset);
    }
}
