using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Nano.FirmwareTests.Ota
{
    /// <summary>The cloud link as the OTA service sees it: records every response, ChunkMissed and event as text.</summary>
    public sealed class FakeOtaChannel : IOtaChannel
    {
        /// <summary>How many records are kept (the tests send far fewer messages).</summary>
        public const int Capacity = 256;

        private readonly string[] _responses = new string[Capacity];
        private int _responseCount;
        private readonly string[] _missed = new string[Capacity];
        private int _missedCount;
        private readonly string[] _events = new string[Capacity];
        private int _eventCount;

        /// <summary>True (default): the session is up and sends work.</summary>
        public bool Connected = true;

        /// <inheritdoc />
        public bool IsConnected
        {
            get { return Connected; }
        }

        /// <summary>Responses so far.</summary>
        public int ResponseCount
        {
            get { return _responseCount; }
        }

        /// <summary>ChunkMissed messages so far.</summary>
        public int MissedCount
        {
            get { return _missedCount; }
        }

        /// <summary>Events so far.</summary>
        public int EventCount
        {
            get { return _eventCount; }
        }

        /// <summary>The last response as "&lt;code hex&gt; t&lt;token hex&gt; &lt;payload&gt;", e.g. "44 t05 " or "80 t07 wrong board".</summary>
        public string LastResponse
        {
            get { return _responseCount == 0 ? null : _responses[_responseCount - 1]; }
        }

        /// <summary>The last ChunkMissed as its indexes separated by spaces.</summary>
        public string LastMissed
        {
            get { return _missedCount == 0 ? null : _missed[_missedCount - 1]; }
        }

        /// <summary>The last event as "name: data".</summary>
        public string LastEvent
        {
            get { return _eventCount == 0 ? null : _events[_eventCount - 1]; }
        }

        /// <inheritdoc />
        public bool SendResponse(byte[] token, int tokenLength, int code, byte[] payload, int offset, int count)
        {
            if (!Connected) return false;
            string text = Bytes.ToHex(new byte[] { (byte)code }, 0, 1) + " t" + Bytes.ToHex(token, 0, tokenLength) + " ";
            if (count > 0) text += Bytes.Text(payload, offset, count);
            _responses[_responseCount++] = text;
            return true;
        }

        /// <inheritdoc />
        public bool SendChunkMissed(int[] indexes, int offset, int count)
        {
            if (!Connected) return false;
            string text = "";
            for (int i = 0; i < count; i++) text += (i == 0 ? "" : " ") + indexes[offset + i].ToString();
            _missed[_missedCount++] = text;
            return true;
        }

        /// <inheritdoc />
        public bool Publish(string name, byte[] data, int offset, int count)
        {
            if (!Connected) return false;
            _events[_eventCount++] = name + ": " + Bytes.Text(data, offset, count);
            return true;
        }
    }
}
