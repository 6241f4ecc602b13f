using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Nano.FirmwareTests.Protocol
{
    /// <summary>
    /// The encrypted message channel (Ota/Protocol/SecureFraming): length prefix + AES-128-CBC with
    /// PKCS#7, the IV of each direction chained on the first ciphertext block as spark-protocol 0.1.6
    /// does, received-frame failures break the channel, caller errors do not.
    /// </summary>
    [TestClass]
    public class SecureFramingTests
    {
        private readonly TestAes _aes = new TestAes();
        private SessionKeys _keys;
        private SecureFraming _device;
        private SecureFraming _cloud;

        [Setup]
        public void StartBothEnds()
        {
            _keys = new SessionKeys();
            _keys.Load(new TestRandom(40).NextBytes(40), 0);
            _device = new SecureFraming(_aes);
            _cloud = new SecureFraming(_aes);
            _device.Start(_keys);
            _cloud.Start(_keys);
        }

        [TestMethod]
        public void MessagesOfEverySizeRoundTripWithABigEndianLengthPrefix()
        {
            byte[] frame = new byte[SecureFraming.MaxFrameLength];
            byte[] plain = new byte[SecureFraming.MaxCiphertextLength];
            int[] sizes = { 0, 1, 15, 16, 17, 31, 32, 100, 255, 617, SecureFraming.MaxPlaintextLength };
            for (int i = 0; i < sizes.Length; i++)
            {
                byte[] message = new TestRandom((uint)(i + 1)).NextBytes(sizes[i]);
                int frameLength;
                Assert.AreEqual(FramingResult.Ok, _device.Encrypt(message, 0, message.Length, frame, 0, frame.Length, out frameLength));
                Assert.AreEqual(SecureFraming.FrameLengthFor(sizes[i]), frameLength, "frame length of " + sizes[i].ToString());
                Assert.AreEqual(frameLength - 2, (frame[0] << 8) | frame[1], "length prefix");
                int plainLength;
                Assert.AreEqual(FramingResult.Ok, _cloud.Decrypt(frame, 0, frameLength, plain, 0, plain.Length, out plainLength));
                Assert.AreEqual(sizes[i], plainLength);
                Assert.AreEqual(message, 0, plain, 0, plainLength, "message of " + sizes[i].ToString());
            }

            Assert.AreEqual(sizes.Length, _device.MessagesSent);
            Assert.AreEqual(sizes.Length, _cloud.MessagesReceived);
        }

        [TestMethod]
        public void TheNextIvIsTheFirstCiphertextBlockOfThePreviousMessage()
        {
            byte[] message = Bytes.Ascii("the same message, 33 bytes long.!");
            byte[] first = Encrypt(message);
            byte[] second = Encrypt(message);
            Assert.AreNotEqual(Bytes.ToHex(first, 0, first.Length), Bytes.ToHex(second, 0, second.Length), "a repeated message encrypts differently");

            // Both frames by hand: the first with the session IV, the second with the first frame's first ciphertext block.
            byte[] expected = new byte[48];
            _aes.AesCbcEncrypt(_keys.Key, _keys.Iv, message, 0, message.Length, expected, 0, 48);
            Assert.AreEqual(expected, 0, first, 2, 48, "first frame");
            byte[] iv = Bytes.Slice(first, 2, 16);
            _aes.AesCbcEncrypt(_keys.Key, iv, message, 0, message.Length, expected, 0, 48);
            Assert.AreEqual(expected, 0, second, 2, 48, "second frame: IV = first block of the first, not its last");

            Assert.AreEqual("the same message, 33 bytes long.!", Decrypt(first));
            Assert.AreEqual("the same message, 33 bytes long.!", Decrypt(second));
        }

        [TestMethod]
        public void BadFramesBreakTheChannelUntilRestart()
        {
            AssertBreaks(new byte[] { 0x00 }, FramingResult.BadLength, "one byte");
            AssertBreaks(new byte[] { 0x00, 0x00 }, FramingResult.BadLength, "empty ciphertext");
            AssertBreaks(Bytes.Concat(new byte[] { 0x00, 0x0F }, new byte[15]), FramingResult.BadLength, "15 bytes");
            AssertBreaks(Bytes.Concat(new byte[] { 0x00, 0x20 }, new byte[16]), FramingResult.BadLength, "prefix says 32, 16 came");
            AssertBreaks(Bytes.Concat(new byte[] { 0x02, 0x90 }, new byte[656]), FramingResult.FrameTooLong, "656 bytes");

            // A block whose plaintext ends in 0x00: E(IV) decrypts to all zeros.
            byte[] zeros = Bytes.Copy(_keys.Iv);
            _aes.EncryptBlock(_keys.Key, zeros, 0);
            AssertBreaks(Bytes.Concat(new byte[] { 0x00, 0x10 }, zeros), FramingResult.BadPadding, "bad padding");
        }

        [TestMethod]
        public void CallerErrorsChangeNothing()
        {
            SecureFraming idle = new SecureFraming(_aes);
            byte[] frame = new byte[SecureFraming.MaxFrameLength + 10];
            byte[] plain = new byte[700];
            int n;
            Assert.AreEqual(FramingResult.NotStarted, idle.Encrypt(plain, 0, 1, frame, 0, frame.Length, out n));
            Assert.AreEqual(FramingResult.NotStarted, idle.Decrypt(frame, 0, 18, plain, 0, plain.Length, out n));
            Assert.AreEqual(FramingResult.MessageTooLong, _device.Encrypt(plain, 0, SecureFraming.MaxPlaintextLength + 1, frame, 0, frame.Length, out n));
            Assert.AreEqual(FramingResult.BufferTooSmall, _device.Encrypt(plain, 0, 16, frame, 0, 33, out n));
            Assert.AreEqual(FramingResult.InvalidArgument, _device.Encrypt(null, 0, 0, frame, 0, frame.Length, out n));
            Assert.AreEqual(FramingResult.InvalidArgument, _device.Encrypt(plain, 690, 20, frame, 0, frame.Length, out n));
            byte[] good = Encrypt(Bytes.Ascii("still in step"));
            Assert.AreEqual(FramingResult.BufferTooSmall, _cloud.Decrypt(good, 0, good.Length, plain, 0, 15, out n));
            Assert.AreEqual(FramingResult.InvalidArgument, _cloud.Decrypt(good, 0, good.Length + 1, plain, 0, plain.Length, out n));
            Assert.IsFalse(_cloud.IsBroken);
            Assert.AreEqual("still in step", Decrypt(good), "the IVs did not move");
            Assert.AreEqual(1, _device.MessagesSent);
        }

        [TestMethod]
        public void StopForgetsTheKeys()
        {
            _device.Stop();
            Assert.IsFalse(_device.IsStarted);
            byte[] frame = new byte[64];
            int n;
            Assert.AreEqual(FramingResult.NotStarted, _device.Encrypt(new byte[1], 0, 1, frame, 0, 64, out n));
        }

        private void AssertBreaks(byte[] frame, FramingResult expected, string what)
        {
            StartBothEnds();
            byte[] plain = new byte[SecureFraming.MaxCiphertextLength];
            int n;
            Assert.AreEqual(expected, _cloud.Decrypt(frame, 0, frame.Length, plain, 0, plain.Length, out n), what);
            Assert.IsTrue(_cloud.IsBroken, what + ": broken");
            byte[] good = Encrypt(Bytes.Ascii("after"));
            Assert.AreEqual(FramingResult.Broken, _cloud.Decrypt(good, 0, good.Length, plain, 0, plain.Length, out n), what + ": stays broken");
            _cloud.Start(_keys);
            Assert.IsFalse(_cloud.IsBroken, what + ": restart clears it");
        }

        private byte[] Encrypt(byte[] message)
        {
            byte[] frame = new byte[SecureFraming.MaxFrameLength];
            int n;
            Assert.AreEqual(FramingResult.Ok, _device.Encrypt(message, 0, message.Length, frame, 0, frame.Length, out n));
            return Bytes.Slice(frame, 0, n);
        }

        private string Decrypt(byte[] frame)
        {
            byte[] plain = new byte[SecureFraming.MaxCiphertextLength];
            int n;
            Assert.AreEqual(FramingResult.Ok, _cloud.Decrypt(frame, 0, frame.Length, plain, 0, plain.Length, out n));
            return Bytes.Text(plain, 0, n);
        }
    }
}
