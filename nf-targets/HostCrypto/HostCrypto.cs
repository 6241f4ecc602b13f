using System.Numerics;
using System.Security.Cryptography;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// <see cref="ICrypto"/> on the host, over System.Security.Cryptography (OpenSSL on Linux).
/// </summary>
/// <remarks>
/// <para>AES-128-CBC: one ECB encryptor and decryptor are created per key (that allocates, once per
/// session key) and CBC chaining plus PKCS#7 padding are done here block by block, so
/// encrypting/decrypting messages under the same key allocates nothing (measured by the
/// framing tests). Encrypt and decrypt may work in place (same array and offset).</para>
/// <para>RSA, HMAC-SHA1, SHA-256 and ECDSA allocate (key import, platform objects): they run once
/// per handshake or per image. The raw PKCS#1 type-1 sign/verify that spark-protocol uses has no
/// .NET API (.NET always wraps a DigestInfo), so it is done with <see cref="BigInteger.ModPow"/>
/// on the exported key parameters; signing that way is not constant-time (acceptable for the local
/// cloud and tests, not for a production signing service).</para>
/// <para>Thread-safe: the AES cache is guarded by a lock; the rest holds no state.</para>
/// </remarks>
public sealed class HostCrypto : ICrypto, IDisposable
{
    private const int Block = 16;
    private readonly object _aesLock = new();
    private readonly byte[] _cachedKey = new byte[16];
    private readonly byte[] _chain = new byte[Block];
    private readonly byte[] _scratch = new byte[Block];
    private Aes? _aes;
    private ICryptoTransform? _ecbEncrypt;
    private ICryptoTransform? _ecbDecrypt;

    /// <summary>How many times an AES key was (re)loaded: the only AES allocations.</summary>
    public int AesKeyLoads { get; private set; }

    public void Dispose()
    {
        lock (_aesLock)
        {
            _ecbEncrypt?.Dispose();
            _ecbDecrypt?.Dispose();
            _aes?.Dispose();
            _ecbEncrypt = _ecbDecrypt = null;
            _aes = null;
        }
    }

    private static bool InRange(byte[]? b, int offset, int count) =>
        b != null && offset >= 0 && count >= 0 && offset <= b.Length - count;

    // ------------------------------------------------------------------ RSA

    private static RSA? ImportPublic(byte[]? der)
    {
        if (der == null || der.Length == 0)
        {
            return null;
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(der, out int read);
            if (read == der.Length)
            {
                return rsa;
            }
        }
        catch (CryptographicException)
        {
        }

        try
        {
            rsa.ImportRSAPublicKey(der, out int read);
            if (read == der.Length)
            {
                return rsa;
            }
        }
        catch (CryptographicException)
        {
        }

        rsa.Dispose();
        return null;
    }

    private static RSA? ImportPrivate(byte[]? der)
    {
        if (der == null || der.Length == 0)
        {
            return null;
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportRSAPrivateKey(der, out int read);
            if (read == der.Length)
            {
                return rsa;
            }
        }
        catch (CryptographicException)
        {
        }

        try
        {
            rsa.ImportPkcs8PrivateKey(der, out int read);
            if (read == der.Length)
            {
                return rsa;
            }
        }
        catch (CryptographicException)
        {
        }

        rsa.Dispose();
        return null;
    }

    public int RsaEncrypt(byte[] publicKeyDer, byte[] input, int inputOffset, int inputCount,
        byte[] output, int outputOffset, int outputCapacity)
    {
        if (!InRange(input, inputOffset, inputCount) || !InRange(output, outputOffset, outputCapacity))
        {
            return CryptoStatus.InvalidArgument;
        }

        using RSA? rsa = ImportPublic(publicKeyDer);
        if (rsa == null)
        {
            return CryptoStatus.InvalidKey;
        }

        int k = rsa.KeySize / 8;
        if (inputCount > k - 11)
        {
            return CryptoStatus.InvalidLength;
        }

        if (outputCapacity < k)
        {
            return CryptoStatus.BufferTooSmall;
        }

        try
        {
            return rsa.TryEncrypt(input.AsSpan(inputOffset, inputCount), output.AsSpan(outputOffset, k),
                RSAEncryptionPadding.Pkcs1, out int written) && written == k
                ? k
                : CryptoStatus.Failed;
        }
        catch (CryptographicException)
        {
            return CryptoStatus.Failed;
        }
    }

