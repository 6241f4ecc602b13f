#nullable disable
using System;
using CoreFirmware.Drivers.Flash;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>Flash that is a byte array: what the image verification reads in the benchmark.</summary>
    public sealed class MemoryFlash : IFlashReader
    {
        private readonly byte[] _bytes;

        /// <summary>Serves <paramref name="bytes"/> from address 0.</summary>
        public MemoryFlash(byte[] bytes)
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
