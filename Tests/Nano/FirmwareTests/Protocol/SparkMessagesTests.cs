using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Nano.FirmwareTests.Protocol
{
    /// <summary>The Spark protocol's messages (Ota/Protocol/SparkMessages, UpdateParameters): each one built, decoded and classified as spark-protocol routes it.</summary>
    [TestClass]
    public class SparkMessagesTests
    {
        private readonly CoapWriter _w = new CoapWriter();
        private readonly CoapMessage _m = new CoapMessage();
        private readonly byte[] _buf = new byte[700];

        [TestMethod]
        public void EveryMessageIsClassifiedByCodeAndFirstPathCharacter()
        {
            Assert.AreEqual(CoapResult.Ok, SparkMessages.Hello(_w, _buf, 0, _buf.Length, 1, -1, 6, 0x0203));
            Assert.AreEqual(MessageKind.Hello, Kind());
            int product;
            int version;
            Assert.IsTrue(SparkMessages.ReadHelloVersion(_m, out product, out version));
            Assert.AreEqual(6, product);
            Assert.AreEqual(0x0203, version);
            SparkMessages.Hello(_w, _buf, 0, _buf.Length, 1, 7, -1, 0);
            Assert.AreEqual(MessageKind.Hello, Kind());
            Assert.IsFalse(SparkMessages.ReadHelloVersion(_m, out product, out version), "the cloud's Hello has no payload");

            SparkMessages.Ping(_w, _buf, 0, _buf.Length, 2);
            Assert.AreEqual(MessageKind.Ping, Kind());
            SparkMessages.EmptyAck(_w, _buf, 0, _buf.Length, 2);
            Assert.AreEqual(MessageKind.EmptyAck, Kind());
            SparkMessages.GetTime(_w, _buf, 0, _buf.Length, 3);
            Assert.AreEqual(MessageKind.GetTime, Kind());
            SparkMessages.Describe(_w, _buf, 0, _buf.Length, 4, 9);
            Assert.AreEqual(MessageKind.Describe, Kind());
            SparkMessages.UpdateDone(_w, _buf, 0, _buf.Length, 5, 9);
            Assert.AreEqual(MessageKind.UpdateDone, Kind());
            SparkMessages.SafeModeRequest(_w, _buf, 0, _buf.Length, 6, 9);
            Assert.AreEqual(MessageKind.SafeModeRequest, Kind());
            byte[] name = Bytes.Ascii("corefw/ota");
            SparkMessages.Event(_w, _buf, 0, _buf.Length, 7, false, name, 0, name.Length, 0, Bytes.Ascii("x"), 0, 1);
            Assert.AreEqual(MessageKind.PrivateEvent, Kind());
            SparkMessages.Event(_w, _buf, 0, _buf.Length, 7, true, name, 0, name.Length, 60, Bytes.Ascii("x"), 0, 1);
            Assert.AreEqual(MessageKind.PublicEvent, Kind());
            Assert.AreEqual(60L, _m.GetOptionUInt(_m.FindOption(CoapOption.MaxAge, 0)));
        }

        [TestMethod]
        public void ResponsesEchoTheRequestsTokenWithTheirOwnId()
        {
            SparkMessages.UpdateBegin(_w, _buf, 0, _buf.Length, 100, 0x5A, null);
            Assert.AreEqual(MessageKind.UpdateBegin, Kind());
            CoapMessage begin = new CoapMessage();
            byte[] beginBytes = Bytes.Slice(_buf, 0, _w.Length);
            Assert.AreEqual(CoapResult.Ok, begin.Decode(beginBytes, 0, beginBytes.Length));

            Assert.AreEqual(CoapResult.Ok, SparkMessages.UpdateReady(_w, _buf, 0, _buf.Length, 200, begin, (int)'1'));
            Assert.AreEqual(MessageKind.Response, Kind());
            Assert.AreEqual(CoapType.NonConfirmable, _m.Type);
            Assert.AreEqual(CoapCode.Changed, _m.Code);
            Assert.AreEqual(200, _m.MessageId);
            Assert.IsTrue(_m.TokenEquals(new byte[] { 0x5A }, 0, 1));
            Assert.AreEqual((int)'1', SparkMessages.ReadUpdateReadyVersion(_m));

            SparkMessages.ChunkReceived(_w, _buf, 0, _buf.Length, 201, begin, false);
            Kind();
            Assert.AreEqual(CoapCode.BadRequest, _m.Code);
            Assert.IsTrue(_m.TokenEquals(new byte[] { 0x5A }, 0, 1));
            Assert.AreEqual(CoapResult.InvalidArgument, SparkMessages.UpdateReady(_w, _buf, 0, _buf.Length, 1, null, 0));
        }

        [TestMethod]
        public void ChunksCarryCrcAndOptionalIndex()
        {
            byte[] data = new TestRandom(3).NextBytes(256);
            uint crc = Crc32.Compute(data, 0, data.Length);
            Assert.AreEqual(CoapResult.Ok, SparkMessages.Chunk(_w, _buf, 0, _buf.Length, 10, 1, crc, -1, data, 0, data.Length));
            Assert.AreEqual(MessageKind.Chunk, Kind());
            uint read;
            int index;
            Assert.AreEqual(CoapResult.Ok, SparkMessages.ReadChunkCrc(_m, out read));
            Assert.AreEqual(crc, read);
            Assert.AreEqual(CoapResult.Ok, SparkMessages.ReadChunkIndex(_m, out index));
            Assert.AreEqual(-1, index, "slow OTA: no index");
            Assert.AreEqual(data, 0, _m.Buffer, _m.PayloadOffset, 256, "payload");

            Assert.AreEqual(CoapResult.Ok, SparkMessages.Chunk(_w, _buf, 0, _buf.Length, 11, 1, crc, 0x1234, data, 0, 16));
            Kind();
            Assert.AreEqual(CoapResult.Ok, SparkMessages.ReadChunkIndex(_m, out index));
            Assert.AreEqual(0x1234, index);
            Assert.AreEqual(CoapResult.InvalidArgument, SparkMessages.Chunk(_w, _buf, 0, _buf.Length, 11, 1, crc, 0x10000, data, 0, 16));

            // spark-protocol 0.1.6 sends index 0 as an empty option: read as 0.
            Decode("41020001 01 b163 44cbf43926 00 ff00");
            Assert.AreEqual(CoapResult.Ok, SparkMessages.ReadChunkIndex(_m, out index));
            Assert.AreEqual(0, index);
            Decode("41020001 01 b163 43cbf439 ff00");
            Assert.AreEqual(CoapResult.BadField, SparkMessages.ReadChunkCrc(_m, out read), "a 3-byte CRC");
            Decode("41020001 01 b163 44cbf43926 03010203 ff00");
            Assert.AreEqual(CoapResult.BadField, SparkMessages.ReadChunkIndex(_m, out index), "a 3-byte index");
            SparkMessages.Ping(_w, _buf, 0, _buf.Length, 2);
            Kind();
            Assert.AreEqual(CoapResult.WrongMessage, SparkMessages.ReadChunkCrc(_m, out read));
        }

        [TestMethod]
        public void ChunkMissedListsBigEndianIndexes()
        {
            int[] indexes = { 9, 0, 3, 0x0102, 65535 };
            Assert.AreEqual(CoapResult.Ok, SparkMessages.ChunkMissed(_w, _buf, 0, _buf.Length, 12, indexes, 1, 4));
            Assert.AreEqual(MessageKind.ChunkMissed, Kind());
            Assert.AreEqual(CoapType.Confirmable, _m.Type);
            Assert.AreEqual(4, SparkMessages.ReadMissedChunkCount(_m));
            Assert.AreEqual(0, SparkMessages.ReadMissedChunk(_m, 0));
            Assert.AreEqual(3, SparkMessages.ReadMissedChunk(_m, 1));
            Assert.AreEqual(0x0102, SparkMessages.ReadMissedChunk(_m, 2));
            Assert.AreEqual(65535, SparkMessages.ReadMissedChunk(_m, 3));
            Assert.AreEqual(CoapResult.InvalidArgument, SparkMessages.ChunkMissed(_w, _buf, 0, _buf.Length, 12, indexes, 3, 4));
            Assert.AreEqual(CoapResult.InvalidArgument, SparkMessages.ChunkMissed(_w, _buf, 0, _buf.Length, 12, indexes, 0, 0));
            Decode("40010001 b163 ff010203");
            Assert.AreEqual(-1, SparkMessages.ReadMissedChunkCount(_m), "an odd payload");
        }

        [TestMethod]
        public void UpdateParametersRoundTripAndBadFieldsAreRefused()
        {
            UpdateParameters p = new UpdateParameters();
            p.Flags = SparkProtocol.UpdateFlagFastOta;
            p.ChunkSize = 512;
            p.FileSize = 123456;
            p.Destination = UpdateParameters.DestinationFirmware;
            p.DestinationAddress = 0x08005000;
            SparkMessages.UpdateBegin(_w, _buf, 0, _buf.Length, 1, 2, p);
            Kind();
            UpdateParameters read = new UpdateParameters();
            Assert.AreEqual(CoapResult.Ok, read.Read(_m));
            Assert.IsTrue(read.HasPayload);
            Assert.IsTrue(read.FastOta);
            Assert.AreEqual(512, read.ChunkSize);
            Assert.AreEqual(123456u, read.FileSize);
            Assert.AreEqual(0x08005000u, read.DestinationAddress);

            SparkMessages.UpdateBegin(_w, _buf, 0, _buf.Length, 1, 2, null);
            Kind();
            Assert.AreEqual(CoapResult.Ok, read.Read(_m));
            Assert.IsFalse(read.HasPayload);
            Assert.AreEqual(SparkProtocol.DefaultChunkSize, read.ChunkSize, "defaults without a payload");

            int[] chunkSizes = { 0, SparkProtocol.MaxChunkSize + 1 };
            for (int i = 0; i < chunkSizes.Length; i++)
            {
                p.ChunkSize = chunkSizes[i];
                SparkMessages.UpdateBegin(_w, _buf, 0, _buf.Length, 1, 2, p);
                Kind();
                Assert.AreEqual(CoapResult.BadField, read.Read(_m), "chunk size " + chunkSizes[i].ToString());
                Assert.IsFalse(read.HasPayload);
            }

            p.ChunkSize = 256;
            p.Destination = 3;
            SparkMessages.UpdateBegin(_w, _buf, 0, _buf.Length, 1, 2, p);
            Kind();
            Assert.AreEqual(CoapResult.BadField, read.Read(_m), "destination 3");
            Decode("41020001 02 b175 ff0102");
            Assert.AreEqual(CoapResult.BadField, read.Read(_m), "a 3-byte payload");
            SparkMessages.Ping(_w, _buf, 0, _buf.Length, 2);
            Kind();
            Assert.AreEqual(CoapResult.WrongMessage, read.Read(_m));
        }

        [TestMethod]
        public void OnlyTheExactSafeModePathIsASafeModeRequest()
        {
            Decode("41020001 09 b173 09736166652d6d6f6465");
            Assert.AreEqual(MessageKind.SafeModeRequest, SparkMessages.Classify(_m));
            Decode("41020001 09 b173 09736166652d6d6f6478");
            Assert.AreEqual(MessageKind.Unknown, SparkMessages.Classify(_m), "safe-modx");
            Decode("41020001 09 b173 09736166652d6d6f6465 0178");
            Assert.AreEqual(MessageKind.Unknown, SparkMessages.Classify(_m), "a third segment");
            Decode("41030001 09 b173");
            Assert.AreEqual(MessageKind.RaiseYourHand, SparkMessages.Classify(_m), "PUT s");
            Decode("41020001 09 b0");
            Assert.AreEqual(MessageKind.Unknown, SparkMessages.Classify(_m), "an empty path");
        }

        private MessageKind Kind()
        {
            Assert.AreEqual(CoapResult.Ok, _w.Result, "written");
            Assert.AreEqual(CoapResult.Ok, _m.Decode(_buf, 0, _w.Length), "decoded");
            return SparkMessages.Classify(_m);
        }

        private void Decode(string hex)
        {
            byte[] b = Bytes.FromHex(hex);
            Assert.AreEqual(CoapResult.Ok, _m.Decode(b, 0, b.Length), hex);
        }
    }
}
