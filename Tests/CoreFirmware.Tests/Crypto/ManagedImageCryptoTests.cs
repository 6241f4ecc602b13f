using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Crypto;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Sst25;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Crypto;

/// <summary>
/// <see cref="ManagedImageCrypto"/>: the device's verification-only ICrypto. Images signed by the
/// cloud's signer (<see cref="ImageSigner"/>) are verified by the firmware's ImageVerifier from the
/// staging slot of a virtual SST25 with this crypto instead of the host's.
/// </summary>
[Trait("Category", "Crypto")]
public sealed class ManagedImageCryptoTests : IDisposable
{
    private static readonly ImageVersion Version = new(2, 0, 1, 7);
    private const int PayloadSize = 64 * 1024;
    private readonly TempFlashFile _file = new();
    private readonly Sst25TestRig _rig;
    private readonly ManagedImageCrypto _crypto = new();
    private readonly ECDsa _key = ImageSigner.GenerateKey();
    private readonly int _staging = SparkCoreFlashLayout.Create().Staging.Start;

    public ManagedImageCryptoTests()
    {
        _rig = Sst25TestRig.Started(_file.Path);
    }

    public void Dispose()
    {
        _rig.AssertClean();
        _rig.Dispose();
        _file.Dispose();
        _key.Dispose();
    }

    private byte[] SignedImage()
    {
        var payload = new byte[PayloadSize];
        new Random(21).NextBytes(payload);
        return ImageSigner.Sign(payload, Version, SparkCoreBoard.ImageBoardId, _key);
    }

    private ImageVerifyResult VerifyStaged(byte[] image, ICrypto crypto)
    {
        int erase = (image.Length + 4095) / 4096 * 4096;
        _rig.Flash.EraseRange(_staging, erase);
        _rig.Flash.Program(_staging, image, 0, image.Length);
        var verifier = new ImageVerifier(crypto, ImageSigner.PublicKeyPoint(_key), SparkCoreBoard.ImageBoardId);
        return verifier.Verify(_rig.Flash, _staging, SparkCoreFlashLayout.SlotSize, image.Length);
    }

    /// <summary>Recomputes the SHA-256 entry after tampering, so that only the signature can refuse the image.</summary>
    private static void Rehash(byte[] image)
    {
        int body = ImageFormat.HeaderSize + PayloadSize;
        int hashValue = body + ImageFormat.TrailerInfoSize + ImageFormat.EntryHeaderSize + ImageFormat.Sha256Size + ImageFormat.EntryHeaderSize;
        Assert.Equal(ImageFormat.TagSha256, image[hashValue - ImageFormat.EntryHeaderSize]);
        SHA256.HashData(image.AsSpan(0, body)).CopyTo(image, hashValue);
    }

    private static int SignatureOffset(byte[] image) => image.Length - ImageFormat.SignatureSize;

    [Fact]
    public void ACloudSignedImageIsAccepted()
    {
        byte[] image = SignedImage();
        Assert.Equal(ImageVerifyResult.Ok, VerifyStaged(image, _crypto));
    }

    [Theory]
    [InlineData("header", 12)]          // version major: passes the header checks
    [InlineData("payload", 0)]
    [InlineData("payload", PayloadSize - 1)]
    [InlineData("signature r", 0)]
    [InlineData("signature s", 63)]
    public void AFlippedByteIsRefused(string where, int index)
    {
        byte[] image = SignedImage();
        int at = where switch
        {
            "header" => index,
            "payload" => ImageFormat.HeaderSize + index,
            _ => SignatureOffset(image) + index,
        };
        image[at] ^= 0x01;
        ImageVerifyResult expected = where.StartsWith("signature", StringComparison.Ordinal)
            ? ImageVerifyResult.BadSignature
            : ImageVerifyResult.BadHash;
        Assert.Equal(expected, VerifyStaged(image, _crypto));
    }

    [Theory]
    [InlineData("header", 13)]
    [InlineData("payload", 31337)]
    public void ATamperedImageWithARecomputedHashIsRefusedByTheSignature(string where, int index)
    {
        byte[] image = SignedImage();
        image[where == "header" ? index : ImageFormat.HeaderSize + index] ^= 0x80;
        Rehash(image);
        Assert.Equal(ImageVerifyResult.BadSignature, VerifyStaged(image, _crypto));
    }

    [Fact]
    public void NegativeRunWithoutTheSignatureCheckTheRehashedImageWouldBeAccepted()
    {
        // The same tampering with a crypto that accepts every signature: Ok. So it is the managed
        // ECDSA verification, not the hash or the header checks, that refuses the image above.
        byte[] image = SignedImage();
        image[ImageFormat.HeaderSize + 31337] ^= 0x80;
        Rehash(image);
        Assert.Equal(ImageVerifyResult.Ok, VerifyStaged(image, new AcceptAnySignature()));
    }

    [Fact]
    public void AnImageSignedByAnotherKeyWithoutTheKeyHashIsRefusedByTheSignature()
    {
        using ECDsa other = ImageSigner.GenerateKey();
        var payload = new byte[PayloadSize];
        byte[] image = ImageSigner.Sign(payload, Version, SparkCoreBoard.ImageBoardId, other);
        int entry = ImageFormat.HeaderSize + PayloadSize + ImageFormat.TrailerInfoSize;
        Assert.Equal(ImageFormat.TagKeyHash, image[entry]);
        image[entry] = 0x7F; // unknown tag: skipped, so only ECDSA can tell the keys apart
        Assert.Equal(ImageVerifyResult.BadSignature, VerifyStaged(image, _crypto));
    }

