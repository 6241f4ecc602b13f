using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Virtual.PowerCut;

/// <summary>Signs a payload as a whole image (header + payload + trailer) for version major.minor.revision.</summary>
public delegate byte[] SweepImageSigner(byte[] payload, int major, int minor, int revision);

/// <summary>
/// The images of a power-cut sweep: the old one installed at the start (1.0.0), the update (1.1.0),
/// the second update that must land after every cut (1.2.0), and an older one (0.9.0) the security
/// counter must refuse after every cut. Sizes differ a little around the chosen size so partial
/// pages and unaligned ends are exercised.
/// </summary>
public sealed class SweepImages
{
    public SweepImages(int imageKb, SweepImageSigner sign, byte[] publicKeyPoint)
    {
        if (imageKb < 2) throw new ArgumentOutOfRangeException(nameof(imageKb), "at least 2 KB");
        int size = imageKb * 1024;
        Old = sign(Payload(size - 700, 100), 1, 0, 0);
        New = sign(Payload(size + 300, 110), 1, 1, 0);
        Second = sign(Payload(size - 100, 120), 1, 2, 0);
        Older = sign(Payload(2048, 90), 0, 9, 0);
        PublicKeyPoint = publicKeyPoint;
    }

    /// <summary>1.0.0, installed and confirmed before the update.</summary>
    public byte[] Old { get; }

    /// <summary>1.1.0, the update the sweep cuts into.</summary>
    public byte[] New { get; }

    /// <summary>1.2.0, the OTA that must land after the cut.</summary>
    public byte[] Second { get; }

    /// <summary>0.9.0, validly signed and older than anything the board ever confirmed: a rollback attack.</summary>
    public byte[] Older { get; }

    /// <summary>The 65-byte public point the device's verifier uses.</summary>
    public byte[] PublicKeyPoint { get; }

    public static readonly uint OldVersion = PackedImageVersion.Pack(1, 0, 0);
    public static readonly uint NewVersion = PackedImageVersion.Pack(1, 1, 0);
    public static readonly uint SecondVersion = PackedImageVersion.Pack(1, 2, 0);
    public static readonly uint OlderVersion = PackedImageVersion.Pack(0, 9, 0);

    // Payload bytes such that the whole signed image is `imageSize` bytes.
    private static byte[] Payload(int imageSize, int seed)
    {
        var payload = new byte[imageSize - ImageFormat.HeaderSize - ImageFormat.StandardTrailerSize];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    /// <summary>The uncompressed public point 0x04 || X || Y of <paramref name="key"/>.</summary>
    public static byte[] PointOf(ECDsa key) => ImageSigner.PublicKeyPoint(key);

    /// <summary>A signer over the cloud's <see cref="ImageSigner"/> with <paramref name="key"/>.</summary>
    public static SweepImageSigner HostSigner(ECDsa key) => (payload, major, minor, revision) =>
        ImageSigner.Sign(payload, new ImageVersion(major, minor, revision, 0), SparkCoreBoard.ImageBoardId, key);
}
