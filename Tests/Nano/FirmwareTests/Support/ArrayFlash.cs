using System;
using CoreFirmware.Drivers.Flash;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>Flash that is a byte array from address 0: what an image verifier reads in a unit test.</summary>
    public sealed class ArrayFlash : IFlashReader
    {
        private readonly byte[] _bytes;

        /// <summary>Serves <paramref name="bytes"/> (kept by reference).</summary>
        public ArrayFlash(byte[] bytes)
        {
            _bytes = bytes;
        }

        /// <inheritdoc />
        public void Read(int address, byte[] buffer, int offset, int count)
        {
            Array.Copy(_bytes, address, buffer, offset, count);
        }
    }
}
