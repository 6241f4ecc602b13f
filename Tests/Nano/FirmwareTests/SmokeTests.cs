using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Nano.FirmwareTests
{
    [TestClass]
    public class SmokeTests
    {
        [TestMethod]
        public void Crc32OfCheckString()
        {
            byte[] b = new byte[] { (byte)'1', (byte)'2', (byte)'3', (byte)'4', (byte)'5', (byte)'6', (byte)'7', (byte)'8', (byte)'9' };
            Assert.AreEqual(0xCBF43926u, Crc32.Compute(b, 0, b.Length));
        }
    }
}
