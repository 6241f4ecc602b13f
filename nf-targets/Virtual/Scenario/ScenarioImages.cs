using System.Security.Cryptography;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Cloud.Images;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// The one place the scenario's images come from: version 1.0.N of the ticker app is the app
/// assembly's bytes (the assembly that holds <see cref="BitcoinTickerApp"/>) signed with
/// <see cref="ImageSigner.Sign"/> for the Spark Core board id. The key is the scenario's own until the
/// cloud holds the image signing key (then pass that one).
/// </summary>
public sealed class ScenarioImages
{
    private readonly ECDsa _key;
    private readonly byte[] _payload;

    public ScenarioImages(ECDsa key)
    {
        _key = key ?? throw new ArgumentNullException(nameof(key));
        _payload = File.ReadAllBytes(PayloadPath);
    }

    /// <summary>The ticker app assembly on disk: the image payload.</summary>
    public static string PayloadPath => typeof(BitcoinTickerApp).Assembly.Location;

    /// <summary>Payload size in bytes.</summary>
    public int PayloadSize => _payload.Length;

    /// <summary>The signed image of version 1.0.<paramref name="revision"/>.</summary>
    public byte[] Build(int revision) => Build(new ImageVersion(1, 0, revision, 0));

    /// <summary>The signed image of <paramref name="version"/>.</summary>
    public byte[] Build(ImageVersion version) => ImageSigner.Sign(_payload, version, SparkCoreBoard.ImageBoardId, _key);

    /// <summary>The packed version the boot state records (BOOT-DESIGN.md).</summary>
    public static uint Packed(ImageVersion v) => CoreFirmware.Ota.Image.PackedImageVersion.Pack(v.Major, v.Minor, v.Revision);
}
