namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF, final XOR
    /// 0xFFFFFFFF), the checksum the cloud puts in every OTA Chunk's Uri-Query (spark-protocol uses
    /// the npm package buffer-crc32, which is this CRC). Check value: "123456789" gives 0xCBF43926.
    /// </summary>
    /// <remarks>Table-driven, one table lookup per byte; the 1 KB table is built once by the static
    /// constructor. <see cref="Compute"/> and <see cref="Update"/> allocate nothing.</remarks>
    public static class Crc32
    {
        private const uint Polynomial = 0xEDB88320;
        private static readonly uint[] Table = BuildTable();

        private static uint[] BuildTable()
        {
            uint[] table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
                }

                table[n] = c;
            }

            return table;
        }

        /// <summary>The CRC-32 of <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public static uint Compute(byte[] data, int offset, int count)
        {
            return Update(0, data, offset, count);
        }

        /// <summary>
        /// Continues a CRC-32: pass 0 to start, then the previous result for each following piece.
        /// Update(Update(0, a), b) equals Compute(a + b).
        /// </summary>
        public static uint Update(uint crc, byte[] data, int offset, int count)
        {
            uint c = crc ^ 0xFFFFFFFF;
            uint[] table = Table;
            int end = offset + count;
            for (int i = offset; i < end; i++)
            {
                c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
            }

            return c ^ 0xFFFFFFFF;
        }
    }
}
