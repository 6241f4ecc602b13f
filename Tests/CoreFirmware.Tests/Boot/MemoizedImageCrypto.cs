using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Crypto;

namespace CoreFirmware.Tests.Boot;

/// <summary>
/// The firmware's own image crypto (<see cref="ManagedImageCrypto"/>: P-256 with the low-S rule,
/// SHA-256) with its ECDSA verdicts remembered by (key, digest, signature): a verdict depends on
/// nothing else, and the model check verifies the same few images many thousands of times.
/// </summary>
internal sealed class MemoizedImageCrypto : ICrypto
{
    private readonly ManagedImageCrypto _inner = new();
    private readonly Dictionary<string, bool> _verdicts = new();

    public bool EcdsaP256Verify(byte[] publicKey, int publicKeyOffset, byte[] digest, int digestOffset, byte[] signature, int signatureOffset)
    {
        if (publicKey == null || digest == null || signature == null
            || publicKeyOffset < 0 || publicKeyOffset > publicKey.Length - 65
            || digestOffset < 0 || digestOffset > digest.Length - 32
            || signatureOffset < 0 || signatureOffset > signature.Length - 64)
        {
            return _inner.EcdsaP256Verify(publicKey!, publicKeyOffset, digest!, digestOffset, signature!, signatureOffset);
        }

        string key = Convert.ToHexString(publicKey, publicKeyOffset, 65) + Convert.ToHexString(digest, digestOffset, 32) + Convert.ToHexString(signature, signatureOffset, 64);
        if (_verdicts.TryGetValue(key, out bool verdict)) return verdict;
        verdict = _inner.EcdsaP256Verify(publicKey, publicKeyOffset, digest, digestOffset, signature, signatureOffset);
        _verdicts[key] = verdict;
        return verdict;
    }

    public int Sha256(byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset) =>
        _inner.Sha256(data, dataOffset, dataCount, output, outputOffset);

    public int RsaEncrypt(byte[] publicKeyDer, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity) =>
        _inner.RsaEncrypt(publicKeyDer, input, inputOffset, inputCount, output, outputOffset, outputCapacity);

    public int RsaDecrypt(byte[] privateKeyDer, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity) =>
        _inner.RsaDecrypt(privateKeyDer, input, inputOffset, inputCount, output, outputOffset, outputCapacity);

    public int RsaSignRaw(byte[] privateKeyDer, byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset, int outputCapacity) =>
        _inner.RsaSignRaw(privateKeyDer, data, dataOffset, dataCount, output, outputOffset, outputCapacity);

    public bool RsaVerifyRaw(byte[] publicKeyDer, byte[] signature, int signatureOffset, int signatureCount, byte[] expected, int expectedOffset, int expectedCount) =>
        _inner.RsaVerifyRaw(publicKeyDer, signature, signatureOffset, signatureCount, expected, expectedOffset, expectedCount);

    public int AesCbcEncrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity) =>
        _inner.AesCbcEncrypt(key, iv, input, inputOffset, inputCount, output, outputOffset, outputCapacity);

    public int AesCbcDecrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity) =>
        _inner.AesCbcDecrypt(key, iv, input, inputOffset, inputCount, output, outputOffset, outputCapacity);

    public int HmacSha1(byte[] key, int keyOffset, int keyCount, byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset) =>
        _inner.HmacSha1(key, keyOffset, keyCount, data, dataOffset, dataCount, output, outputOffset);
}
