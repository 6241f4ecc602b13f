using CoreFirmware.Drivers.Flash;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Nano.FirmwareTests.Ota
{
    /// <summary>
    /// The negative run's policy (test code only): the check at UpdateDone is taken out, so whatever
    /// lies in the staging slot is recorded as pending. The firmware's policy always checks.
    /// </summary>
    public sealed class PolicyWithoutStagedCheck : OtaImagePolicy
    {
        /// <summary>Creates it as <see cref="OtaImagePolicy"/>.</summary>
        public PolicyWithoutStagedCheck(ImageVerifier verifier, uint boardId, uint activeVersion)
            : base(verifier, boardId, activeVersion)
        {
        }

        /// <inheritdoc />
        public override string CheckStaged(IFlashReader flash, int slotAddress, int slotSize, int imageLength)
        {
            return null;
        }
    }
}
