namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// Cuts a received TCP byte stream into whole frames ([2-byte big-endian length][ciphertext]),
    /// the job of spark-protocol's ChunkingStream on the receive side, into one fixed buffer of
    /// <see cref="SecureFraming.MaxFrameLength"/> bytes. Allocates nothing.
    /// </summary>
    /// <remarks>
    /// Feed it whatever the socket returned; it consumes bytes up to the end of one frame and then
    /// stops until the caller has taken the frame (<see cref="Next"/>). A length prefix that is 0,
    /// not a multiple of 16 or above 640 fails at once (the stream cannot be resynchronised):
    /// the reader stays failed until <see cref="Reset"/>.
    /// </remarks>
    public sealed class FrameReader
    {
        private readonly byte[] _frame = new byte[SecureFraming.MaxFrameLength];
        private int _have;
        private int _need;
        private FramingResult _failure;

        /// <summary>Creates an empty reader.</summary>
        public FrameReader()
        {
            Reset();
        }

        /// <summary>True when <see cref="Frame"/> holds a whole frame.</summary>
        public bool IsComplete { get { return _need > 0 && _have == _need; } }

        /// <summary>The frame buffer (the frame starts at 0, length prefix included).</summary>
        public byte[] Frame { get { return _frame; } }

        /// <summary>Length of the complete frame (0 while incomplete).</summary>
        public int FrameLength { get { return IsComplete ? _need : 0; } }

        /// <summary>Ok, or the failure that stopped the reader.</summary>
        public FramingResult Failure { get { return _failure; } }

        /// <summary>Empties the reader and clears a failure.</summary>
        public void Reset()
        {
            _have = 0;
            _need = 0;
            _failure = FramingResult.Ok;
        }

        /// <summary>Drops the complete frame so the next can be read.</summary>
        public void Next()
        {
            if (IsComplete)
            {
                _have = 0;
                _need = 0;
            }
        }

        /// <summary>
        /// Takes bytes from <paramref name="data"/>; <paramref name="consumed"/> tells how many were
        /// used (fewer than <paramref name="count"/> once a frame completes: feed the rest after
        /// <see cref="Next"/>).
        /// </summary>
        public FramingResult Feed(byte[] data, int offset, int count, out int consumed)
        {
            consumed = 0;
            if (data == null || offset < 0 || count < 0 || offset > data.Length - count)
            {
                return FramingResult.InvalidArgument;
            }

            if (_failure != FramingResult.Ok)
            {
                return _failure;
            }

            while (consumed < count && !IsComplete)
            {
                if (_have < SecureFraming.LengthPrefix)
                {
                    _frame[_have++] = data[offset + consumed++];
                    if (_have == SecureFraming.LengthPrefix)
                    {
                        int length = (_frame[0] << 8) | _frame[1];
                        if (length > SecureFraming.MaxCiphertextLength)
                        {
                            return _failure = FramingResult.FrameTooLong;
                        }

                        if (length == 0 || (length % SecureFraming.BlockSize) != 0)
                        {
                            return _failure = FramingResult.BadLength;
                        }

                        _need = SecureFraming.LengthPrefix + length;
                    }

                    continue;
                }

                int take = _need - _have;
                if (take > count - consumed)
                {
                    take = count - consumed;
                }

                System.Array.Copy(data, offset + consumed, _frame, _have, take);
                _have += take;
                consumed += take;
            }

            return FramingResult.Ok;
        }
    }
}
