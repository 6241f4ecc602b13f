using System.Runtime.CompilerServices;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>Native internal flash of the MCU (implemented in Native/corefw_hal.cpp).</summary>
    internal static class NativeInternalFlash
    {
        /// <summary>Bytes of the application region.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern int Size();

        /// <summary>Erase unit in bytes.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern int PageSize();

        /// <summary>Copies <paramref name="count"/> bytes at <paramref name="address"/> into the buffer.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void Read(int address, byte[] buffer, int offset, int count);

        /// <summary>Erases the page that starts at <paramref name="address"/>.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void ErasePage(int address);

        /// <summary>Programs erased bytes.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void Program(int address, byte[] data, int offset, int count);
    }
}
