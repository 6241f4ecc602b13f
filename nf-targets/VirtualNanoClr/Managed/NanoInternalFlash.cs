using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>
    /// <see cref="IInternalFlash"/> over the native flash controller. A refused operation (alignment,
    /// a program over bytes that are not erased) arrives as the firmware's
    /// <see cref="InternalFlashException"/>, raised by the native side with the part's reason.
    /// </summary>
    public sealed class NanoInternalFlash : IInternalFlash
    {
        private readonly int _size;
        private readonly int _pageSize;

        /// <summary>Reads the region's geometry from the part.</summary>
        public NanoInternalFlash()
        {
            _size = NativeInternalFlash.Size();
            _pageSize = NativeInternalFlash.PageSize();
        }

        /// <inheritdoc />
        public int Size
        {
            get { return _size; }
        }

        /// <inheritdoc />
        public int PageSize
        {
            get { return _pageSize; }
        }

        /// <inheritdoc />
        public void Read(int address, byte[] buffer, int offset, int count)
        {
            NativeInternalFlash.Read(address, buffer, offset, count);
        }

        /// <inheritdoc />
        public void ErasePage(int address)
        {
            NativeInternalFlash.ErasePage(address);
        }

        /// <inheritdoc />
        public void Program(int address, byte[] data, int offset, int count)
        {
            NativeInternalFlash.Program(address, data, offset, count);
        }
    }
}
