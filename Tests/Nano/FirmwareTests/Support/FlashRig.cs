using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// One power-up of the board's external flash: the real driver (Sst25Flash) and a real
    /// SpiBusArbiter over an <see cref="Sst25Chip"/>. <see cref="Reboot"/> powers the same chip up
    /// again under a new arbiter and driver, as a board reset does.
    /// </summary>
    public sealed class FlashRig
    {
        private readonly Sst25Chip _chip;
        private readonly IClock _clock;
        private SpiBusArbiter _arbiter;
        private Sst25Flash _flash;

        /// <summary>A new, erased chip, the driver initialised.</summary>
        public FlashRig() : this(new Sst25Chip(), new SystemClock())
        {
        }

        /// <summary>The given chip and clock; the driver initialised.</summary>
        public FlashRig(Sst25Chip chip, IClock clock)
        {
            _chip = chip;
            _clock = clock;
            Map = SparkCoreFlashLayout.Create();
            Reboot();
        }

        /// <summary>The part.</summary>
        public Sst25Chip Chip
        {
            get { return _chip; }
        }

        /// <summary>The driver of this power-up.</summary>
        public Sst25Flash Flash
        {
            get { return _flash; }
        }

        /// <summary>The bus arbiter of this power-up.</summary>
        public SpiBusArbiter Arbiter
        {
            get { return _arbiter; }
        }

        /// <summary>The Spark Core's flash map.</summary>
        public FlashMap Map { get; private set; }

        /// <summary>The clock the driver bounds its waits with.</summary>
        public IClock Clock
        {
            get { return _clock; }
        }

        /// <summary>Power back on (after a cut or not): a new arbiter and driver, initialised.</summary>
        public void Reboot()
        {
            _chip.PowerOn();
            _arbiter = new SpiBusArbiter(_clock);
            _flash = new Sst25Flash(_chip, _arbiter, _clock);
            _flash.Initialize();
        }

        /// <summary>Erases the sectors <paramref name="data"/> touches at <paramref name="address"/> and programs it.</summary>
        public void Write(int address, byte[] data)
        {
            int first = address / Sst25Flash.SectorSize * Sst25Flash.SectorSize;
            int end = (address + data.Length + Sst25Flash.SectorSize - 1) / Sst25Flash.SectorSize * Sst25Flash.SectorSize;
            _flash.EraseRange(first, end - first);
            _flash.Program(address, data, 0, data.Length);
        }

        /// <summary>The array's bytes (no SPI).</summary>
        public byte[] Peek(int address, int count)
        {
            byte[] b = new byte[count];
            _chip.Peek(address, b, 0, count);
            return b;
        }

        /// <summary>The bus is free and chip select is high.</summary>
        public void AssertClean()
        {
            Assert.IsFalse(_arbiter.IsHeld, "the SPI bus arbiter is still held");
            Assert.IsFalse(_chip.IsSelected, "the flash's chip select is still low");
        }
    }
}
