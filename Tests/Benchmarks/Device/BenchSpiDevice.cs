#nullable disable
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>
    /// An SPI device with nothing on the wire: writes go nowhere, reads give 0xFF (an idle MISO line).
    /// Enough to construct the drivers for the start-up heap figure; nothing here talks to a part.
    /// </summary>
    public sealed class BenchSpiDevice : ISpiDevice
    {
        private readonly SpiConnectionSettings _settings;

        /// <summary>Creates the device with the part's connection settings.</summary>
        public BenchSpiDevice(SpiConnectionSettings settings)
        {
            _settings = settings;
        }

        /// <inheritdoc />
        public SpiConnectionSettings ConnectionSettings
        {
            get { return _settings; }
        }

        /// <inheritdoc />
        public void Select()
        {
        }

        /// <inheritdoc />
        public void Deselect()
        {
        }

        /// <inheritdoc />
        public void TransferFullDuplex(byte[] writeBuffer, int writeOffset, byte[] readBuffer, int readOffset, int count)
        {
            Idle(readBuffer, readOffset, count);
        }

        /// <inheritdoc />
        public void Write(byte[] buffer, int offset, int count)
        {
        }

        /// <inheritdoc />
        public void Read(byte[] buffer, int offset, int count)
        {
            Idle(buffer, offset, count);
        }

        private static void Idle(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++) buffer[offset + i] = 0xFF;
        }
    }
}
