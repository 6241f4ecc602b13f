using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Cloud;
using CoreFirmware.Cloud.Images;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// The one place the scenario's images come from: version 1.0.N of the ticker app is the app
/// assembly's bytes (the assembly that holds <see cref="BitcoinTickerApp"/>) signed with
/// the local cloud's image key (<see cref="LocalCloud.SignImage"/>) for the Spark Core board id: the
/// key the device is provisioned with, so these are images the device accepts and runs.
/// </summary>
public sealed class ScenarioImages
{
    private readonly LocalCloud _cloud;
    private readonly byte[] _payload;

    /// <param name="cloud">Whose image key signs.</param>
    /// <param name="payloadPath">The app's bytes: <see cref="PayloadPath"/> (CoreCLR), or the ticker app's
    /// deployment (.pe) when the firmware runs on nanoCLR.</param>
    public ScenarioImages(LocalCloud cloud, string? payloadPath = null)
    {
        _cloud = cloud ?? throw new ArgumentNullException(nameof(cloud));
        _payload = File.ReadAllBytes(payloadPath ?? PayloadPath);
    }

    /// <summary>The ticker app assembly on disk: the image payload.</summary>
    public static string PayloadPath => typeof(BitcoinTickerApp).Assembly.Location;

    /// <summary>Payload size in bytes.</summary>
    public int PayloadSize => _payload.Length;

    /// <summary>The signed image of version 1.0.<paramref name="revision"/>.</summary>
    public byte[] Build(int revision) => Build(new ImageVersion(1, 0, revision, 0));

    /// <summary>The signed image of <paramref name="version"/>.</summary>
    public byte[] Build(ImageVersion version) => _cloud.SignImage(_payload, version, SparkCoreBoard.ImageBoardId);

    /// <summary>
    /// A bad release of <paramref name="version"/>: signed like any other, but its payload (random
    /// bytes the size of the app) is not an app, so it fails at start on the device.
    /// </summary>
    public byte[] BuildBad(ImageVersion version)
    {
        var junk = new byte[_payload.Length];
        new Random(version.Revision).NextBytes(junk);
        return _cloud.SignImage(junk, version, SparkCoreBoard.ImageBoardId);
    }

    /// <summary>The packed version the boot state records (BOOT-DESIGN.md).</summary>
    public static uint Packed(ImageVersion v) => CoreFirmware.Ota.Image.PackedImageVersion.Pack(v.Major, v.Minor, v.Revision);
}
