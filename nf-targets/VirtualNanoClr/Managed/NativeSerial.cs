using System.Runtime.CompilerServices;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>Native UART transmit side (implemented in Native/corefw_hal.cpp).</summary>
    internal static class NativeSerial
    {
        /// <summary>Queues <paramref name="count"/> bytes on UART <paramref name="port"/> (1 = Serial1).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void Write(int port, byte[] buffer, int offset, int count);
    }
}
