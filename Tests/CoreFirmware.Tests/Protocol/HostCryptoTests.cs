using System.Security.Cryptography;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Protocol;

/// <summary>HostCrypto against .NET's own primitives and known vectors, and its failure codes.</summary>
[Trait("Category", "Protocol")]
public class HostCryptoTests : IDisposable
{
    private readonly HostCrypto _crypto = new();
    private readonly Random _rng = new(99);

    public void Dispose() => _crypto.Dispose();

    [Fact]
    public void AesCbcMatchesDotNetAndFips197Vector()
    {
        // FIPS-197 appendix C.1 AES-128: one block, zero IV, no padding -> first ciphertext block.
        byte[] key = ProtocolTestKeys.Hex("000102030405060708090a0b0c0d0e0f");
        byte[] pt = ProtocolTestKeys.Hex("00112233445566778899aabbccddeeff");
        var ct = new byte[32];
        Assert.Equal(32, _crypto.AesCbcEncrypt(key, new byte[16], pt, 0, 16, ct, 0, 32));
        Assert.Equal(ProtocolTestKeys.Hex("69c4e0d86a7b0430d8cdb78070b4c55a"), ct[..16]);

        using var aes = Aes.Create();
        for (int i = 0; i < 100; i++)
        {
            var k = new byte[16];
            var iv = new byte[16];
            var plain = new byte[_rng.Next(0, 200)];
            _rng.NextBytes(k);
            _rng.NextBytes(iv);
            _rng.NextBytes(plain);
            aes.Key = k;
            byte[] expected = aes.EncryptCbc(plain, iv, PaddingMode.PKCS7);
            var outBuf = new byte[expected.Length + 5];
            Assert.Equal(expected.Length, _crypto.AesCbcEncrypt(k, iv, plain, 0, plain.Length, outBuf, 5, expected.Length));
            Assert.Equal(expected, outBuf[5..]);
            var back = new byte[expected.Length];
            Assert.Equal(plain.Length, _crypto.AesCbcDecrypt(k, iv, outBuf, 5, expected.Length, back, 0, back.Length));
            Assert.Equal(plain, back[..plain.Length]);
        }
    }

    [Fact]
    public void AesFailureCodes()
    {
        var key = new byte[16];
        var iv = new byte[16];
        var buf = new byte[64];
        Assert.Equal(CryptoStatus.InvalidLength, _crypto.AesCbcDecrypt(key, iv, buf, 0, 15, buf, 0, 64));
        Assert.Equal(CryptoStatus.InvalidLength, _crypto.AesCbcDecrypt(key, iv, buf, 0, 0, buf, 0, 64));
        Assert.Equal(CryptoStatus.BufferTooSmall, _crypto.AesCbcEncrypt(key, iv, buf, 0, 16, buf, 32, 31));
        Assert.Equal(CryptoStatus.InvalidArgument, _crypto.AesCbcEncrypt(key, iv, buf, 60, 16, buf, 0, 64));
        Assert.Equal(CryptoStatus.InvalidArgument, _crypto.AesCbcEncrypt(new byte[8], iv, buf, 0, 16, buf, 0, 64));

        // Valid CBC, bad PKCS#7 padding: encrypt 16 bytes ending in 0x00 with no padding block.
        using var aes = Aes.Create();
        aes.Key = key;
        byte[] ct = aes.EncryptCbc(new byte[16], iv, PaddingMode.None);
        Assert.Equal(CryptoStatus.BadPadding, _crypto.AesCbcDecrypt(key, iv, ct, 0, 16, buf, 0, 64));
        ct = aes.EncryptCbc(ProtocolTestKeys.Hex("00000000000000000000000000000311"), iv, PaddingMode.None);
        Assert.Equal(CryptoStatus.BadPadding, _crypto.AesCbcDecrypt(key, iv, ct, 0, 16, buf, 0, 64)); // 0x11 > 16
        ct = aes.EncryptCbc(ProtocolTestKeys.Hex("00000000000000000000000000040303"), iv, PaddingMode.None);
        Assert.Equal(CryptoStatus.BadPadding, _crypto.AesCbcDecrypt(key, iv, ct, 0, 16, buf, 0, 64)); // 04 03 03
        ct = aes.EncryptCbc(ProtocolTestKeys.Hex("00000000000000000000000000030303"), iv, PaddingMode.None);
        Assert.Equal(13, _crypto.AesCbcDecrypt(key, iv, ct, 0, 16, buf, 0, 64));
    }

    [Fact]
    public void HmacSha1AndSha256KnownVectors()
    {
        // RFC 2202 test case 2.
        byte[] key = "Jefe"u8.ToArray();
        byte[] data = "what do ya want for nothing?"u8.ToArray();
        var mac = new byte[20];
        Assert.Equal(20, _crypto.HmacSha1(key, 0, key.Length, data, 0, data.Length, mac, 0));
        Assert.Equal(ProtocolTestKeys.Hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"), mac);

        byte[] abc = "abc"u8.ToArray();
        var digest = new byte[32];
        Assert.Equal(32, _crypto.Sha256(abc, 0, 3, digest, 0));
        Assert.Equal(ProtocolTestKeys.Hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), digest);
        Assert.Equal(CryptoStatus.InvalidArgument, _crypto.Sha256(abc, 0, 3, digest, 1));
    }

