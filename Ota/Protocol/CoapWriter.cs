namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// Encodes one CoAP message at a time into a caller buffer: <see cref="Start"/> (header and
    /// token), then options in ascending number order (<see cref="AddOption"/>), then at most one
    /// payload (<see cref="SetPayload"/>). Allocates nothing. Reuse one writer per send path.
    /// </summary>
    /// <remarks>
    /// Errors are sticky: the first failing step sets <see cref="Result"/> and every later step
    /// returns it unchanged, so a builder can run all its steps and check once. The bytes written
    /// so far are not a valid message after a failure.
    /// </remarks>
    public sealed class CoapWriter
    {
        private byte[] _buffer;
        private int _start;
        private int _position;
        private int _limit;
        private int _lastOption;
        private bool _hasPayload;
        private CoapResult _result = CoapResult.InvalidState;

        /// <summary>Outcome so far: Ok while every step succeeded.</summary>
        public CoapResult Result { get { return _result; } }

        /// <summary>Bytes written since <see cref="Start"/>.</summary>
        public int Length { get { return _position - _start; } }

        /// <summary>The output buffer.</summary>
        public byte[] Buffer { get { return _buffer; } }

        /// <summary>Offset in <see cref="Buffer"/> where the message begins.</summary>
        public int Offset { get { return _start; } }

        /// <summary>
        /// Begins a message at <paramref name="buffer"/>[<paramref name="offset"/>] with room for
        /// <paramref name="capacity"/> bytes. <paramref name="token"/> may be null when
        /// <paramref name="tokenLength"/> is 0.
        /// </summary>
        public CoapResult Start(byte[] buffer, int offset, int capacity, CoapType type, int code, int messageId,
            byte[] token, int tokenOffset, int tokenLength)
        {
            _buffer = buffer;
            _start = offset;
            _position = offset;
            _lastOption = 0;
            _hasPayload = false;
            if (buffer == null || offset < 0 || capacity < 0 || offset > buffer.Length - capacity
                || code < 0 || code > 255 || messageId < 0 || messageId > 0xFFFF)
            {
                _buffer = null;
                return _result = CoapResult.InvalidArgument;
            }

            _limit = offset + capacity;
            if (tokenLength < 0 || tokenLength > CoapMessage.MaxTokenLength)
            {
                return _result = CoapResult.BadTokenLength;
            }

            if (tokenLength > 0 && (token == null || tokenOffset < 0 || tokenOffset > token.Length - tokenLength))
            {
                return _result = CoapResult.InvalidArgument;
            }

            if (capacity < CoapMessage.HeaderLength + tokenLength)
            {
                return _result = CoapResult.BufferTooSmall;
            }

            buffer[_position++] = (byte)(0x40 | (((int)type & 0x03) << 4) | tokenLength);
            buffer[_position++] = (byte)code;
            buffer[_position++] = (byte)(messageId >> 8);
            buffer[_position++] = (byte)messageId;
            for (int i = 0; i < tokenLength; i++)
            {
                buffer[_position++] = token[tokenOffset + i];
            }

            return _result = CoapResult.Ok;
        }

        /// <summary>
        /// Begins a message whose token is a single byte (the cloud's tokens are one byte,
        /// 0 to 254), or has no token when <paramref name="token"/> is negative.
        /// </summary>
        public CoapResult StartWithByteToken(byte[] buffer, int offset, int capacity, CoapType type, int code,
            int messageId, int token)
        {
            CoapResult r = Start(buffer, offset, capacity, type, code, messageId, null, 0, 0);
            if (r != CoapResult.Ok || token < 0)
            {
                return r;
            }

            if (token > 255)
            {
                return _result = CoapResult.InvalidArgument;
            }

            if (_limit - _position < 1)
            {
                return _result = CoapResult.BufferTooSmall;
            }

            buffer[offset] = (byte)(buffer[offset] | 1);
            buffer[_position++] = (byte)token;
            return _result;
        }

        /// <summary>Adds an option whose value is <paramref name="length"/> bytes of <paramref name="value"/>.</summary>
        public CoapResult AddOption(int number, byte[] value, int offset, int length)
        {
            if (_result != CoapResult.Ok)
            {
                return _result;
            }

            if (_hasPayload)
            {
                return _result = CoapResult.InvalidState;
            }

            if (number < _lastOption)
            {
                return _result = CoapResult.OptionOutOfOrder;
            }

            if (number > CoapOption.MaxNumber)
            {
                return _result = CoapResult.OptionNumberTooLarge;
            }

            if (length < 0 || length > 65535 + 269 || (length > 0 && (value == null || offset < 0 || offset > value.Length - length)))
            {
                return _result = CoapResult.InvalidArgument;
            }

            int delta = number - _lastOption;
            int need = 1 + ExtensionLength(delta) + ExtensionLength(length) + length;
            if (_limit - _position < need)
            {
                return _result = CoapResult.BufferTooSmall;
            }

            int headerAt = _position++;
            int deltaNibble = WriteExtension(delta);
            int lengthNibble = WriteExtension(length);
            _buffer[headerAt] = (byte)((deltaNibble << 4) | lengthNibble);
            for (int i = 0; i < length; i++)
            {
                _buffer[_position++] = value[offset + i];
            }

            _lastOption = number;
            return _result;
        }

        /// <summary>Adds an option whose value is the single byte <paramref name="value"/> (e.g. the ASCII Uri-Path "c").</summary>
        public CoapResult AddByteOption(int number, int value)
        {
            if (_result != CoapResult.Ok)
            {
                return _result;
            }

            if (_hasPayload)
            {
                return _result = CoapResult.InvalidState;
            }

            if (number < _lastOption)
            {
                return _result = CoapResult.OptionOutOfOrder;
            }

            if (number > CoapOption.MaxNumber || value < 0 || value > 255)
            {
                return _result = CoapResult.InvalidArgument;
            }

            int delta = number - _lastOption;
            if (_limit - _position < 2 + ExtensionLength(delta))
            {
                return _result = CoapResult.BufferTooSmall;
            }

            int headerAt = _position++;
            int deltaNibble = WriteExtension(delta);
            _buffer[headerAt] = (byte)((deltaNibble << 4) | 1);
            _buffer[_position++] = (byte)value;
            _lastOption = number;
            return _result;
        }

        /// <summary>
        /// Adds an option holding <paramref name="value"/> in CoAP uint format: big-endian with no
        /// leading zero bytes (0 is the empty value).
        /// </summary>
        public CoapResult AddUIntOption(int number, uint value)
        {
            if (_result != CoapResult.Ok)
            {
                return _result;
            }

            int len = value == 0 ? 0 : value < 0x100 ? 1 : value < 0x10000 ? 2 : value < 0x1000000 ? 3 : 4;
            if (_hasPayload)
            {
                return _result = CoapResult.InvalidState;
            }

            if (number < _lastOption)
            {
                return _result = CoapResult.OptionOutOfOrder;
            }

            if (number > CoapOption.MaxNumber)
            {
                return _result = CoapResult.OptionNumberTooLarge;
            }

            int delta = number - _lastOption;
            if (_limit - _position < 1 + ExtensionLength(delta) + len)
            {
                return _result = CoapResult.BufferTooSmall;
            }

            int headerAt = _position++;
            int deltaNibble = WriteExtension(delta);
            _buffer[headerAt] = (byte)((deltaNibble << 4) | len);
            for (int i = len - 1; i >= 0; i--)
            {
                _buffer[_position++] = (byte)(value >> (8 * i));
            }

            _lastOption = number;
            return _result;
        }

        /// <summary>
        /// Writes the payload marker and <paramref name="length"/> payload bytes. A zero length
        /// writes nothing (RFC 7252: no marker without a payload). At most one payload.
        /// </summary>
        public CoapResult SetPayload(byte[] payload, int offset, int length)
        {
            if (_result != CoapResult.Ok)
            {
                return _result;
            }

            if (_hasPayload)
            {
                return _result = CoapResult.InvalidState;
            }

            if (length < 0 || (length > 0 && (payload == null || offset < 0 || offset > payload.Length - length)))
            {
                return _result = CoapResult.InvalidArgument;
            }

            if (length == 0)
            {
                return _result;
            }

            if (_limit - _position < 1 + length)
            {
                return _result = CoapResult.BufferTooSmall;
            }

            _buffer[_position++] = CoapMessage.PayloadMarker;
            System.Array.Copy(payload, offset, _buffer, _position, length);
            _position += length;
            _hasPayload = true;
            return _result;
        }

        /// <summary>
        /// Reserves a payload of <paramref name="length"/> bytes (writes the marker) and returns
        /// the offset where the caller writes it, or -1 on failure (see <see cref="Result"/>).
        /// Lets builders put big-endian fields straight into the output.
        /// </summary>
        public int ReservePayload(int length)
        {
            if (_result != CoapResult.Ok)
            {
                return -1;
            }

            if (_hasPayload || length <= 0)
            {
                _result = _hasPayload ? CoapResult.InvalidState : CoapResult.InvalidArgument;
                return -1;
            }

            if (_limit - _position < 1 + length)
            {
                _result = CoapResult.BufferTooSmall;
                return -1;
            }

            _buffer[_position++] = CoapMessage.PayloadMarker;
            int at = _position;
            _position += length;
            _hasPayload = true;
            return at;
        }

        private static int ExtensionLength(int value)
        {
            return value < 13 ? 0 : value < 269 ? 1 : 2;
        }

        // Writes the extended bytes for a delta or length and returns the nibble for the header.
        private int WriteExtension(int value)
        {
            if (value < 13)
            {
                return value;
            }

            if (value < 269)
            {
                _buffer[_position++] = (byte)(value - 13);
                return 13;
            }

            int v = value - 269;
            _buffer[_position++] = (byte)(v >> 8);
            _buffer[_position++] = (byte)v;
            return 14;
        }
    }
}
