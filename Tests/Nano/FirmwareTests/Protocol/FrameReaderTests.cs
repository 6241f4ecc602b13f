using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Nano.FirmwareTests.Protocol
{
    /// <summary>Frames out of a TCP byte stream (Ota/Protocol/FrameReader): any split, several per read, bad prefixes stop it.</summary>
    [TestClass]
    public class FrameReaderTests
    {
        [TestMethod]
        public void FramesSplitAnywhereComeOutWhole()
        {
            byte[] stream = Bytes.Concat(Frame(16, 1), Bytes.Concat(Frame(48, 2), Frame(640, 3)));
            int[] pieces = { 1, 2, 3, 17, 100, stream.Length };
            for (int p = 0; p < pieces.Length; p++)
            {
                FrameReader reader = new FrameReader();
                int frames = 0;
                int at = 0;
                while (at < stream.Length)
                {
                    int n = stream.Length - at < pieces[p] ? stream.Length - at : pieces[p];
                    int used = 0;
                    while (used < n)
                    {
                        int consumed;
                        Assert.AreEqual(FramingResult.Ok, reader.Feed(stream, at + used, n - used, out consumed));
                        used += consumed;
                        if (reader.IsComplete)
                        {
                            byte seed = (byte)(frames + 1);
                            Assert.AreEqual(Frame(frames == 0 ? 16 : frames == 1 ? 48 : 640, seed), Bytes.Slice(reader.Frame, 0, reader.FrameLength), "frame " + frames.ToString() + " in pieces of " + pieces[p].ToString());
                            frames++;
                            reader.Next();
                        }
                    }

                    at += n;
                }

                Assert.AreEqual(3, frames, "pieces of " + pieces[p].ToString());
                Assert.AreEqual(0, reader.FrameLength);
            }
        }

        [TestMethod]
        public void ABadLengthPrefixStopsTheReaderUntilReset()
        {
            AssertStops(new byte[] { 0x00, 0x00 }, FramingResult.BadLength);
            AssertStops(new byte[] { 0x00, 0x11 }, FramingResult.BadLength);
            AssertStops(new byte[] { 0x02, 0x90 }, FramingResult.FrameTooLong);
            AssertStops(new byte[] { 0xFF, 0xF0 }, FramingResult.FrameTooLong);
            int consumed;
            Assert.AreEqual(FramingResult.InvalidArgument, new FrameReader().Feed(null, 0, 0, out consumed));
            Assert.AreEqual(FramingResult.InvalidArgument, new FrameReader().Feed(new byte[4], 3, 2, out consumed));
        }

        private static void AssertStops(byte[] prefix, FramingResult expected)
        {
            FrameReader reader = new FrameReader();
            int consumed;
            Assert.AreEqual(expected, reader.Feed(prefix, 0, 2, out consumed));
            Assert.AreEqual(expected, reader.Failure);
            byte[] good = Frame(16, 9);
            Assert.AreEqual(expected, reader.Feed(good, 0, good.Length, out consumed), "sticky");
            Assert.AreEqual(0, consumed);
            reader.Reset();
            Assert.AreEqual(FramingResult.Ok, reader.Feed(good, 0, good.Length, out consumed));
            Assert.IsTrue(reader.IsComplete);
        }

        private static byte[] Frame(int ciphertext, byte seed)
        {
            byte[] f = new TestRandom(seed).NextBytes(ciphertext + 2);
            f[0] = (byte)(ciphertext >> 8);
            f[1] = (byte)ciphertext;
            return f;
        }
    }
}
