namespace CoreFirmware.Drivers.Flash
{
    /// <summary>
    /// Reads bytes from a flash part by address: what an image verifier or a copy needs, whether the
    /// image sits in the external SPI flash or in the MCU's internal flash.
    /// </summary>
    public interface IFlashReader
    {
        /// <summary>Reads <paramref name="count"/> bytes at <paramref name="address"/> into buffer[offset..].</summary>
        void Read(int address, byte[] buffer, int offset, int count);
    }
}
