using CoreFirmware.Drivers.Hal;
using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Protocol
{
    /// <summary>The tests' own AES (Support/TestAes), which the secure framing tests run on, against published vectors.</summary>
    [TestClass]
    public class TestAesVectorTests
    {
        [TestMethod]
        public void Fips197AppendixC1()
        {
            byte[] block = Bytes.FromHex("00112233445566778899aabbccddeeff");
            new TestAes().EncryptBlock(Bytes.FromHex("000102030405060708090a0b0c0d0e0f"), block, 0);
            Assert.AreEqual("69c4e0d86a7b0430d8cdb78070b4c55a", Bytes.ToHex(block, 0, 16));
        }

        [TestMethod]
        public void Sp80038aCbcAes128WithAPkcs7Block()
        {
            TestAes aes = new TestAes();
            byte[] key = Bytes.FromHex("2b7e151628aed2a6abf7158809cf4f3c");
            byte[] iv = Bytes.FromHex("000102030405060708090a0b0c0d0e0f");
            byte[] plain = Bytes.FromHex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
            byte[] cipher = new byte[48];
            Assert.AreEqual(48, aes.AesCbcEncrypt(key, iv, plain, 0, 32, cipher, 0, 48));
            // Two blocks of SP 800-38A F.2.1, then the padding block (sixteen 0x10 bytes) as OpenSSL gives it.
            Assert.AreEqual("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b255e21d7100b988ffec32feeafaf23538", Bytes.ToHex(cipher, 0, 48));
            byte[] back = new byte[48];
            Assert.AreEqual(32, aes.AesCbcDecrypt(key, iv, cipher, 0, 48, back, 0, 48));
            Assert.AreEqual(plain, 0, back, 0, 32, "decrypted");
        }

        [TestMethod]
        public void DecryptRefusesBadLengthsAndPadding()
        {
            TestAes aes = new TestAes();
            byte[] key = new byte[16];
            byte[] iv = new byte[16];
            byte[] output = new byte[64];
            Assert.AreEqual(CryptoStatus.InvalidLength, aes.AesCbcDecrypt(key, iv, new byte[15], 0, 15, output, 0, 64));
            Assert.AreEqual(CryptoStatus.InvalidLength, aes.AesCbcDecrypt(key, iv, new byte[16], 0, 0, output, 0, 64));
            Assert.AreEqual(CryptoStatus.BufferTooSmall, aes.AesCbcDecrypt(key, iv, new byte[32], 0, 32, output, 0, 16));
            byte[] block = new byte[16]; // a block whose plaintext ends in 0x00 after decryption: zero IV, E(0...0) as ciphertext
            aes.EncryptBlock(key, block, 0);
            Assert.AreEqual(CryptoStatus.BadPadding, aes.AesCbcDecrypt(key, iv, block, 0, 16, output, 0, 64));
        }
    }
}