    [Fact]
    public void RsaRoundTripsAndFailureCodes()
    {
        var dev = ProtocolTestKeys.Device;
        var ct = new byte[128];
        byte[] msg = new byte[117];
        _rng.NextBytes(msg);
        Assert.Equal(128, _crypto.RsaEncrypt(dev.PublicSpki, msg, 0, 117, ct, 0, 128));
        Assert.Equal(CryptoStatus.InvalidLength, _crypto.RsaEncrypt(dev.PublicSpki, new byte[118], 0, 118, ct, 0, 128));
        Assert.Equal(CryptoStatus.BufferTooSmall, _crypto.RsaEncrypt(dev.PublicSpki, msg, 0, 10, ct, 0, 127));
        Assert.Equal(CryptoStatus.InvalidKey, _crypto.RsaEncrypt(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }, msg, 0, 10, ct, 0, 128));
        var back = new byte[128];
        Assert.Equal(117, _crypto.RsaDecrypt(dev.PrivatePkcs1, ct, 0, 128, back, 0, 128));
        Assert.Equal(msg, back[..117]);
        Assert.Equal(CryptoStatus.BufferTooSmall, _crypto.RsaDecrypt(dev.PrivatePkcs1, ct, 0, 128, back, 0, 100));
        Assert.Equal(CryptoStatus.InvalidLength, _crypto.RsaDecrypt(dev.PrivatePkcs1, ct, 0, 127, back, 0, 128));

        // PKCS#1 RSAPublicKey and PKCS#8 private key forms are accepted too.
        using var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(dev.PrivatePkcs1, out _);
        Assert.Equal(128, _crypto.RsaEncrypt(rsa.ExportRSAPublicKey(), msg, 0, 20, ct, 0, 128));
        Assert.Equal(20, _crypto.RsaDecrypt(rsa.ExportPkcs8PrivateKey(), ct, 0, 128, back, 0, 128));
    }

    [Fact]
    public void RawSignatureVerifiesOnlyTheExactContent()
    {
        var srv = ProtocolTestKeys.Server;
        var hmac = new byte[20];
        _rng.NextBytes(hmac);
        var sig = new byte[256];
        Assert.Equal(256, _crypto.RsaSignRaw(srv.PrivatePkcs1, hmac, 0, 20, sig, 0, 256));
        Assert.True(_crypto.RsaVerifyRaw(srv.PublicSpki, sig, 0, 256, hmac, 0, 20));
        Assert.False(_crypto.RsaVerifyRaw(srv.PublicSpki, sig, 0, 256, hmac, 0, 19));
        Assert.False(_crypto.RsaVerifyRaw(srv.PublicSpki, sig, 0, 255, hmac, 0, 20));
        Assert.False(_crypto.RsaVerifyRaw(ProtocolTestKeys.OtherServer.PublicSpki, sig, 0, 256, hmac, 0, 20));
        hmac[0] ^= 1;
        Assert.False(_crypto.RsaVerifyRaw(srv.PublicSpki, sig, 0, 256, hmac, 0, 20));
        Assert.False(_crypto.RsaVerifyRaw(srv.PublicSpki, Enumerable.Repeat((byte)0xFF, 256).ToArray(), 0, 256, hmac, 0, 20));

        // A standard .NET PKCS#1 signature (with DigestInfo) is NOT a raw signature over the hash.
        using var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(srv.PrivatePkcs1, out _);
        hmac[0] ^= 1;
        byte[] wrapped = rsa.SignHash(hmac, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
        Assert.False(_crypto.RsaVerifyRaw(srv.PublicSpki, wrapped, 0, 256, hmac, 0, 20));
    }

    [Fact]
    public void EcdsaP256VerifiesP1363Signatures()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ECParameters p = ec.ExportParameters(false);
        byte[] pub = [0x04, .. p.Q.X!, .. p.Q.Y!];
        byte[] digest = SHA256.HashData("image"u8);
        byte[] sig = ec.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        Assert.True(_crypto.EcdsaP256Verify(pub, 0, digest, 0, sig, 0));
        sig[10] ^= 1;
        Assert.False(_crypto.EcdsaP256Verify(pub, 0, digest, 0, sig, 0));
        sig[10] ^= 1;
        digest[0] ^= 1;
        Assert.False(_crypto.EcdsaP256Verify(pub, 0, digest, 0, sig, 0));
        digest[0] ^= 1;
        pub[0] = 0x02;
        Assert.False(_crypto.EcdsaP256Verify(pub, 0, digest, 0, sig, 0));
        pub[0] = 0x04;
        pub[40] ^= 1; // not on the curve
        Assert.False(_crypto.EcdsaP256Verify(pub, 0, digest, 0, sig, 0));
    }
}
