using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Nano.FirmwareTests.Boot
{
    /// <summary>
    /// A board for the bootloader: the external flash (FlashRig), the MCU's application slot in memory
    /// (MemoryInternalFlash) and a watchdog; <see cref="Loader"/> is what runs at each boot.
    /// </summary>
    public sealed class BootRig
    {
        private readonly ICrypto _crypto;

        /// <summary>A board whose bootloader verifies images with <paramref name="crypto"/> (ManagedImageCrypto: the device's).</summary>
        public BootRig(ICrypto crypto)
        {
            _crypto = crypto;
            Flash = new FlashRig();
            App = new MemoryInternalFlash();
            Watchdog = new TestWatchdog();
        }

        /// <summary>The external flash.</summary>
        public FlashRig Flash { get; private set; }

        /// <summary>The application slot.</summary>
        public MemoryInternalFlash App { get; private set; }

        /// <summary>The watchdog (set WatchdogCausedReset for a watchdog reset).</summary>
        public TestWatchdog Watchdog { get; private set; }

        /// <summary>The flash map.</summary>
        public FlashMap Map
        {
            get { return Flash.Map; }
        }

        /// <summary>The bootloader of one boot.</summary>
        public Bootloader Loader()
        {
            ImageVerifier verifier = new ImageVerifier(_crypto, TestImages.ImageKey, SparkCoreBoard.ImageBoardId);
            return new Bootloader(Flash.Flash, Flash.Map, App, verifier, Watchdog);
        }

        /// <summary>One boot: the bootloader's decision.</summary>
        public BootDecision Boot()
        {
            return Loader().Run();
        }

        /// <summary>Writes <paramref name="image"/> at the start of <paramref name="slot"/>.</summary>
        public void WriteSlot(FlashRegion slot, byte[] image)
        {
            Flash.Write(slot.Start, image);
        }

        /// <summary>What the OTA service leaves: <paramref name="image"/> staged and the state Pending.</summary>
        public void StageAndPend(byte[] image)
        {
            WriteSlot(Map.Staging, image);
            BootState s = State();
            s.State = BootImageState.Pending;
            s.PendingImageSize = image.Length;
            WriteState(s);
        }

        /// <summary>The newest boot state.</summary>
        public BootState State()
        {
            return BootStates.Open(Flash).Read();
        }

        /// <summary>Writes a boot state (as the runtime would).</summary>
        public void WriteState(BootState s)
        {
            Assert.IsTrue(BootStates.Open(Flash).Write(s), "boot state written");
        }

        /// <summary>Fails unless the application slot starts with <paramref name="image"/>.</summary>
        public void AssertRunning(byte[] image, string what)
        {
            Assert.AreEqual(image, App.Peek(0, image.Length), what + ": application slot");
        }

        /// <summary>Fails unless <paramref name="slot"/> starts with <paramref name="image"/>.</summary>
        public void AssertSlot(FlashRegion slot, byte[] image, string what)
        {
            Assert.AreEqual(image, Flash.Peek(slot.Start, image.Length), what);
        }
    }
}
