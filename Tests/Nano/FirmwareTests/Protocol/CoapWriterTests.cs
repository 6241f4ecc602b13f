using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Nano.FirmwareTests.Protocol
{
    /// <summary>The CoAP encoder (Ota/Protocol/CoapWriter): RFC 7252 option encoding, round trips through the decoder, misuse.</summary>
    [TestClass]
    public class CoapWriterTests
    {
        [TestMethod]
        public void OptionLengthExtensionsRoundTrip()
        {
            int[] lengths = { 0, 12, 13, 268, 269, 1000 };
            for (int i = 0; i < lengths.Length; i++)
            {
                int length = lengths[i];
                byte[] value = new TestRandom((uint)(length + 1)).NextBytes(length);
                byte[] buf = new byte[length + 32];
                CoapWriter w = new CoapWriter();
                w.Start(buf, 0, buf.Length, CoapType.NonConfirmable, CoapCode.Post, 9, null, 0, 0);
                Assert.AreEqual(CoapResult.Ok, w.AddOption(CoapOption.UriPath, value, 0, length));
                int header = length < 13 ? 1 : length < 269 ? 2 : 3;
                Assert.AreEqual(4 + header + length, w.Length, "length " + length.ToString());
                CoapMessage m = new CoapMessage();
                Assert.AreEqual(CoapResult.Ok, m.Decode(buf, 0, w.Length));
                Assert.AreEqual(length, m.GetOptionLength(0));
                Assert.AreEqual(value, 0, buf, m.GetOptionOffset(0), length, "value of " + length.ToString());
            }
        }

        [TestMethod]
        public void OptionDeltaExtensionsMatchRfc7252()
        {
            int[] numbers = { 1, 12, 13, 268, 269, 65535 };
            string[] headers = { "10", "c0", "d000", "d0ff", "e00000", "e0fef2" };
            for (int i = 0; i < numbers.Length; i++)
            {
                byte[] buf = new byte[16];
                CoapWriter w = new CoapWriter();
                w.Start(buf, 0, buf.Length, CoapType.Confirmable, CoapCode.Get, 0, null, 0, 0);
                Assert.AreEqual(CoapResult.Ok, w.AddOption(numbers[i], null, 0, 0));
                Assert.AreEqual("40010000" + headers[i], Bytes.ToHex(buf, 0, w.Length), "option " + numbers[i].ToString());
                CoapMessage m = new CoapMessage();
                Assert.AreEqual(CoapResult.Ok, m.Decode(buf, 0, w.Length));
                Assert.AreEqual(numbers[i], m.GetOptionNumber(0));
            }
        }

        [TestMethod]
        public void UIntOptionsUseTheMinimalLength()
        {
            byte[] buf = new byte[32];
            CoapWriter w = new CoapWriter();
            w.Start(buf, 0, buf.Length, CoapType.NonConfirmable, CoapCode.Post, 0, null, 0, 0);
            w.AddUIntOption(CoapOption.MaxAge, 0);
            w.AddUIntOption(CoapOption.MaxAge, 60);
            w.AddUIntOption(CoapOption.MaxAge, 0x1234);
            w.AddUIntOption(CoapOption.MaxAge, 0xFFFFFFFF);
            Assert.AreEqual("50020000d001013c02123404ffffffff", Bytes.ToHex(buf, 0, w.Length));
            CoapMessage m = new CoapMessage();
            Assert.AreEqual(CoapResult.Ok, m.Decode(buf, 0, w.Length));
            Assert.AreEqual(0L, m.GetOptionUInt(0));
            Assert.AreEqual(60L, m.GetOptionUInt(1));
            Assert.AreEqual(0x1234L, m.GetOptionUInt(2));
            Assert.AreEqual(0xFFFFFFFFL, m.GetOptionUInt(3));
        }

        [TestMethod]
        public void RandomMessagesRoundTrip()
        {
            TestRandom random = new TestRandom(42);
            CoapWriter w = new CoapWriter();
            CoapMessage m = new CoapMessage();
            byte[] buf = new byte[2048];
            int[] numbers = new int[5];
            byte[][] values = new byte[5][];
            for (int t = 0; t < 150; t++)
            {
                CoapType type = (CoapType)random.Next(4);
                int code = 1 + random.Next(255);
                int id = random.Next(65536);
                byte[] token = random.NextBytes(random.Next(9));
                Assert.AreEqual(CoapResult.Ok, w.Start(buf, 3, buf.Length - 3, type, code, id, token, 0, token.Length));
                int n = random.Next(6);
                int number = 0;
                for (int i = 0; i < n; i++)
                {
                    number += random.Next(300);
                    numbers[i] = number;
                    values[i] = random.NextBytes(random.Next(300));
                    Assert.AreEqual(CoapResult.Ok, w.AddOption(number, values[i], 0, values[i].Length));
                }

                byte[] payload = random.NextBytes(random.Next(200));
                Assert.AreEqual(CoapResult.Ok, w.SetPayload(payload, 0, payload.Length));
                Assert.AreEqual(CoapResult.Ok, m.Decode(buf, 3, w.Length), "message " + t.ToString());
                Assert.AreEqual(type, m.Type);
                Assert.AreEqual(code, m.Code);
                Assert.AreEqual(id, m.MessageId);
                Assert.IsTrue(m.TokenEquals(token, 0, token.Length), "token");
                Assert.AreEqual(n, m.OptionCount);
                for (int i = 0; i < n; i++)
                {
                    Assert.AreEqual(numbers[i], m.GetOptionNumber(i));
                    Assert.AreEqual(values[i].Length, m.GetOptionLength(i));
                    Assert.AreEqual(values[i], 0, buf, m.GetOptionOffset(i), values[i].Length, "option " + i.ToString());
                }

                Assert.AreEqual(payload.Length, m.PayloadLength);
                Assert.AreEqual(payload, 0, buf, m.PayloadOffset, payload.Length, "payload");
            }
        }

        [TestMethod]
        public void MisuseIsRefusedAndErrorsStick()
        {
            byte[] buf = new byte[8];
            CoapWriter w = new CoapWriter();
            Assert.AreEqual(CoapResult.InvalidState, w.AddOption(11, null, 0, 0));
            Assert.AreEqual(CoapResult.BadTokenLength, w.Start(buf, 0, 8, CoapType.Confirmable, 1, 1, new byte[9], 0, 9));
            Assert.AreEqual(CoapResult.BufferTooSmall, w.Start(buf, 0, 3, CoapType.Confirmable, 1, 1, null, 0, 0));
            Assert.AreEqual(CoapResult.InvalidArgument, w.Start(buf, 4, 8, CoapType.Confirmable, 1, 1, null, 0, 0));
            Assert.AreEqual(CoapResult.InvalidArgument, w.Start(buf, 0, 8, CoapType.Confirmable, 1, 70000, null, 0, 0));

            Assert.AreEqual(CoapResult.Ok, w.Start(buf, 0, 8, CoapType.Confirmable, 1, 1, null, 0, 0));
            Assert.AreEqual(CoapResult.Ok, w.AddByteOption(15, 1));
            Assert.AreEqual(CoapResult.OptionOutOfOrder, w.AddByteOption(11, 1));
            Assert.AreEqual(CoapResult.OptionOutOfOrder, w.SetPayload(new byte[1], 0, 1), "sticky");

            Assert.AreEqual(CoapResult.Ok, w.Start(buf, 0, 8, CoapType.Confirmable, 1, 1, null, 0, 0));
            Assert.AreEqual(CoapResult.BufferTooSmall, w.SetPayload(new byte[4], 0, 4));

            Assert.AreEqual(CoapResult.Ok, w.Start(buf, 0, 8, CoapType.Confirmable, 1, 1, null, 0, 0));
            Assert.AreEqual(CoapResult.Ok, w.SetPayload(new byte[1], 0, 1));
            Assert.AreEqual(CoapResult.InvalidState, w.AddByteOption(60, 1), "an option after the payload");
        }
    }
}
