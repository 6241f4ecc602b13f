using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Runtime;

namespace CoreFirmware.VirtualNanoClr.Firmware
{
    /// <summary>
    /// The negative runs' replacements on nanoCLR, wired through the firmware's seams by the virtual
    /// Core's entry program (never part of the system deployments, which have no switch): an update
    /// that never takes user networking away.
    /// </summary>
    internal sealed class NoUserPreemption : IUserPreemptionProvider, IUserNetworkPreemption
    {
        public IUserNetworkPreemption For(SocketBroker broker) { return this; }

        public void BeginPreemption() { }

        public bool WaitQuiet(int timeoutMilliseconds) { return true; }

        public void EndPreemption() { }
    }

    /// <summary>The negative run's bootloader: an installed image is confirmed at once (no test boot).</summary>
    internal sealed class BootloaderWithoutTestBoot : Bootloader
    {
        public BootloaderWithoutTestBoot(Sst25Flash flash, FlashMap map, IInternalFlash application, ImageVerifier verifier, IWatchdog watchdog)
            : base(flash, map, application, verifier, watchdog)
        {
        }

        protected override bool InstalledImageBootsInTestMode() { return false; }
    }
}
