using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Crypto;

namespace CoreFirmware.Nano.FirmwareTests.Image
{
    /// <summary>The managed ECDSA P-256 verifier against RFC 6979 appendix A.2.5 (P-256, SHA-256) and the inputs it must refuse.</summary>
    [TestClass]
    public class EcdsaP256VectorTests
    {
        private const string R6979Sample = "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716";
        // RFC 6979's s for "sample" is above n/2; the verifier takes only the low-S form (n - s), the same signature's other half.
        private const string S6979SampleHigh = "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8";
        private const string S6979Sample = "0834e36ad29a83bf2bc9385e491d6099c8fdf9d1ed67aa7ea5f51f93782857a9";
        private const string R6979Test = "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367";
        private const string S6979Test = "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083";
        private const string N = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

        [TestMethod]
        public void Rfc6979SampleAndTestSignaturesVerify()
        {
            EcdsaP256Verifier verifier = new EcdsaP256Verifier();
            Assert.IsTrue(Verify(verifier, "sample", R6979Sample + S6979Sample), "sample");
            Assert.IsTrue(Verify(verifier, "test", R6979Test + S6979Test), "test");
        }

        [TestMethod]
        public void TheHighSFormOfAValidSignatureIsRefused()
        {
            // (r, s) and (r, n - s) both satisfy the ECDSA equation; only the low-S one is accepted, so a
            // signed image has exactly one valid signature.
            EcdsaP256Verifier verifier = new EcdsaP256Verifier();
            Assert.IsFalse(Verify(verifier, "sample", R6979Sample + S6979SampleHigh), "RFC 6979's own (high) s");
            Assert.IsTrue(Verify(verifier, "sample", R6979Sample + S6979Sample), "its low-S form");
        }

        [TestMethod]
        public void AnotherMessageKeyOrSwappedSignatureIsRefused()
        {
            EcdsaP256Verifier verifier = new EcdsaP256Verifier();
            Assert.IsFalse(Verify(verifier, "samplf", R6979Sample + S6979Sample), "message changed");
            Assert.IsFalse(Verify(verifier, "test", R6979Sample + S6979Sample), "the other message's signature");
            Assert.IsFalse(Verify(verifier, "sample", S6979Sample + R6979Sample), "r and s swapped");
            byte[] digest = TestImages.Sha256Of(Bytes.Ascii("sample"), 0, 6);
            byte[] signature = Bytes.FromHex(R6979Sample + S6979Sample);
            Assert.IsFalse(verifier.Verify(TestImages.OtherKey, 0, digest, 0, signature, 0), "another key");
            byte[] compressed = Bytes.Copy(TestImages.ImageKey);
            compressed[0] = 0x02;
            Assert.IsFalse(verifier.Verify(compressed, 0, digest, 0, signature, 0), "not an uncompressed point");
            byte[] offCurve = Bytes.Copy(TestImages.ImageKey);
            offCurve[64] ^= 0x01;
            Assert.IsFalse(verifier.Verify(offCurve, 0, digest, 0, signature, 0), "a point not on the curve");
        }

        [TestMethod]
        public void OutOfRangeROrSIsRefused()
        {
            EcdsaP256Verifier verifier = new EcdsaP256Verifier();
            string zero = new string('0', 64);
            string ones = new string('f', 64);
            Assert.IsFalse(Verify(verifier, "sample", zero + S6979Sample), "r = 0");
            Assert.IsFalse(Verify(verifier, "sample", R6979Sample + zero), "s = 0");
            Assert.IsFalse(Verify(verifier, "sample", N + S6979Sample), "r = n");
            Assert.IsFalse(Verify(verifier, "sample", R6979Sample + N), "s = n");
            Assert.IsFalse(Verify(verifier, "sample", ones + S6979Sample), "r = 2^256 - 1");
        }

        [TestMethod]
        public void BuffersOutsideTheirArraysAreRefusedNotThrown()
        {
            EcdsaP256Verifier verifier = new EcdsaP256Verifier();
            byte[] digest = TestImages.Sha256Of(Bytes.Ascii("sample"), 0, 6);
            byte[] signature = Bytes.FromHex(R6979Sample + S6979Sample);
            Assert.IsFalse(verifier.Verify(TestImages.ImageKey, 1, digest, 0, signature, 0));
            Assert.IsFalse(verifier.Verify(TestImages.ImageKey, 0, digest, 1, signature, 0));
            Assert.IsFalse(verifier.Verify(TestImages.ImageKey, 0, digest, 0, signature, 1));
            Assert.IsFalse(verifier.Verify(null, 0, digest, 0, signature, 0));
            Assert.IsTrue(verifier.Verify(TestImages.ImageKey, 0, digest, 0, signature, 0), "and the good call still works");
        }

        private static bool Verify(EcdsaP256Verifier verifier, string message, string signatureHex)
        {
            byte[] m = Bytes.Ascii(message);
            byte[] digest = TestImages.Sha256Of(m, 0, m.Length);
            return verifier.Verify(TestImages.ImageKey, 0, digest, 0, Bytes.FromHex(signatureHex), 0);
        }
    }
}
