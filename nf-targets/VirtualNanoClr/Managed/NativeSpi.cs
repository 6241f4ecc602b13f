using System.Runtime.CompilerServices;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>Native SPI controller with GPIO chip selects (implemented in Native/corefw_hal.cpp).</summary>
    internal static class NativeSpi
    {
        /// <summary>Opens a device on bus <paramref name="busId"/> selected by pin <paramref name="chipSelectPin"/>; returns its handle.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern int Open(int busId, int chipSelectPin, int mode, int clockFrequency);

        /// <summary>Drives the device's chip select low (true) or high (false).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void SetSelected(int handle, bool selected);

        /// <summary>Clocks <paramref name="count"/> bytes; a null write buffer sends zeros, a null read buffer discards.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void Transfer(int handle, byte[] writeBuffer, int writeOffset, byte[] readBuffer, int readOffset, int count);
    }
}
