using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Image;

namespace CoreFirmware.Nano.FirmwareTests.Checksums
{
    /// <summary>The firmware's SHA-256 (Ota/Image/Sha256) against FIPS 180-4 example vectors and another implementation.</summary>
    [TestClass]
    public class Sha256Tests
    {
        [TestMethod]
        public void FipsExampleVectors()
        {
            AssertDigest("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Bytes.Ascii(""));
            AssertDigest("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Bytes.Ascii("abc"));
            AssertDigest("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                Bytes.Ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
            AssertDigest("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
                Bytes.Ascii("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"));
        }

        [TestMethod]
        public void OneMillionAsInPieces()
        {
            byte[] piece = Bytes.Filled(1000, (byte)'a');
            Sha256 sha = new Sha256();
            sha.Begin();
            for (int i = 0; i < 1000; i++) sha.Update(piece, 0, piece.Length);
            byte[] digest = new byte[32];
            sha.Finish(digest, 0);
            Assert.AreEqual("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", Bytes.ToHex(digest, 0, 32));
        }

        [TestMethod]
        public void PiecewiseEqualsWholeAcrossTheBlockAndPaddingBoundaries()
        {
            byte[] data = new TestRandom(5).NextBytes(130);
            for (int length = 50; length <= 130; length += 3)
            {
                string whole = Bytes.ToHex(TestImages.Sha256Of(data, 0, length), 0, 32);
                for (int split = 0; split <= length; split += 9)
                {
                    Sha256 sha = new Sha256();
                    sha.Begin();
                    sha.Update(data, 0, split);
                    sha.Update(data, split, length - split);
                    byte[] digest = new byte[32];
                    sha.Finish(digest, 0);
                    Assert.AreEqual(whole, Bytes.ToHex(digest, 0, 32), "length " + length.ToString() + " split " + split.ToString());
                }
            }
        }

        [TestMethod]
        public void ImageDigestsMatchAnotherImplementation()
        {
            byte[] factory = TestImages.Factory100();
            Assert.AreEqual(TestImages.Factory100Digest, Bytes.ToHex(TestImages.Sha256Of(factory, 0, factory.Length - TestImages.TrailerSize), 0, 32));
            byte[] ota = TestImages.Ota130();
            Assert.AreEqual(TestImages.Ota130Digest, Bytes.ToHex(TestImages.Sha256Of(ota, 0, ota.Length - TestImages.TrailerSize), 0, 32));
        }

        [TestMethod]
        public void OutputGoesAtTheOffsetAndTheHasherIsReusable()
        {
            Sha256 sha = new Sha256();
            byte[] output = Bytes.Filled(40, 0xEE);
            sha.Begin();
            sha.Update(Bytes.Ascii("zzz"), 0, 3);
            sha.Begin();
            sha.Update(Bytes.Ascii("abc"), 0, 3);
            sha.Finish(output, 5);
            Assert.AreEqual("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Bytes.ToHex(output, 5, 32));
            Assert.AreEqual((byte)0xEE, output[4]);
            Assert.AreEqual((byte)0xEE, output[37]);
        }

        private static void AssertDigest(string expected, byte[] message)
        {
            Assert.AreEqual(expected, Bytes.ToHex(TestImages.Sha256Of(message, 0, message.Length), 0, 32), "message of " + message.Length.ToString() + " bytes");
        }
    }
}