    public int RsaDecrypt(byte[] privateKeyDer, byte[] input, int inputOffset, int inputCount,
        byte[] output, int outputOffset, int outputCapacity)
    {
        if (!InRange(input, inputOffset, inputCount) || !InRange(output, outputOffset, outputCapacity))
        {
            return CryptoStatus.InvalidArgument;
        }

        using RSA? rsa = ImportPrivate(privateKeyDer);
        if (rsa == null)
        {
            return CryptoStatus.InvalidKey;
        }

        int k = rsa.KeySize / 8;
        if (inputCount != k)
        {
            return CryptoStatus.InvalidLength;
        }

        byte[] plain = new byte[k];
        try
        {
            if (!rsa.TryDecrypt(input.AsSpan(inputOffset, inputCount), plain, RSAEncryptionPadding.Pkcs1, out int written))
            {
                return CryptoStatus.Failed;
            }

            if (written > outputCapacity)
            {
                return CryptoStatus.BufferTooSmall;
            }

            Array.Copy(plain, 0, output, outputOffset, written);
            return written;
        }
        catch (CryptographicException)
        {
            return CryptoStatus.BadPadding;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public int RsaSignRaw(byte[] privateKeyDer, byte[] data, int dataOffset, int dataCount,
        byte[] output, int outputOffset, int outputCapacity)
    {
        if (!InRange(data, dataOffset, dataCount) || !InRange(output, outputOffset, outputCapacity))
        {
            return CryptoStatus.InvalidArgument;
        }

        using RSA? rsa = ImportPrivate(privateKeyDer);
        if (rsa == null)
        {
            return CryptoStatus.InvalidKey;
        }

        RSAParameters p = rsa.ExportParameters(true);
        int k = p.Modulus!.Length;
        if (dataCount > k - 11)
        {
            return CryptoStatus.InvalidLength;
        }

        if (outputCapacity < k)
        {
            return CryptoStatus.BufferTooSmall;
        }

        // EM = 00 01 FF..FF 00 || data (PKCS#1 v1.5 block type 1, no DigestInfo).
        byte[] em = new byte[k];
        em[1] = 0x01;
        int psEnd = k - dataCount - 1;
        for (int i = 2; i < psEnd; i++)
        {
            em[i] = 0xFF;
        }

        Array.Copy(data, dataOffset, em, k - dataCount, dataCount);
        var n = new BigInteger(p.Modulus, isUnsigned: true, isBigEndian: true);
        var d = new BigInteger(p.D!, isUnsigned: true, isBigEndian: true);
        var s = BigInteger.ModPow(new BigInteger(em, isUnsigned: true, isBigEndian: true), d, n);
        WriteFixed(s, output, outputOffset, k);
        CryptographicOperations.ZeroMemory(p.D);
        return k;
    }

    public bool RsaVerifyRaw(byte[] publicKeyDer, byte[] signature, int signatureOffset, int signatureCount,
        byte[] expected, int expectedOffset, int expectedCount)
    {
        if (!InRange(signature, signatureOffset, signatureCount) || !InRange(expected, expectedOffset, expectedCount))
        {
            return false;
        }

        using RSA? rsa = ImportPublic(publicKeyDer);
        if (rsa == null)
        {
            return false;
        }

        RSAParameters p = rsa.ExportParameters(false);
        int k = p.Modulus!.Length;
        if (signatureCount != k || expectedCount > k - 11)
        {
            return false;
        }

        var n = new BigInteger(p.Modulus, isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(signature.AsSpan(signatureOffset, signatureCount), isUnsigned: true, isBigEndian: true);
        if (s >= n)
        {
            return false;
        }

        var e = new BigInteger(p.Exponent!, isUnsigned: true, isBigEndian: true);
        byte[] em = new byte[k];
        WriteFixed(BigInteger.ModPow(s, e, n), em, 0, k);

        // Exactly: 00 01, then k - 3 - expectedCount bytes of FF (at least 8), 00, then the data.
        int psEnd = k - expectedCount - 1;
        bool ok = em[0] == 0x00 && em[1] == 0x01 && em[psEnd] == 0x00;
        for (int i = 2; i < psEnd; i++)
        {
            ok &= em[i] == 0xFF;
        }

        return ok && CryptographicOperations.FixedTimeEquals(em.AsSpan(psEnd + 1, expectedCount),
            expected.AsSpan(expectedOffset, expectedCount));
    }

    private static void WriteFixed(BigInteger value, byte[] output, int offset, int length)
    {
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        Array.Clear(output, offset, length - bytes.Length);
        Array.Copy(bytes, 0, output, offset + length - bytes.Length, bytes.Length);
    }

    // ------------------------------------------------------------------ AES-128-CBC

    private void LoadKey(byte[] key)
    {
        if (_aes != null && key.AsSpan(0, 16).SequenceEqual(_cachedKey))
        {
            return;
        }

        _ecbEncrypt?.Dispose();
        _ecbDecrypt?.Dispose();
        _aes?.Dispose();
        _aes = Aes.Create();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
        _aes.Key = key.AsSpan(0, 16).ToArray();
        _ecbEncrypt = _aes.CreateEncryptor();
        _ecbDecrypt = _aes.CreateDecryptor();
        Array.Copy(key, 0, _cachedKey, 0, 16);
        AesKeyLoads++;
    }

    public int AesCbcEncrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount,
        byte[] output, int outputOffset, int outputCapacity)
    {
        if (key == null || key.Length < 16 || iv == null || iv.Length < 16
            || !InRange(input, inputOffset, inputCount) || !InRange(output, outputOffset, outputCapacity))
        {
            return CryptoStatus.InvalidArgument;
        }

        int total = (inputCount / Block + 1) * Block;
        if (outputCapacity < total)
        {
            return CryptoStatus.BufferTooSmall;
        }

        lock (_aesLock)
        {
            LoadKey(key);
            Array.Copy(iv, 0, _chain, 0, Block);
            int pad = total - inputCount;
            for (int block = 0; block < total; block += Block)
            {
                // scratch = plaintext block (last one padded) XOR previous ciphertext (or IV).
                for (int i = 0; i < Block; i++)
                {
                    int at = block + i;
                    byte b = at < inputCount ? input[inputOffset + at] : (byte)pad;
                    _scratch[i] = (byte)(b ^ _chain[i]);
                }

                if (_ecbEncrypt!.TransformBlock(_scratch, 0, Block, _chain, 0) != Block)
                {
                    return CryptoStatus.Failed;
                }

                Array.Copy(_chain, 0, output, outputOffset + block, Block);
            }

            Array.Clear(_scratch);
            return total;
        }
    }

    public int AesCbcDecrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount,
        byte[] output, int outputOffset, int outputCapacity)
    {
        if (key == null || key.Length < 16 || iv == null || iv.Length < 16
            || !InRange(input, inputOffset, inputCount) || !InRange(output, outputOffset, outputCapacity))
        {
            return CryptoStatus.InvalidArgument;
        }

        if (inputCount == 0 || inputCount % Block != 0)
        {
            return CryptoStatus.InvalidLength;
        }

        if (outputCapacity < inputCount)
        {
            return CryptoStatus.BufferTooSmall;
        }

        lock (_aesLock)
        {
            LoadKey(key);
            Array.Copy(iv, 0, _chain, 0, Block);
            for (int block = 0; block < inputCount; block += Block)
            {
                if (_ecbDecrypt!.TransformBlock(input, inputOffset + block, Block, _scratch, 0) != Block)
                {
                    return CryptoStatus.Failed;
                }

                // Plaintext = D(C_i) XOR C_(i-1); keep C_i before the output may overwrite it (in place).
                for (int i = 0; i < Block; i++)
                {
                    byte c = input[inputOffset + block + i];
                    output[outputOffset + block + i] = (byte)(_scratch[i] ^ _chain[i]);
                    _chain[i] = c;
                }
            }

            Array.Clear(_scratch);
        }

        int pad = output[outputOffset + inputCount - 1];
        int bad = pad == 0 || pad > Block ? 1 : 0;
        for (int i = 1; i <= Block; i++)
        {
            // Check every byte of the last block that belongs to the padding (branch-free in the data).
            int inPad = i <= pad ? 1 : 0;
            bad |= inPad & (output[outputOffset + inputCount - i] != pad ? 1 : 0);
        }

        return bad != 0 ? CryptoStatus.BadPadding : inputCount - pad;
    }

    // ------------------------------------------------------------------ hashes, MAC, ECDSA

    public int HmacSha1(byte[] key, int keyOffset, int keyCount, byte[] data, int dataOffset, int dataCount,
        byte[] output, int outputOffset)
    {
        if (!InRange(key, keyOffset, keyCount) || !InRange(data, dataOffset, dataCount) || !InRange(output, outputOffset, 20))
        {
            return CryptoStatus.InvalidArgument;
        }

        return HMACSHA1.TryHashData(key.AsSpan(keyOffset, keyCount), data.AsSpan(dataOffset, dataCount),
            output.AsSpan(outputOffset, 20), out int written) && written == 20
            ? 20
            : CryptoStatus.Failed;
    }

    public int Sha256(byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset)
    {
        if (!InRange(data, dataOffset, dataCount) || !InRange(output, outputOffset, 32))
        {
            return CryptoStatus.InvalidArgument;
        }

        return SHA256.TryHashData(data.AsSpan(dataOffset, dataCount), output.AsSpan(outputOffset, 32), out int written)
            && written == 32
            ? 32
            : CryptoStatus.Failed;
    }

    public bool EcdsaP256Verify(byte[] publicKey, int publicKeyOffset, byte[] digest, int digestOffset,
        byte[] signature, int signatureOffset)
    {
        if (!InRange(publicKey, publicKeyOffset, 65) || !InRange(digest, digestOffset, 32)
            || !InRange(signature, signatureOffset, 64) || publicKey[publicKeyOffset] != 0x04)
        {
            return false;
        }

        try
        {
            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint
                {
                    X = publicKey.AsSpan(publicKeyOffset + 1, 32).ToArray(),
                    Y = publicKey.AsSpan(publicKeyOffset + 33, 32).ToArray(),
                },
            });
            return ecdsa.VerifyHash(digest.AsSpan(digestOffset, 32), signature.AsSpan(signatureOffset, 64),
                DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            // Not a point on the curve, or a malformed key.
            return false;
        }
    }
}
