using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>
    /// <see cref="ISpiDevice"/> over the native SPI controller, in the shape of System.Device.Spi's
    /// SpiDevice: opened once with its settings, then every transfer is one native call on the
    /// caller's buffers (nothing copied or allocated on the managed side).
    /// </summary>
    public sealed class NanoSpiDevice : ISpiDevice
    {
        private readonly SpiConnectionSettings _settings;
        private readonly int _handle;

        /// <summary>Opens the device that <paramref name="settings"/> describe (bus, chip-select pin, mode, clock).</summary>
        public NanoSpiDevice(SpiConnectionSettings settings)
        {
            _settings = settings;
            _handle = NativeSpi.Open(settings.BusId, settings.ChipSelectLine, (int)settings.Mode, settings.ClockFrequency);
        }

        /// <inheritdoc />
        public SpiConnectionSettings ConnectionSettings
        {
            get { return _settings; }
        }

        /// <inheritdoc />
        public void Select()
        {
            NativeSpi.SetSelected(_handle, true);
        }

        /// <inheritdoc />
        public void Deselect()
        {
            NativeSpi.SetSelected(_handle, false);
        }

        /// <inheritdoc />
        public void TransferFullDuplex(byte[] writeBuffer, int writeOffset, byte[] readBuffer, int readOffset, int count)
        {
            NativeSpi.Transfer(_handle, writeBuffer, writeOffset, readBuffer, readOffset, count);
        }

        /// <inheritdoc />
        public void Write(byte[] buffer, int offset, int count)
        {
            NativeSpi.Transfer(_handle, buffer, offset, null, 0, count);
        }

        /// <inheritdoc />
        public void Read(byte[] buffer, int offset, int count)
        {
            NativeSpi.Transfer(_handle, null, 0, buffer, offset, count);
        }
    }
}
