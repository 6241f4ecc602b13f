using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Nano.FirmwareTests.Protocol
{
    /// <summary>The CoAP decoder (Ota/Protocol/CoapMessage): RFC 7252 header, token, options and payload; hostile input.</summary>
    [TestClass]
    public class CoapMessageTests
    {
        [TestMethod]
        public void DecodesHeaderTokenOptionsAndPayload()
        {
            // CON POST id 0x1234 token 07, Uri-Path "c", Uri-Query CB F4 39 26, payload "12".
            CoapMessage m = Decode("41021234 07 B163 44CBF43926 FF3132", CoapResult.Ok);
            Assert.AreEqual(CoapType.Confirmable, m.Type);
            Assert.AreEqual(CoapCode.Post, m.Code);
            Assert.AreEqual(0x1234, m.MessageId);
            Assert.AreEqual(1, m.TokenLength);
            Assert.AreEqual((byte)7, m.Token[0]);
            Assert.AreEqual(2, m.OptionCount);
            Assert.AreEqual(CoapOption.UriPath, m.GetOptionNumber(0));
            Assert.IsTrue(m.OptionIsChar(0, 'c'));
            Assert.AreEqual(CoapOption.UriQuery, m.GetOptionNumber(1));
            Assert.AreEqual(0xCBF43926u, m.GetOptionUInt32(1));
            Assert.AreEqual(2, m.PayloadLength);
            Assert.AreEqual((byte)'1', m.Buffer[m.PayloadOffset]);
            Assert.AreEqual(1, m.FindOption(CoapOption.UriQuery, 0));
            Assert.AreEqual(-1, m.FindOption(CoapOption.UriQuery, 1));
            Assert.AreEqual(1, m.CountOptions(CoapOption.UriPath));
        }

        [TestMethod]
        public void EmptyMessagesDecodeWithOrWithoutSparkProtocolsZeroToken()
        {
            CoapMessage ping = Decode("40000001", CoapResult.Ok);
            Assert.IsTrue(ping.IsEmpty);
            Assert.AreEqual(MessageKind.Ping, SparkMessages.Classify(ping));
            CoapMessage ack = Decode("6100123400", CoapResult.Ok);
            Assert.AreEqual(CoapType.Acknowledgement, ack.Type);
            Assert.AreEqual(1, ack.TokenLength);
            Assert.AreEqual(MessageKind.EmptyAck, SparkMessages.Classify(ack));
            Assert.AreEqual(MessageKind.Reset, SparkMessages.Classify(Decode("70000001", CoapResult.Ok)));
        }

        [TestMethod]
        public void MalformedInputGivesAClearResultAndNoFields()
        {
            string[] hex =
            {
                "", "400000", "00000001", "80000001", "C0000001", "4902000101020304050607080 9", "4F020001",
                "48020001010203", "41020001", "40020001F163", "400200011F63", "40020001B563", "40020001D1",
                "40020001E100", "400200011D", "400200011E00", "400200011EFFFF", "400200011DF061", "40020001E0FF00E0FF00",
                "40020001FF", "40020001B163FF", "40000001B163", "60000001FF01",
            };
            CoapResult[] expected =
            {
                CoapResult.Truncated, CoapResult.Truncated, CoapResult.BadVersion, CoapResult.BadVersion, CoapResult.BadVersion,
                CoapResult.BadTokenLength, CoapResult.BadTokenLength, CoapResult.Truncated, CoapResult.Truncated,
                CoapResult.ReservedOptionNibble, CoapResult.ReservedOptionNibble, CoapResult.OptionPastEnd, CoapResult.Truncated,
                CoapResult.Truncated, CoapResult.Truncated, CoapResult.Truncated, CoapResult.OptionPastEnd, CoapResult.OptionPastEnd,
                CoapResult.OptionNumberTooLarge, CoapResult.EmptyPayload, CoapResult.EmptyPayload, CoapResult.EmptyMessageNotEmpty,
                CoapResult.EmptyMessageNotEmpty,
            };
            for (int i = 0; i < hex.Length; i++)
            {
                CoapMessage m = Decode(hex[i], expected[i]);
                Assert.AreEqual(0, m.OptionCount, hex[i]);
                Assert.AreEqual(0, m.PayloadLength, hex[i]);
                Assert.IsNull(m.Buffer, hex[i]);
            }
        }

        [TestMethod]
        public void MoreThanSixteenOptionsAreRefused()
        {
            byte[] sixteen = Bytes.Concat(Bytes.FromHex("40020001"), new byte[CoapMessage.MaxOptions]);
            CoapMessage m = new CoapMessage();
            Assert.AreEqual(CoapResult.Ok, m.Decode(sixteen, 0, sixteen.Length));
            Assert.AreEqual(CoapMessage.MaxOptions, m.OptionCount);
            byte[] seventeen = Bytes.Concat(sixteen, new byte[1]);
            Assert.AreEqual(CoapResult.TooManyOptions, m.Decode(seventeen, 0, seventeen.Length));
        }

        [TestMethod]
        public void DecodeNeverReadsOutsideTheGivenRange()
        {
            byte[] buf = Bytes.FromHex("40020001B461626364EEEE");
            CoapMessage m = new CoapMessage();
            Assert.AreEqual(CoapResult.OptionPastEnd, m.Decode(buf, 0, 7));
            Assert.AreEqual(CoapResult.Ok, m.Decode(buf, 0, 9));
            Assert.AreEqual(CoapResult.InvalidArgument, m.Decode(buf, 5, 7));
            Assert.AreEqual(CoapResult.InvalidArgument, m.Decode(null, 0, 0));
            Assert.AreEqual(CoapResult.InvalidArgument, m.Decode(buf, -1, 2));
        }

        [TestMethod]
        public void RandomBytesNeverThrowAndOkStaysInRange()
        {
            TestRandom random = new TestRandom(7252);
            CoapMessage m = new CoapMessage();
            byte[] buf = new byte[96];
            int ok = 0;
            for (int i = 0; i < 3000; i++)
            {
                random.NextBytes(buf, 0, buf.Length);
                if ((i & 1) == 0) buf[0] = (byte)(0x40 | (buf[0] & 0x3F));
                int off = random.Next(8);
                int count = random.Next(buf.Length - off + 1);
                if (m.Decode(buf, off, count) != CoapResult.Ok) continue;
                ok++;
                for (int k = 0; k < m.OptionCount; k++)
                {
                    Assert.IsTrue(m.GetOptionOffset(k) >= off && m.GetOptionOffset(k) + m.GetOptionLength(k) <= off + count, "option in range");
                }

                Assert.IsTrue(m.PayloadOffset >= off && m.PayloadOffset + m.PayloadLength <= off + count, "payload in range");
            }

            Assert.IsTrue(ok > 0, "some random messages decode");
        }

        private static CoapMessage Decode(string hex, CoapResult expected)
        {
            byte[] bytes = Bytes.FromHex(hex);
            CoapMessage m = new CoapMessage();
            Assert.AreEqual(expected, m.Decode(bytes, 0, bytes.Length), hex);
            return m;
        }
    }
}
