using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// The encrypted message channel after the handshake: each CoAP message travels as
    /// [2-byte big-endian ciphertext length][AES-128-CBC ciphertext with PKCS#7 padding].
    /// One instance holds both directions of one link.
    /// </summary>
    /// <remarks>
    /// <para>IV chaining, exactly as spark-protocol 0.1.6 lib/CryptoStream.js does it: both
    /// directions start from the session IV; after each message the IV of that direction becomes
    /// the FIRST 16 bytes of that message's ciphertext (not the last block, as a continuous CBC
    /// stream would use). Every message is padded on its own (its own PKCS#7 block).</para>
    /// <para>Sizes: the largest message the protocol sends is an OTA Chunk at the largest chunk size
    /// (594, Flasher.MAX_CHUNK_SIZE) plus its CoAP overhead (4 header + up to 8 token + 2 Uri-Path
    /// "c" + 5 CRC Uri-Query + 3 index Uri-Query + 1 marker = 23), i.e. 617 bytes, 624 once padded.
    /// The limit is rounded up to 40 AES blocks: <see cref="MaxCiphertextLength"/> = 640, so at most
    /// 639 plaintext bytes and 642 bytes on the wire. spark-protocol's ChunkingStream trusts any
    /// 16-bit length and allocates it; here a larger length is refused at once.</para>
    /// <para>Failures of a received frame (bad length, bad padding) leave the channel
    /// <see cref="IsBroken"/>: the receive IV can no longer be trusted and the link must be
    /// dropped. Caller errors (buffer too small, message too long) change nothing.</para>
    /// <para>Allocation: none here; whether the AES itself allocates is the <see cref="ICrypto"/>
    /// implementation's (HostCrypto allocates only when the key changes).</para>
    /// </remarks>
    public sealed class SecureFraming
    {
        /// <summary>Bytes of the length prefix (ChunkingStream.MSG_LENGTH_BYTES).</summary>
        public const int LengthPrefix = 2;

        /// <summary>AES block size.</summary>
        public const int BlockSize = 16;

        /// <summary>Largest ciphertext accepted or produced (40 blocks; see remarks).</summary>
        public const int MaxCiphertextLength = 640;

        /// <summary>Largest plaintext: PKCS#7 always adds 1 to 16 bytes.</summary>
        public const int MaxPlaintextLength = MaxCiphertextLength - 1;

        /// <summary>Largest frame on the wire.</summary>
        public const int MaxFrameLength = LengthPrefix + MaxCiphertextLength;

        private readonly ICrypto _crypto;
        private readonly byte[] _key = new byte[16];
        private readonly byte[] _sendIv = new byte[16];
        private readonly byte[] _receiveIv = new byte[16];
        private readonly byte[] _nextIv = new byte[16];
        private bool _started;
        private bool _broken;
        private int _sent;
        private int _received;

        /// <summary>Creates a channel over <paramref name="crypto"/>.</summary>
        public SecureFraming(ICrypto crypto)
        {
            _crypto = crypto;
        }

        /// <summary>True between <see cref="Start"/> and <see cref="Stop"/>.</summary>
        public bool IsStarted { get { return _started; } }

        /// <summary>True once a received frame failed; only <see cref="Start"/> clears it.</summary>
        public bool IsBroken { get { return _broken; } }

        /// <summary>Messages encrypted since <see cref="Start"/>.</summary>
        public int MessagesSent { get { return _sent; } }

        /// <summary>Messages decrypted since <see cref="Start"/>.</summary>
        public int MessagesReceived { get { return _received; } }

        /// <summary>Frame length on the wire for a plaintext of <paramref name="plainLength"/> bytes.</summary>
        public static int FrameLengthFor(int plainLength)
        {
            return LengthPrefix + (plainLength / BlockSize + 1) * BlockSize;
        }

        /// <summary>Starts (or restarts) the channel with fresh session keys: both IVs = the session IV.</summary>
        public void Start(SessionKeys keys)
        {
            System.Array.Copy(keys.Key, 0, _key, 0, 16);
            System.Array.Copy(keys.Iv, 0, _sendIv, 0, 16);
            System.Array.Copy(keys.Iv, 0, _receiveIv, 0, 16);
            _started = true;
            _broken = false;
            _sent = 0;
            _received = 0;
        }

        /// <summary>Forgets the keys.</summary>
        public void Stop()
        {
            System.Array.Clear(_key, 0, 16);
            System.Array.Clear(_sendIv, 0, 16);
            System.Array.Clear(_receiveIv, 0, 16);
            System.Array.Clear(_nextIv, 0, 16);
            _started = false;
        }

        /// <summary>
        /// Encrypts <paramref name="count"/> plaintext bytes into a frame at
        /// <paramref name="frame"/>[<paramref name="frameOffset"/>] (length prefix then ciphertext)
        /// and advances the send IV. The frame area must not overlap the plaintext.
        /// </summary>
        public FramingResult Encrypt(byte[] plain, int offset, int count, byte[] frame, int frameOffset, int frameCapacity,
            out int frameLength)
        {
            frameLength = 0;
            if (plain == null || frame == null || offset < 0 || count < 0 || offset > plain.Length - count
                || frameOffset < 0 || frameCapacity < 0 || frameOffset > frame.Length - frameCapacity)
            {
                return FramingResult.InvalidArgument;
            }

            if (!_started)
            {
                return FramingResult.NotStarted;
            }

            if (count > MaxPlaintextLength)
            {
                return FramingResult.MessageTooLong;
            }

            int total = FrameLengthFor(count);
            if (frameCapacity < total)
            {
                return FramingResult.BufferTooSmall;
            }

            int n = _crypto.AesCbcEncrypt(_key, _sendIv, plain, offset, count, frame, frameOffset + LengthPrefix,
                frameCapacity - LengthPrefix);
            if (n != total - LengthPrefix)
            {
                return FramingResult.CryptoFailed;
            }

            frame[frameOffset] = (byte)(n >> 8);
            frame[frameOffset + 1] = (byte)n;
            System.Array.Copy(frame, frameOffset + LengthPrefix, _sendIv, 0, BlockSize);
            _sent++;
            frameLength = total;
            return FramingResult.Ok;
        }

        /// <summary>
        /// Decrypts one whole frame (<paramref name="count"/> bytes: length prefix and ciphertext)
        /// into <paramref name="plain"/>[<paramref name="plainOffset"/>], which needs room for the
        /// whole ciphertext length (padding is removed afterwards). On success advances the receive IV.
        /// </summary>
        public FramingResult Decrypt(byte[] frame, int offset, int count, byte[] plain, int plainOffset, int plainCapacity,
            out int plainLength)
        {
            plainLength = 0;
            if (frame == null || plain == null || offset < 0 || count < 0 || offset > frame.Length - count
                || plainOffset < 0 || plainCapacity < 0 || plainOffset > plain.Length - plainCapacity)
            {
                return FramingResult.InvalidArgument;
            }

            if (!_started)
            {
                return FramingResult.NotStarted;
            }

            if (_broken)
            {
                return FramingResult.Broken;
            }

            if (count < LengthPrefix)
            {
                return Fail(FramingResult.BadLength);
            }

            int length = (frame[offset] << 8) | frame[offset + 1];
            if (length > MaxCiphertextLength)
            {
                return Fail(FramingResult.FrameTooLong);
            }

            if (length != count - LengthPrefix || length == 0 || (length % BlockSize) != 0)
            {
                return Fail(FramingResult.BadLength);
            }

            if (plainCapacity < length)
            {
                return FramingResult.BufferTooSmall;
            }

            // Keep the first ciphertext block before decrypting: the output may reuse the frame's array.
            System.Array.Copy(frame, offset + LengthPrefix, _nextIv, 0, BlockSize);
            int n = _crypto.AesCbcDecrypt(_key, _receiveIv, frame, offset + LengthPrefix, length, plain, plainOffset, plainCapacity);
            if (n < 0)
            {
                return Fail(n == CryptoStatus.BadPadding ? FramingResult.BadPadding : FramingResult.CryptoFailed);
            }

            System.Array.Copy(_nextIv, 0, _receiveIv, 0, BlockSize);
            _received++;
            plainLength = n;
            return FramingResult.Ok;
        }

        private FramingResult Fail(FramingResult result)
        {
            _broken = true;
            return result;
        }
    }
}
