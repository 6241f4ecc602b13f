using System;

namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// A decoded CoAP message (RFC 7252 subset the Spark protocol uses): header, token, up to
    /// <see cref="MaxOptions"/> options and the payload. Create one per receive path and reuse it:
    /// <see cref="Decode"/> allocates nothing.
    /// </summary>
    /// <remarks>
    /// <para>The token is copied into the message; option values and the payload are NOT copied:
    /// they are offsets into the decoded buffer (<see cref="Buffer"/>), valid until the caller
    /// reuses that buffer.</para>
    /// <para>Strictness: version must be 1; token length 9-15 is rejected; option nibbles 15 are
    /// rejected unless the byte is the 0xFF payload marker; extended deltas/lengths and values must
    /// lie within the message; option numbers may not pass 65535; a payload marker must be followed
    /// by at least one byte. One deliberate leniency: a 0.00 (empty) message may carry a token,
    /// because spark-protocol 0.1.6 sends its empty ACKs (PingAck, EventAck, ChunkMissedAck) with a
    /// 1-byte token 0x00 (its sendReply passes an undefined token that Messages.wrap turns into a
    /// zero byte). Options or a payload on an empty message are still rejected.</para>
    /// </remarks>
    public sealed class CoapMessage
    {
        /// <summary>Size of the fixed header: ver/type/tkl, code, 2-byte message id.</summary>
        public const int HeaderLength = 4;

        /// <summary>Longest token RFC 7252 allows.</summary>
        public const int MaxTokenLength = 8;

        /// <summary>
        /// Options kept per message. The protocol's richest message is a fast-OTA Chunk (Uri-Path +
        /// two Uri-Query) or a FunctionCall (Uri-Path x2 + one Uri-Query per '&amp;'-separated
        /// argument); 16 leaves ample room, and more is treated as hostile.
        /// </summary>
        public const int MaxOptions = 16;

        /// <summary>The payload marker byte.</summary>
        public const int PayloadMarker = 0xFF;

        private readonly byte[] _token = new byte[MaxTokenLength];
        private readonly int[] _optionNumber = new int[MaxOptions];
        private readonly int[] _optionOffset = new int[MaxOptions];
        private readonly int[] _optionLength = new int[MaxOptions];

        private byte[] _buffer;
        private int _type;
        private int _code;
        private int _messageId;
        private int _tokenLength;
        private int _optionCount;
        private int _payloadOffset;
        private int _payloadLength;

        /// <summary>Message type.</summary>
        public CoapType Type { get { return (CoapType)_type; } }

        /// <summary>Code byte (see <see cref="CoapCode"/>).</summary>
        public int Code { get { return _code; } }

        /// <summary>16-bit message id.</summary>
        public int MessageId { get { return _messageId; } }

        /// <summary>Token length, 0 to 8.</summary>
        public int TokenLength { get { return _tokenLength; } }

        /// <summary>The token bytes (first <see cref="TokenLength"/> bytes; a copy owned by this object).</summary>
        public byte[] Token { get { return _token; } }

        /// <summary>Number of options decoded.</summary>
        public int OptionCount { get { return _optionCount; } }

        /// <summary>The buffer last decoded; option values and the payload index into it.</summary>
        public byte[] Buffer { get { return _buffer; } }

        /// <summary>Offset of the payload in <see cref="Buffer"/>.</summary>
        public int PayloadOffset { get { return _payloadOffset; } }

        /// <summary>Payload length (0 when there is none).</summary>
        public int PayloadLength { get { return _payloadLength; } }

        /// <summary>True for a 0.00 message (ping or empty acknowledgement).</summary>
        public bool IsEmpty { get { return _code == CoapCode.Empty; } }

        /// <summary>Number of the option at <paramref name="index"/> (0-based, ascending order).</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="OptionCount"/>.</exception>
        public int GetOptionNumber(int index) { return _optionNumber[CheckOption(index)]; }

        /// <summary>Offset in <see cref="Buffer"/> of the value of the option at <paramref name="index"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="OptionCount"/>.</exception>
        public int GetOptionOffset(int index) { return _optionOffset[CheckOption(index)]; }

        /// <summary>Value length of the option at <paramref name="index"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="OptionCount"/>.</exception>
        public int GetOptionLength(int index) { return _optionLength[CheckOption(index)]; }

        // An index of this message's options (the arrays hold stale entries past the count).
        private int CheckOption(int index)
        {
            if (index < 0 || index >= _optionCount)
            {
                throw new ArgumentOutOfRangeException("index");
            }

            return index;
        }

        /// <summary>
        /// Index of the <paramref name="occurrence"/>-th (0-based) option numbered
        /// <paramref name="number"/>, or -1 when there is no such option.
        /// </summary>
        public int FindOption(int number, int occurrence)
        {
            int seen = 0;
            for (int i = 0; i < _optionCount; i++)
            {
                if (_optionNumber[i] == number)
                {
                    if (seen == occurrence)
                    {
                        return i;
                    }

                    seen++;
                }
            }

            return -1;
        }

        /// <summary>How many options numbered <paramref name="number"/> the message has.</summary>
        public int CountOptions(int number)
        {
            int n = 0;
            for (int i = 0; i < _optionCount; i++)
            {
                if (_optionNumber[i] == number)
                {
                    n++;
                }
            }

            return n;
        }

        /// <summary>
        /// True when the option at <paramref name="index"/> holds exactly the single ASCII character
        /// <paramref name="c"/> (the protocol's one-letter Uri-Path segments: "h", "u", "c", "e" ...).
        /// </summary>
        public bool OptionIsChar(int index, char c)
        {
            return index >= 0 && index < _optionCount && _optionLength[index] == 1
                && _buffer[_optionOffset[index]] == (byte)c;
        }

        /// <summary>
        /// The option's value as an unsigned big-endian integer (CoAP uint format, up to 4 bytes;
        /// an empty value is 0). Returns -1 if the index is out of range or the value is longer
        /// than 4 bytes; values above int.MaxValue come back as their unsigned bits through
        /// <see cref="GetOptionUInt32"/>.
        /// </summary>
        public long GetOptionUInt(int index)
        {
            if (index < 0 || index >= _optionCount || _optionLength[index] > 4)
            {
                return -1;
            }

            return GetOptionUInt32(index);
        }

        /// <summary>The option's value (0 to 4 bytes) as a big-endian uint; 0 for an invalid index.</summary>
        public uint GetOptionUInt32(int index)
        {
            if (index < 0 || index >= _optionCount)
            {
                return 0;
            }

            uint v = 0;
            int off = _optionOffset[index];
            int len = _optionLength[index];
            if (len > 4)
            {
                len = 4;
            }

            for (int i = 0; i < len; i++)
            {
                v = (v << 8) | _buffer[off + i];
            }

            return v;
        }

        /// <summary>True when the token equals <paramref name="length"/> bytes of <paramref name="token"/> from <paramref name="offset"/>.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range lies outside <paramref name="token"/>.</exception>
        public bool TokenEquals(byte[] token, int offset, int length)
        {
            if (token == null)
            {
                throw new ArgumentNullException("token");
            }

            if (offset < 0 || length < 0 || offset > token.Length - length)
            {
                throw new ArgumentOutOfRangeException("length");
            }

            if (length != _tokenLength)
            {
                return false;
            }

            for (int i = 0; i < length; i++)
            {
                if (_token[i] != token[offset + i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Forgets the last decoded message.</summary>
        public void Clear()
        {
            _buffer = null;
            _type = 0;
            _code = 0;
            _messageId = 0;
            _tokenLength = 0;
            _optionCount = 0;
            _payloadOffset = 0;
            _payloadLength = 0;
        }

        /// <summary>
        /// Decodes exactly <paramref name="count"/> bytes of <paramref name="buffer"/> from
        /// <paramref name="offset"/> as one CoAP message. On any result but Ok the message is left
        /// cleared. Allocates nothing.
        /// </summary>
        public CoapResult Decode(byte[] buffer, int offset, int count)
        {
            Clear();
            if (buffer == null || offset < 0 || count < 0 || offset > buffer.Length - count)
            {
                return CoapResult.InvalidArgument;
            }

            CoapResult r = DecodeCore(buffer, offset, count);
            if (r != CoapResult.Ok)
            {
                Clear();
            }

            return r;
        }

        private CoapResult DecodeCore(byte[] buffer, int offset, int count)
        {
            if (count < HeaderLength)
            {
                return CoapResult.Truncated;
            }

            int end = offset + count;
            int first = buffer[offset];
            if ((first >> 6) != 1)
            {
                return CoapResult.BadVersion;
            }

            int tkl = first & 0x0F;
            if (tkl > MaxTokenLength)
            {
                return CoapResult.BadTokenLength;
            }

            int pos = offset + HeaderLength;
            if (tkl > end - pos)
            {
                return CoapResult.Truncated;
            }

            _buffer = buffer;
            _type = (first >> 4) & 0x03;
            _code = buffer[offset + 1];
            _messageId = (buffer[offset + 2] << 8) | buffer[offset + 3];
            _tokenLength = tkl;
            for (int i = 0; i < tkl; i++)
            {
                _token[i] = buffer[pos + i];
            }

            pos += tkl;
            int number = 0;
            while (pos < end)
            {
                int b = buffer[pos++];
                if (b == PayloadMarker)
                {
                    if (pos >= end)
                    {
                        return CoapResult.EmptyPayload;
                    }

                    _payloadOffset = pos;
                    _payloadLength = end - pos;
                    pos = end;
                    break;
                }

                int delta = b >> 4;
                int length = b & 0x0F;
                if (delta == 15 || length == 15)
                {
                    return CoapResult.ReservedOptionNibble;
                }

                if (delta == 13)
                {
                    if (pos >= end)
                    {
                        return CoapResult.Truncated;
                    }

                    delta = buffer[pos++] + 13;
                }
                else if (delta == 14)
                {
                    if (end - pos < 2)
                    {
                        return CoapResult.Truncated;
                    }

                    delta = ((buffer[pos] << 8) | buffer[pos + 1]) + 269;
                    pos += 2;
                }

                if (length == 13)
                {
                    if (pos >= end)
                    {
                        return CoapResult.Truncated;
                    }

                    length = buffer[pos++] + 13;
                }
                else if (length == 14)
                {
                    if (end - pos < 2)
                    {
                        return CoapResult.Truncated;
                    }

                    length = ((buffer[pos] << 8) | buffer[pos + 1]) + 269;
                    pos += 2;
                }

                number += delta;
                if (number > CoapOption.MaxNumber)
                {
                    return CoapResult.OptionNumberTooLarge;
                }

                if (length > end - pos)
                {
                    return CoapResult.OptionPastEnd;
                }

                if (_optionCount == MaxOptions)
                {
                    return CoapResult.TooManyOptions;
                }

                _optionNumber[_optionCount] = number;
                _optionOffset[_optionCount] = pos;
                _optionLength[_optionCount] = length;
                _optionCount++;
                pos += length;
            }

            if (_code == CoapCode.Empty && (_optionCount != 0 || _payloadLength != 0))
            {
                return CoapResult.EmptyMessageNotEmpty;
            }

            if (_payloadLength == 0)
            {
                _payloadOffset = end;
            }

            return CoapResult.Ok;
        }
    }
}