    [Fact]
    public void ManagedAndHostCryptoGiveTheSameVerdicts()
    {
        using var host = new CoreFirmware.Virtual.Hardware.HostCrypto();
        byte[] pub = ImageSigner.PublicKeyPoint(_key);
        var rng = new Random(9);
        for (int i = 0; i < 10; i++)
        {
            var digest = new byte[32];
            rng.NextBytes(digest);
            byte[] sig = _key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            if (i % 2 == 1) sig[rng.Next(64)] ^= (byte)(1 << rng.Next(8));
            // The host's ECDSA accepts a high s too; the managed one adds the low-S rule.
            Assert.Equal(host.EcdsaP256Verify(pub, 0, digest, 0, sig, 0) && CoreFirmware.Tests.Crypto.P256Reference.IsLowS(sig),
                _crypto.EcdsaP256Verify(pub, 0, digest, 0, sig, 0));
        }
    }

    [Fact]
    public void Sha256MatchesTheHostAndChecksItsArguments()
    {
        var data = new byte[1000];
        new Random(10).NextBytes(data);
        var output = new byte[40];
        Assert.Equal(32, _crypto.Sha256(data, 3, 990, output, 8));
        Assert.Equal(SHA256.HashData(data.AsSpan(3, 990)), output[8..]);
        Assert.Equal(CryptoStatus.InvalidArgument, _crypto.Sha256(null!, 0, 0, output, 0));
        Assert.Equal(CryptoStatus.InvalidArgument, _crypto.Sha256(data, 10, 991, output, 0));
        Assert.Equal(CryptoStatus.InvalidArgument, _crypto.Sha256(data, 0, 10, output, 9));
    }

    [Fact]
    public void TheHandshakeAndSessionPrimitivesAnswerNotSupported()
    {
        var buf = new byte[256];
        var key = new byte[16];
        Assert.Equal(CryptoStatus.NotSupported, _crypto.RsaEncrypt(buf, buf, 0, 10, buf, 0, 256));
        Assert.Equal(CryptoStatus.NotSupported, _crypto.RsaDecrypt(buf, buf, 0, 128, buf, 0, 256));
        Assert.Equal(CryptoStatus.NotSupported, _crypto.RsaSignRaw(buf, buf, 0, 20, buf, 0, 256));
        Assert.False(_crypto.RsaVerifyRaw(buf, buf, 0, 256, buf, 0, 20));
        Assert.Equal(CryptoStatus.NotSupported, _crypto.AesCbcEncrypt(key, key, buf, 0, 16, buf, 32, 32));
        Assert.Equal(CryptoStatus.NotSupported, _crypto.AesCbcDecrypt(key, key, buf, 0, 16, buf, 32, 32));
        Assert.Equal(CryptoStatus.NotSupported, _crypto.HmacSha1(key, 0, 16, buf, 0, 10, buf, 100));
    }

    [Fact]
    public void VerificationAllocatesNothing()
    {
        var verifier = new EcdsaP256Verifier();
        byte[] pub = ImageSigner.PublicKeyPoint(_key);
        byte[] digest = SHA256.HashData("allocation"u8);
        byte[] sig = CoreFirmware.Tests.Crypto.P256Reference.SignLow(_key, digest);
        byte[] bad = (byte[])sig.Clone();
        bad[5] ^= 1;
        Assert.True(verifier.Verify(pub, 0, digest, 0, sig, 0));
        Assert.False(verifier.Verify(pub, 0, digest, 0, bad, 0));
        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                verifier.Verify(pub, 0, digest, 0, sig, 0);
                verifier.Verify(pub, 0, digest, 0, bad, 0);
            }
        });
        Assert.Equal(0, allocated);
    }

    /// <summary>An ICrypto whose signature check always passes: the mechanism switched off.</summary>
    private sealed class AcceptAnySignature : ICrypto
    {
        public int RsaEncrypt(byte[] k, byte[] i, int io, int ic, byte[] o, int oo, int oc) => CryptoStatus.NotSupported;
        public int RsaDecrypt(byte[] k, byte[] i, int io, int ic, byte[] o, int oo, int oc) => CryptoStatus.NotSupported;
        public int RsaSignRaw(byte[] k, byte[] d, int dof, int dc, byte[] o, int oo, int oc) => CryptoStatus.NotSupported;
        public bool RsaVerifyRaw(byte[] k, byte[] s, int so, int sc, byte[] e, int eo, int ec) => false;
        public int AesCbcEncrypt(byte[] k, byte[] iv, byte[] i, int io, int ic, byte[] o, int oo, int oc) => CryptoStatus.NotSupported;
        public int AesCbcDecrypt(byte[] k, byte[] iv, byte[] i, int io, int ic, byte[] o, int oo, int oc) => CryptoStatus.NotSupported;
        public int HmacSha1(byte[] k, int ko, int kc, byte[] d, int dof, int dc, byte[] o, int oo) => CryptoStatus.NotSupported;
        public int Sha256(byte[] d, int dof, int dc, byte[] o, int oo) => CryptoStatus.NotSupported;
        public bool EcdsaP256Verify(byte[] p, int po, byte[] d, int dof, byte[] s, int so) => true;
    }
}
