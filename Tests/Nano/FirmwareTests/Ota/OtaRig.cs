using CoreFirmware.Drivers.Net;
using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Crypto;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Nano.FirmwareTests.Ota
{
    /// <summary>Records reboot requests instead of rebooting.</summary>
    public sealed class RebootRecorder : ISystemControl
    {
        /// <summary>Requests so far.</summary>
        public int Requests;

        /// <summary>The last reason.</summary>
        public string Reason;

        /// <inheritdoc />
        public void RequestReboot(string reason)
        {
            Requests++;
            Reason = reason;
        }
    }

    /// <summary>
    /// The device side of an OTA test with fakes: the real OtaService, StagingWriter, boot state
    /// (BootStateRecord over BootStateStore) and SocketBroker on the tests' SST25 part; the cloud link is
    /// <see cref="FakeOtaChannel"/>; the service's clock is a ManualClock. The cloud side builds the real
    /// CoAP messages (SparkMessages) and hands them to the service as the link would.
    /// </summary>
    public sealed class OtaRig
    {
        private readonly CoapWriter _writer = new CoapWriter();
        private readonly CoapMessage _message = new CoapMessage();
        private readonly byte[] _buffer = new byte[700];
        private int _messageId = 100;
        private int _token;

        /// <summary>A connected device running version 1.0.0.</summary>
        public OtaRig()
            : this(true)
        {
        }

        /// <summary>As <see cref="OtaRig()"/>; <paramref name="checkStagedImage"/> false: the negative run's <see cref="PolicyWithoutStagedCheck"/>.</summary>
        public OtaRig(bool checkStagedImage)
        {
            Flash = new FlashRig();
            Clock = new ManualClock();
            User = new NoUserSockets();
            Broker = new SocketBroker(User, User, Clock);
            Channel = new FakeOtaChannel();
            Store = new BootStateStore(Flash.Flash, Flash.Map.BootStateA, Flash.Map.BootStateB);
            BootState = new BootStateRecord(Store);
            ImageVerifier verifier = new ImageVerifier(new ManagedImageCrypto(), TestImages.ImageKey, SparkCoreBoard.ImageBoardId);
            Policy = checkStagedImage
                ? new OtaImagePolicy(verifier, SparkCoreBoard.ImageBoardId, TestImages.Version(1, 0, 0))
                : new PolicyWithoutStagedCheck(verifier, SparkCoreBoard.ImageBoardId, TestImages.Version(1, 0, 0));
            Reboots = new RebootRecorder();
            Ota = new OtaService(Channel, Broker, new StagingWriter(Flash.Flash, Flash.Map.Staging), BootState, Policy, Clock, Reboots);
        }

        /// <summary>The external flash.</summary>
        public FlashRig Flash { get; private set; }

        /// <summary>The service's clock.</summary>
        public ManualClock Clock { get; private set; }

        /// <summary>The user socket view behind the broker.</summary>
        public NoUserSockets User { get; private set; }

        /// <summary>The socket broker the service preempts.</summary>
        public SocketBroker Broker { get; private set; }

        /// <summary>The cloud link.</summary>
        public FakeOtaChannel Channel { get; private set; }

        /// <summary>The boot-state log.</summary>
        public BootStateStore Store { get; private set; }

        /// <summary>The pending view of it.</summary>
        public BootStateRecord BootState { get; private set; }

        /// <summary>What the device accepts.</summary>
        public OtaImagePolicy Policy { get; private set; }

        /// <summary>Reboot requests.</summary>
        public RebootRecorder Reboots { get; private set; }

        /// <summary>The service under test.</summary>
        public OtaService Ota { get; private set; }

        /// <summary>The token of the last message the cloud sent, as the responses show it ("t" + hex).</summary>
        public string LastToken
        {
            get { return "t" + Bytes.ToHex(new byte[] { (byte)_token }, 0, 1); }
        }

        /// <summary>Sends UpdateBegin for <paramref name="fileSize"/> bytes in chunks of <paramref name="chunkSize"/>.</summary>
        public void Begin(int fileSize, int chunkSize, bool fast)
        {
            UpdateParameters p = new UpdateParameters();
            p.Flags = fast ? SparkProtocol.UpdateFlagFastOta : 0;
            p.ChunkSize = chunkSize;
            p.FileSize = (uint)fileSize;
            p.Destination = UpdateParameters.DestinationFirmware;
            Begin(p);
        }

        /// <summary>Sends UpdateBegin with these parameters (null: no payload).</summary>
        public void Begin(UpdateParameters p)
        {
            NextToken();
            Check(SparkMessages.UpdateBegin(_writer, _buffer, 0, _buffer.Length, _messageId++, _token, p));
            Deliver(MessageKind.UpdateBegin);
        }

        /// <summary>
        /// Sends chunk <paramref name="index"/> of <paramref name="image"/>, zero-padded to the chunk size as
        /// the cloud does; <paramref name="withIndex"/> adds the fast-OTA index; <paramref name="corrupt"/>
        /// sends a CRC that does not match.
        /// </summary>
        public void Chunk(byte[] image, int chunkSize, int index, bool withIndex, bool corrupt)
        {
            byte[] data = new byte[chunkSize];
            int offset = index * chunkSize;
            int n = image.Length - offset < chunkSize ? image.Length - offset : chunkSize;
            System.Array.Copy(image, offset, data, 0, n);
            uint crc = Crc32.Compute(data, 0, chunkSize);
            if (corrupt) crc ^= 0x00010000;
            NextToken();
            Check(SparkMessages.Chunk(_writer, _buffer, 0, _buffer.Length, _messageId++, _token, crc, withIndex ? index : -1, data, 0, chunkSize));
            Deliver(MessageKind.Chunk);
        }

        /// <summary>Sends every chunk of <paramref name="image"/> in order, none corrupt.</summary>
        public void AllChunks(byte[] image, int chunkSize, bool withIndex)
        {
            int chunks = (image.Length + chunkSize - 1) / chunkSize;
            for (int i = 0; i < chunks; i++) Chunk(image, chunkSize, i, withIndex, false);
        }

        /// <summary>Sends UpdateDone.</summary>
        public void Done()
        {
            NextToken();
            Check(SparkMessages.UpdateDone(_writer, _buffer, 0, _buffer.Length, _messageId++, _token));
            Deliver(MessageKind.UpdateDone);
        }

        /// <summary>Fails unless the last response is <paramref name="code"/> (hex, e.g. "44") with the last token and <paramref name="payload"/>.</summary>
        public void AssertAnswered(string code, string payload, string what)
        {
            Assert.AreEqual(code + " " + LastToken + " " + payload, Channel.LastResponse, what);
        }

        /// <summary>Fails unless the staging slot is still erased where an image would go (nothing was written).</summary>
        public void AssertStagingUntouched()
        {
            Assert.IsTrue(Flash.Flash.IsErased(Flash.Map.Staging.Start, 8192), "the staging slot was not touched");
        }

        private void NextToken()
        {
            _token = (_token + 1) % SparkProtocol.TokenModulus;
        }

        private void Deliver(MessageKind kind)
        {
            Assert.AreEqual(CoapResult.Ok, _message.Decode(_buffer, 0, _writer.Length), "the cloud's message decodes");
            Assert.AreEqual(kind, SparkMessages.Classify(_message));
            Ota.OnMessage(kind, _message);
        }

        private static void Check(CoapResult r)
        {
            Assert.AreEqual(CoapResult.Ok, r, "the cloud's message was built");
        }
    }
}
