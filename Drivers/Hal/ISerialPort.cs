namespace CoreFirmware.Drivers.Hal
{
    /// <summary>A UART transmit side (Serial1 on the Core): bytes out, nothing allocated.</summary>
    public interface ISerialPort
    {
        /// <summary>Queues <paramref name="count"/> bytes for transmission; returns when they are accepted.</summary>
        void Write(byte[] buffer, int offset, int count);
    }
}
