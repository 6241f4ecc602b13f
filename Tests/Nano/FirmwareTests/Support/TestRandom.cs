namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// A deterministic xorshift32 generator: the same bytes on nanoCLR and CoreCLR (System.Random's
    /// sequence is not specified across runtimes). Also generates the test images' payloads.
    /// </summary>
    public sealed class TestRandom
    {
        private uint _x;

        /// <summary>Starts at <paramref name="seed"/> (0 is taken as 1).</summary>
        public TestRandom(uint seed)
        {
            _x = seed == 0 ? 1u : seed;
        }

        /// <summary>The next 32 bits.</summary>
        public uint NextUInt()
        {
            _x ^= _x << 13;
            _x ^= _x >> 17;
            _x ^= _x << 5;
            return _x;
        }

        /// <summary>A value in [0, <paramref name="max"/>).</summary>
        public int Next(int max)
        {
            return (int)(NextUInt() % (uint)max);
        }

        /// <summary>Fills b[offset..offset+count) with the low byte of successive values.</summary>
        public void NextBytes(byte[] b, int offset, int count)
        {
            for (int i = 0; i < count; i++) b[offset + i] = (byte)NextUInt();
        }

        /// <summary>A new array of <paramref name="count"/> bytes.</summary>
        public byte[] NextBytes(int count)
        {
            byte[] b = new byte[count];
            NextBytes(b, 0, count);
            return b;
        }
    }
}
