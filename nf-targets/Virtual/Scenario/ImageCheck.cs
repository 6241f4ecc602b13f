using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Runner;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// Is the device on a valid image, and which one will it run? Read without touching the SPI bus
/// (the firmware owns it): the boot-state record of the running boot (as the OTA service keeps it)
/// and the staging slot through the flash model. Valid: the firmware is up, and a Pending record
/// describes exactly the bytes in staging (size and CRC32), so the next boot installs a whole image.
/// </summary>
/// <remarks>
/// Until the bootloader installs (issue 5), a landed update is a Pending record for the new image
/// and the device keeps running the previous app. When the bootloader exists, this is where the
/// check becomes "BootState.ActiveVersion is the version sent" (landed) or the previous one
/// (rolled back); <see cref="ImageCheck.ActiveVersion"/> is 0 meanwhile.
/// </remarks>
public sealed record ImageCheck(bool Valid, BootImageState State, int PendingSize, uint PendingCrc, uint ActiveVersion, string Description)
{
    public static ImageCheck Read(VirtualCore core)
    {
        var runtime = core.Runtime;
        if (runtime == null) return new ImageCheck(false, BootImageState.None, 0, 0, 0, "firmware not running");
        BootStateRecord record = runtime.BootState;
        BootImageState state = record.State;
        int size = record.ImageSize;
        uint crc = record.ImageCrc;
        if (state != BootImageState.Pending) return new ImageCheck(true, state, 0, 0, 0, $"running, boot state {state}");

        var staging = SparkCoreFlashLayout.Create().Staging;
        if (size <= 0 || size > staging.Size) return new ImageCheck(false, state, size, crc, 0, $"pending record with size {size}");
        var bytes = new byte[size];
        core.Board.FlashModel.Peek(staging.Start, bytes);
        uint actual = Crc32.Compute(bytes, 0, size);
        return actual == crc
            ? new ImageCheck(true, state, size, crc, 0, $"pending {size} B crc {crc:x8}")
            : new ImageCheck(false, state, size, crc, 0, $"pending record crc {crc:x8} but staging holds {actual:x8}");
    }

    /// <summary>True when this is a Pending record for exactly <paramref name="image"/>.</summary>
    public bool IsPendingFor(byte[] image) =>
        Valid && State == BootImageState.Pending && PendingSize == image.Length && PendingCrc == Crc32.Compute(image, 0, image.Length);
}
