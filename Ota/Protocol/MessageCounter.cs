namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// The 16-bit message counter of one direction of the link (it is the CoAP message id).
    /// </summary>
    /// <remarks>
    /// <para>spark-protocol 0.1.6 (SparkCore.js): every message a side sends that is not an ACK
    /// takes the next id, wrapping from 65535 to 0; an ACK reuses the id of the message it answers.
    /// The receiver learns the peer's start from its Hello and then expects +1 per non-ACK message;
    /// a wrong id makes the cloud drop the link ("Bad Counter"). A ping (empty CON) advances the
    /// expected id but the cloud does not check it — <see cref="AcceptIncoming"/> mirrors that.</para>
    /// <para>Start values: the cloud starts from a random 1..65535 and its Hello takes the next id;
    /// the handshake comment says the Core's Hello counter is "the uint32 of the most significant 4
    /// bytes of the IV", which a 16-bit id can only hold as its low half — see
    /// <see cref="DeviceInitialId"/>. The cloud accepts any start.</para>
    /// </remarks>
    public sealed class MessageCounter
    {
        private int _next;

        /// <summary>The id the next <see cref="Next"/> returns.</summary>
        public int Peek { get { return _next; } }

        /// <summary>Sets the id that the next <see cref="Next"/> returns (taken modulo 65536).</summary>
        public void Reset(int nextId)
        {
            _next = nextId & 0xFFFF;
        }

        /// <summary>Returns the next id and advances, wrapping 65535 to 0.</summary>
        public int Next()
        {
            int id = _next;
            _next = (_next + 1) & 0xFFFF;
            return id;
        }

        /// <summary>The id after <paramref name="id"/> (wrapping).</summary>
        public static int Following(int id)
        {
            return (id + 1) & 0xFFFF;
        }

        /// <summary>
        /// The device's first message id (its Hello) from the session IV: the low 16 bits of the
        /// big-endian uint32 in the IV's first 4 bytes, i.e. (iv[2] &lt;&lt; 8) | iv[3].
        /// </summary>
        public static int DeviceInitialId(byte[] iv, int offset)
        {
            return (iv[offset + 2] << 8) | iv[offset + 3];
        }

        /// <summary>
        /// For a receive counter: the peer's Hello fixes the start (the next message must carry
        /// <paramref name="helloId"/> + 1).
        /// </summary>
        public void StartFromHello(int helloId)
        {
            Reset(helloId + 1);
        }

        /// <summary>
        /// For a receive counter: checks an incoming message as spark-protocol's routeMessage does.
        /// ACKs are not counted (true); any other message consumes the expected id; an empty CON
        /// (ping) is then accepted whatever its id; anything else must match.
        /// </summary>
        /// <returns>False when the id is wrong: the link should be dropped.</returns>
        public bool AcceptIncoming(CoapMessage message)
        {
            if (message.Type == CoapType.Acknowledgement)
            {
                return true;
            }

            int expected = Next();
            if (message.IsEmpty && message.Type == CoapType.Confirmable)
            {
                return true;
            }

            return message.MessageId == expected;
        }
    }
}
