using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Sst25;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Image;

/// <summary>
/// Images signed on the host (ImageSigner) and verified by the firmware's ImageVerifier from the
/// staging slot of a virtual SST25 (the real Sst25Flash over the shared SPI bus).
/// </summary>
[Trait("Category", "Image")]
public sealed class ImageVerifierTests : IDisposable
{
    private static readonly ImageVersion Version = new(1, 2, 3, 45);
    private readonly TempFlashFile _file = new();
    private readonly Sst25TestRig _rig;
    private readonly HostCrypto _crypto = new();
    private readonly ECDsa _key = ImageSigner.GenerateKey();
    private readonly ECDsa _otherKey = ImageSigner.GenerateKey();
    private readonly int _staging = SparkCoreFlashLayout.Create().Staging.Start;

    public ImageVerifierTests()
    {
        _rig = Sst25TestRig.Started(_file.Path);
    }

    public void Dispose()
    {
        _rig.AssertClean();
        _rig.Dispose();
        _file.Dispose();
        _crypto.Dispose();
        _key.Dispose();
        _otherKey.Dispose();
    }

    private static byte[] Payload(int size, int seed = 7)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        return b;
    }

    private void Stage(byte[] image)
    {
        int erase = (image.Length + 4095) / 4096 * 4096;
        if (erase > 0) _rig.Flash.EraseRange(_staging, erase);
        _rig.Flash.Program(_staging, image, 0, image.Length);
    }

    private ImageVerifyResult VerifyStaged(byte[] image, int? length = null, int slotSize = SparkCoreFlashLayout.SlotSize, ECDsa? key = null)
    {
        Stage(image);
        var verifier = new ImageVerifier(_crypto, ImageSigner.PublicKeyPoint(key ?? _key), SparkCoreBoard.ImageBoardId);
        return verifier.Verify(_rig.Flash, _staging, slotSize, length ?? image.Length);
    }

    private byte[] Signed(int payloadSize = 5000, uint board = SparkCoreBoard.ImageBoardId, ECDsa? key = null) =>
        ImageSigner.Sign(Payload(payloadSize), Version, board, key ?? _key);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(ImageVerifier.ChunkSize - ImageFormat.HeaderSize)]
    [InlineData(ImageVerifier.ChunkSize)]
    [InlineData(5000)]
    [InlineData(70001)]
    public void GoodImageIsOkAtAnySize(int payloadSize)
    {
        byte[] image = Signed(payloadSize);
        Assert.Equal(ImageVerifyResult.Ok, VerifyStaged(image));
        Assert.Equal(ImageVerifyResult.Ok, ImageSigner.Verify(image, _key, SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize));
    }

    [Fact]
    public void HeaderFieldsReadBack()
    {
        byte[] image = Signed(1234);
        Stage(image);
        var verifier = new ImageVerifier(_crypto, ImageSigner.PublicKeyPoint(_key), SparkCoreBoard.ImageBoardId);
        Assert.Equal(ImageVerifyResult.Ok, verifier.Verify(_rig.Flash, _staging, SparkCoreFlashLayout.SlotSize, image.Length));
        ImageHeader h = verifier.Header;
        Assert.Equal((1, 2, 3, 45u, 1234u, SparkCoreBoard.ImageBoardId), (h.Major, h.Minor, h.Revision, h.Build, h.PayloadSize, h.BoardId));
        Assert.Equal(ImageFormat.HeaderSize + 1234 + ImageFormat.StandardTrailerSize, image.Length);
        Assert.Equal((byte)'C', image[0]);
        Assert.Equal((byte)'I', image[3]);
    }

    [Fact]
    public void BadSignature()
    {
        byte[] image = Signed();
        image[^1] ^= 0x01; // last byte of s
        Assert.Equal(ImageVerifyResult.BadSignature, VerifyStaged(image));
        Assert.Equal(ImageVerifyResult.BadSignature, ImageSigner.Verify(image, _key, SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize));
    }

    [Fact]
    public void WrongKey()
    {
        byte[] image = Signed(key: _otherKey);
        Assert.Equal(ImageVerifyResult.BadSignature, VerifyStaged(image));
    }

    [Fact]
    public void WrongKeyWithoutKeyHashEntryStillFailsOnTheSignature()
    {
        byte[] image = Signed(key: _otherKey);
        // Turn the key-hash entry into an unknown (skipped) tag: only ECDSA can refuse it now.
        int entry = ImageFormat.HeaderSize + 5000 + ImageFormat.TrailerInfoSize;
        Assert.Equal(ImageFormat.TagKeyHash, image[entry]);
        image[entry] = 0x7F;
        Assert.Equal(ImageVerifyResult.BadSignature, VerifyStaged(image));
        Assert.Equal(ImageVerifyResult.Ok, VerifyStaged(image, key: _otherKey));
    }

    [Fact]
    public void BadHash()
    {
        byte[] image = Signed();
        image[ImageFormat.HeaderSize + 2500] ^= 0x40;
        Assert.Equal(ImageVerifyResult.BadHash, VerifyStaged(image));
        Assert.Equal(ImageVerifyResult.BadHash, ImageSigner.Verify(image, _key, SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize));
    }

    [Fact]
    public void Truncated()
    {
        byte[] image = Signed();
        Assert.Equal(ImageVerifyResult.Truncated, VerifyStaged(image, image.Length - 1));
        Assert.Equal(ImageVerifyResult.Truncated, VerifyStaged(image, ImageFormat.HeaderSize + 100));
        Assert.Equal(ImageVerifyResult.Truncated, VerifyStaged(image, 20));
        Assert.Equal(ImageVerifyResult.Truncated, ImageSigner.Verify(image[..^1], _key, SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize));
    }

    [Fact]
    public void Oversize()
    {
        // Bigger than the slot it is in.
        byte[] image = Signed(5000);
        Assert.Equal(ImageVerifyResult.TooLarge, VerifyStaged(image, slotSize: 4096));
        // A header that declares more payload than the slot holds, before any payload arrives.
        var header = new ImageHeader();
        header.Read(image, 0);
        header.PayloadSize = SparkCoreFlashLayout.SlotSize;
        header.Write(image, 0);
        Assert.Equal(ImageVerifyResult.TooLarge, VerifyStaged(image));
        Assert.Equal(ImageVerifyResult.TooLarge, header.Check(SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize));
    }

    [Fact]
    public void WrongBoard()
    {
        Assert.Equal(ImageVerifyResult.WrongBoard, VerifyStaged(Signed(board: 0x12345678)));
    }

    [Fact]
    public void BadMagic()
    {
        byte[] image = Signed();
        image[0] ^= 0xFF;
        Assert.Equal(ImageVerifyResult.BadMagic, VerifyStaged(image));
    }

    [Fact]
    public void UnsupportedVersion()
    {
        byte[] image = Signed();
        image[4] = 2; // format version 2
        Assert.Equal(ImageVerifyResult.UnsupportedVersion, VerifyStaged(image));
    }

    /// <summary>Issue 12 item 5: reserved bytes must be zero, and nothing may follow the trailer of an
    /// image whose length is known; a slot (length unknown) ignores what follows its image.</summary>
    [Fact]
    public void ReservedBytesSetOrBytesAfterTheTrailerAreMalformed()
    {
        byte[] image = Signed();
        byte[] reservedWord = (byte[])image.Clone();
        reservedWord[29] = 0x01;                                              // header bytes 28..31
        Assert.Equal(ImageVerifyResult.Malformed, VerifyStaged(reservedWord));
        Assert.Equal(ImageVerifyResult.Malformed, ImageSigner.Verify(reservedWord, _key, SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize));

        int firstEntry = ImageFormat.HeaderSize + 5000 + ImageFormat.TrailerInfoSize;
        byte[] reservedEntry = (byte[])image.Clone();
        reservedEntry[firstEntry + 1] = 0x80;                                 // the key-hash entry's reserved byte
        Assert.Equal(ImageVerifyResult.Malformed, VerifyStaged(reservedEntry));
        Assert.Equal(ImageVerifyResult.Malformed, ImageSigner.Verify(reservedEntry, _key, SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize));

        byte[] appended = [.. image, 0xAA, 0xBB];
        Assert.Equal(ImageVerifyResult.Malformed, VerifyStaged(appended));    // an OTA of this file: its length is known
        Assert.Equal(ImageVerifyResult.Malformed, ImageSigner.Verify(appended, _key, SparkCoreBoard.ImageBoardId, SparkCoreFlashLayout.SlotSize));
        var verifier = new ImageVerifier(_crypto, ImageSigner.PublicKeyPoint(_key), SparkCoreBoard.ImageBoardId);
        Assert.Equal(ImageVerifyResult.Ok, verifier.VerifyInSlot(_rig.Flash, _staging, SparkCoreFlashLayout.SlotSize)); // in a slot: not the image's
        Assert.Equal(image.Length, verifier.ImageLength);
    }

    [Fact]
    public void MalformedTrailerIsTruncatedNotACrash()
    {
        byte[] image = Signed();
        int trailer = ImageFormat.HeaderSize + 5000;
        image[trailer + ImageFormat.TrailerInfoSize + 2] = 0xFF; // first entry's length overruns the trailer
        Assert.Equal(ImageVerifyResult.Truncated, VerifyStaged(image));
        image = Signed();
        image[trailer] ^= 0xFF; // trailer magic
        Assert.Equal(ImageVerifyResult.Truncated, VerifyStaged(image));
    }
}
