using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;

namespace CoreFirmware.Virtual.NegativeRuns;

/// <summary>
/// The bootloader with test boot taken out: an installed image is confirmed at install, so a
/// crash-looping image is never rolled back. Host-only, for the negative run that shows what test boot
/// prevents (<see cref="Runner.VirtualCoreOptions.TestBootEnabled"/> false); the firmware's bootloader
/// always boots new images in test mode.
/// </summary>
public sealed class BootloaderWithoutTestBoot(Sst25Flash flash, FlashMap map, IInternalFlash application, ImageVerifier verifier, IWatchdog? watchdog)
    : Bootloader(flash, map, application, verifier, watchdog)
{
    /// <inheritdoc />
    protected override bool InstalledImageBootsInTestMode() => false;
}
