using System;

namespace CoreFirmware.Application.Http
{
    /// <summary>
    /// Decodes an HTTP/1.1 message body (Content-Length, chunked or close-delimited framing) from
    /// the raw bytes that follow the header block into a fixed body buffer. It never grows anything:
    /// payload that does not fit makes <see cref="Feed"/> answer <see cref="TooLarge"/>.
    /// Raw bytes may be received straight into the free tail of the body buffer and decoded in place,
    /// because decoded payload never moves forward of the raw bytes it comes from.
    /// </summary>
    internal sealed class HttpBodyDecoder
    {
        /// <summary>No body at all (204, 304).</summary>
        public const int FramingNone = 0;
        /// <summary>Content-Length bytes.</summary>
        public const int FramingLength = 1;
        /// <summary>Transfer-Encoding: chunked.</summary>
        public const int FramingChunked = 2;
        /// <summary>The body runs until the peer closes.</summary>
        public const int FramingClose = 3;

        /// <summary>More bytes are needed.</summary>
        public const int NeedMore = 0;
        /// <summary>The body is complete.</summary>
        public const int Complete = 1;
        /// <summary>The body does not fit in the buffer.</summary>
        public const int TooLarge = 2;
        /// <summary>The chunk framing is invalid.</summary>
        public const int Malformed = 3;
        /// <summary>The peer closed before the body was complete.</summary>
        public const int Truncated = 4;

        // Longest chunk-size line remainder (extensions) or trailer line accepted. Real servers send
        // none or a few tens of bytes; the bound only stops a hostile peer from feeding one endless line.
        private const int MaxFramingLineLength = 256;

        // Chunk sizes above this cannot fit any body buffer this client is given (and keep the
        // arithmetic inside int): 7 hex digits.
        private const int MaxChunkSize = 0x0FFFFFFF;

        private const int StateSize = 0;
        private const int StateSizeDigits = 1;
        private const int StateExtension = 2;
        private const int StateSizeLf = 3;
        private const int StateData = 4;
        private const int StateDataCr = 5;
        private const int StateDataLf = 6;
        private const int StateTrailerStart = 7;
        private const int StateTrailerLine = 8;
        private const int StateFinalLf = 9;
        private const int StateDone = 10;

        private readonly byte[] _body;
        private int _length;
        private int _framing;
        private int _remaining;
        private int _state;
        private int _lineLength;

        /// <summary>Creates a decoder that writes into <paramref name="body"/>.</summary>
        public HttpBodyDecoder(byte[] body)
        {
            _body = body;
        }

        /// <summary>Decoded payload bytes so far, at the start of the body buffer.</summary>
        public int Length
        {
            get { return _length; }
        }

        /// <summary>True when the body is complete.</summary>
        public bool IsComplete
        {
            get { return _state == StateDone; }
        }

        /// <summary>The framing this body uses (one of the Framing constants).</summary>
        public int Framing
        {
            get { return _framing; }
        }

        /// <summary>Starts a new body. <paramref name="contentLength"/> is used with <see cref="FramingLength"/> only and must fit the buffer.</summary>
        public void Reset(int framing, int contentLength)
        {
            _framing = framing;
            _length = 0;
            _lineLength = 0;
            _remaining = 0;
            _state = StateSize;
            if (framing == FramingNone || (framing == FramingLength && contentLength == 0))
            {
                _state = StateDone;
            }
            else if (framing == FramingLength)
            {
                _remaining = contentLength;
                _state = StateData;
            }
            else if (framing == FramingClose)
            {
                _state = StateData;
            }
        }

        /// <summary>
        /// Decodes <paramref name="count"/> raw bytes. <paramref name="source"/> may be the body buffer
        /// itself when <paramref name="offset"/> is at or after <see cref="Length"/>.
        /// Returns <see cref="NeedMore"/>, <see cref="Complete"/>, <see cref="TooLarge"/> or <see cref="Malformed"/>.
        /// </summary>
        public int Feed(byte[] source, int offset, int count)
        {
            int end = offset + count;
            int i = offset;
            while (i < end)
            {
                if (_state == StateDone)
                {
                    // Bytes after the end of the body (there should be none with Connection: close) are ignored.
                    return Complete;
                }

                if (_state == StateData)
                {
                    int run = end - i;
                    if (_framing != FramingClose && run > _remaining) run = _remaining;
                    if (run > _body.Length - _length) return TooLarge;
                    CopyPayload(source, i, run);
                    i += run;
                    if (_framing != FramingClose)
                    {
                        _remaining -= run;
                        if (_remaining == 0)
                        {
                            _state = _framing == FramingLength ? StateDone : StateDataCr;
                        }
                    }
                    continue;
                }

                int b = source[i++];
                int r = Step(b);
                if (r != NeedMore) return r;
            }
            return _state == StateDone ? Complete : NeedMore;
        }

