using CoreFirmware.Ota.Runtime;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Sst25;
using Xunit;

namespace CoreFirmware.Tests.Ota;

/// <summary>The device keys record (CFK2) on the external flash: round trip with the image key; the old CFK1 form is refused clearly.</summary>
[Trait("Category", "Ota")]
public class DeviceKeysTests
{
    private static byte[] Bytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public void TheImageKeyRoundTripsAndTheOldFormIsRefusedWithAReason()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var region = SparkCoreFlashLayout.Create().Keys;
        byte[] point = Bytes(65, 4);
        point[0] = 0x04;
        var keys = new DeviceKeys(Bytes(12, 1), Bytes(610, 2), Bytes(162, 3), Bytes(294, 5), point);
        keys.Write(rig.Flash, region);

        DeviceKeys? read = DeviceKeys.Read(rig.Flash, region);
        Assert.NotNull(read);
        Assert.Equal(point, read!.ImagePublicKey);
        Assert.Equal(keys.ServerPublicKeyDer, read.ServerPublicKeyDer);
        Assert.Equal(keys.DeviceId, read.DeviceId);

        Assert.Throws<ArgumentException>(() => new DeviceKeys(Bytes(12, 1), Bytes(10, 2), Bytes(10, 3), Bytes(10, 5), Bytes(64, 6)));

        // A board provisioned before image keys ("CFK1"): a clear error, not a silent "no keys".
        rig.Flash.EraseSector(region.Start);
        rig.Flash.Program(region.Start, "CFK1"u8.ToArray(), 0, 4);
        var e = Assert.Throws<InvalidOperationException>(() => DeviceKeys.Read(rig.Flash, region));
        Assert.Contains("provision", e.Message);
    }
}
