using CoreFirmware.Drivers.Flash;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Virtual.NegativeRuns;

/// <summary>
/// The OTA image policy with the check at UpdateDone taken out: whatever lies in the staging slot is
/// recorded as pending (the header gate on chunk 0 still runs). Host-only, for the negative run that
/// shows what the staged-image check stops (the bootloader's own verification is then the last line);
/// the firmware's policy always verifies the staged image.
/// </summary>
public sealed class PolicyWithoutStagedCheck(ImageVerifier verifier, uint boardId, uint activeVersion)
    : OtaImagePolicy(verifier, boardId, activeVersion)
{
    /// <inheritdoc />
    public override string? CheckStaged(IFlashReader flash, int slotAddress, int slotSize, int imageLength) => null;
}