        /// <summary>Called when the peer closed the connection: <see cref="Complete"/> for a close-delimited or finished body, else <see cref="Truncated"/>.</summary>
        public int PeerClosed()
        {
            if (_state == StateDone) return Complete;
            if (_framing == FramingClose)
            {
                _state = StateDone;
                return Complete;
            }
            return Truncated;
        }

        // One framing byte of a chunked body.
        private int Step(int b)
        {
            switch (_state)
            {
                case StateSize:
                    {
                        int digit = HexValue(b);
                        if (digit < 0) return Malformed;
                        _remaining = digit;
                        _lineLength = 0;
                        _state = StateSizeDigits;
                        return NeedMore;
                    }
                case StateSizeDigits:
                    {
                        int digit = HexValue(b);
                        if (digit >= 0)
                        {
                            if (_remaining > (MaxChunkSize >> 4)) return TooLarge;
                            _remaining = (_remaining << 4) | digit;
                            return NeedMore;
                        }
                        if (b == ';' || b == ' ' || b == '\t')
                        {
                            _state = StateExtension;
                            return NeedMore;
                        }
                        if (b == '\r')
                        {
                            _state = StateSizeLf;
                            return NeedMore;
                        }
                        if (b == '\n') return EndOfSizeLine();
                        return Malformed;
                    }
                case StateExtension:
                    // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): skipped, bounded.
                    if (b == '\n') return EndOfSizeLine();
                    if (++_lineLength > MaxFramingLineLength) return Malformed;
                    return NeedMore;
                case StateSizeLf:
                    if (b != '\n') return Malformed;
                    return EndOfSizeLine();
                case StateDataCr:
                    if (b == '\r')
                    {
                        _state = StateDataLf;
                        return NeedMore;
                    }
                    if (b == '\n')
                    {
                        _state = StateSize;
                        return NeedMore;
                    }
                    return Malformed;
                case StateDataLf:
                    if (b != '\n') return Malformed;
                    _state = StateSize;
                    return NeedMore;
                case StateTrailerStart:
                    if (b == '\r')
                    {
                        _state = StateFinalLf;
                        return NeedMore;
                    }
                    if (b == '\n')
                    {
                        _state = StateDone;
                        return Complete;
                    }
                    _lineLength = 1;
                    _state = StateTrailerLine;
                    return NeedMore;
                case StateTrailerLine:
                    // Trailer fields are read past, not kept: the header lookup covers the header block only.
                    if (b == '\n')
                    {
                        _state = StateTrailerStart;
                        return NeedMore;
                    }
                    if (++_lineLength > MaxFramingLineLength) return Malformed;
                    return NeedMore;
                case StateFinalLf:
                    if (b != '\n') return Malformed;
                    _state = StateDone;
                    return Complete;
                default:
                    return Malformed;
            }
        }

        private int EndOfSizeLine()
        {
            if (_remaining == 0)
            {
                _lineLength = 0;
                _state = StateTrailerStart;
            }
            else
            {
                _state = StateData;
            }
            return NeedMore;
        }

        private void CopyPayload(byte[] source, int offset, int count)
        {
            if (source == _body)
            {
                if (offset != _length)
                {
                    // In place: the destination is always before the source, so a forward copy is safe.
                    int dst = _length;
                    for (int k = 0; k < count; k++)
                    {
                        _body[dst + k] = _body[offset + k];
                    }
                }
            }
            else
            {
                Array.Copy(source, offset, _body, _length, count);
            }
            _length += count;
        }

        private static int HexValue(int b)
        {
            if (b >= '0' && b <= '9') return b - '0';
            if (b >= 'a' && b <= 'f') return b - 'a' + 10;
            if (b >= 'A' && b <= 'F') return b - 'A' + 10;
            return -1;
        }
    }
}
