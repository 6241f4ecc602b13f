using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary><see cref="ISerialPort"/> over a native UART's transmit side.</summary>
    public sealed class NanoSerialPort : ISerialPort
    {
        /// <summary>UART number of the Core's Serial1.</summary>
        public const int Serial1 = 1;

        private readonly int _port;

        /// <summary>Opens UART <paramref name="port"/>.</summary>
        public NanoSerialPort(int port)
        {
            _port = port;
        }

        /// <inheritdoc />
        public void Write(byte[] buffer, int offset, int count)
        {
            NativeSerial.Write(_port, buffer, offset, count);
        }
    }
}
