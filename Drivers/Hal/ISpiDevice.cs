namespace CoreFirmware.Drivers.Hal
{
    /// <summary>
    /// One device on a shared SPI bus, in the shape of System.Device.Spi's SpiDevice but with
    /// byte[] + offset + count buffers. The chip select is NOT toggled per transfer: the driver
    /// holds it low across a whole logical transaction with <see cref="Select"/> / <see cref="Deselect"/>
    /// (the CC3000 needs CS held while it waits for the module's IRQ). Callers must own the bus
    /// through <see cref="CoreFirmware.Drivers.Spi.SpiBusArbiter"/> between Select and Deselect.
    /// </summary>
    public interface ISpiDevice
    {
        /// <summary>How this device is clocked.</summary>
        SpiConnectionSettings ConnectionSettings { get; }

        /// <summary>Drives this device's chip select low (active).</summary>
        void Select();

        /// <summary>Drives this device's chip select high (idle).</summary>
        void Deselect();

        /// <summary>
        /// Clocks <paramref name="count"/> bytes: sends writeBuffer[writeOffset..] and stores what came
        /// back in readBuffer[readOffset..]. <paramref name="readBuffer"/> may be null to discard the input.
        /// </summary>
        void TransferFullDuplex(byte[] writeBuffer, int writeOffset, byte[] readBuffer, int readOffset, int count);

        /// <summary>Clocks out <paramref name="count"/> bytes, discarding what comes back.</summary>
        void Write(byte[] buffer, int offset, int count);

        /// <summary>Clocks <paramref name="count"/> bytes of 0x00 and stores what comes back.</summary>
        void Read(byte[] buffer, int offset, int count);
    }
}
