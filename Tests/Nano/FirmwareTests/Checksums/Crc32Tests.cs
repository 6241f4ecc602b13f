using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Nano.FirmwareTests.Checksums
{
    /// <summary>CRC32 (IEEE 802.3, reflected, as zlib and spark-protocol compute it) per OTA chunk.</summary>
    [TestClass]
    public class Crc32Tests
    {
        [TestMethod]
        public void KnownVectors()
        {
            Assert.AreEqual(0xCBF43926u, Crc(Bytes.Ascii("123456789")), "check value");
            Assert.AreEqual(0x00000000u, Crc(new byte[0]), "empty");
            Assert.AreEqual(0xE8B7BE43u, Crc(Bytes.Ascii("a")), "a");
            Assert.AreEqual(0x414FA339u, Crc(Bytes.Ascii("The quick brown fox jumps over the lazy dog")), "fox");
            Assert.AreEqual(0x2144DF1Cu, Crc(new byte[4]), "four zero bytes");
            Assert.AreEqual(0xFFFFFFFFu, Crc(Bytes.Filled(4, 0xFF)), "four 0xFF bytes");
        }

        [TestMethod]
        public void IncrementalEqualsWholeAtEverySplit()
        {
            byte[] data = new TestRandom(11).NextBytes(300);
            uint whole = Crc32.Compute(data, 0, data.Length);
            for (int split = 0; split <= data.Length; split += 7)
            {
                uint crc = Crc32.Update(0, data, 0, split);
                crc = Crc32.Update(crc, data, split, data.Length - split);
                Assert.AreEqual(whole, crc, "split at " + split.ToString());
            }
        }

        [TestMethod]
        public void RespectsOffsetAndCount()
        {
            byte[] padded = Bytes.Ascii("xx123456789yy");
            Assert.AreEqual(0xCBF43926u, Crc32.Compute(padded, 2, 9));
            Assert.AreEqual(0u, Crc32.Compute(padded, 5, 0));
        }

        private static uint Crc(byte[] data)
        {
            return Crc32.Compute(data, 0, data.Length);
        }
    }
}
