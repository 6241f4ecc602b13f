using System;

namespace CoreFirmware.Application.Http
{
    /// <summary>
    /// Decodes an HTTP/1.1 message body (Content-Length, chunked or close-delimited framing) from
    /// the raw bytes that follow the header block into a fixed body buffer. It never grows anything:
    /// payload that does not fit makes <see cref="Feed"/> answer <see cref="TooLarge"/>.
    /// Raw bytes may be received straight into the free tail of the body buffer and decoded in place,
    /// because decoded payload never moves forward of the raw bytes it comes from.
    /// Chunk framing is read as strictly as RFC 9112 7.1 writes it: hex size, extensions by their
    /// grammar (tokens and quoted strings, no control bytes), CRLF or a bare LF, trailer lines checked
    /// like header lines; a CR that is not followed by LF is <see cref="Malformed"/>.
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
        private const int StateSizeLf = 2;
        private const int StateData = 3;
        private const int StateDataCr = 4;
        private const int StateDataLf = 5;
        private const int StateTrailerStart = 6;
        private const int StateTrailerName = 7;
        private const int StateTrailerValue = 8;
        private const int StateTrailerLf = 9;
        private const int StateFinalLf = 10;
        private const int StateDone = 11;

        // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string
        // (RFC 9112 7.1.1), one state per place in that grammar.
        private const int StateExtSeparator = 12;   // after the size or a value: BWS, then ";" or the line end
        private const int StateExtNameStart = 13;   // after ";": BWS, then a name
        private const int StateExtName = 14;
        private const int StateExtAfterName = 15;   // BWS, then "=", ";" or the line end
        private const int StateExtValueStart = 16;  // after "=": BWS, then a token or a quoted string
        private const int StateExtToken = 17;
        private const int StateExtQuoted = 18;
        private const int StateExtQuotedPair = 19;  // after a backslash in a quoted string

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
            if (_state >= StateExtSeparator) return StepExtension(b);
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
                        if (b == ';')
                        {
                            _state = StateExtNameStart;
                            return NeedMore;
                        }
                        if (b == ' ' || b == '\t')
                        {
                            _state = StateExtSeparator;
                            return NeedMore;
                        }
                        return EndOfSizeLineByte(b);
                    }
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
                    // trailer-section = *( field-line CRLF ), then the empty line.
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
                    if (!HttpHeaderParser.IsTokenChar(b)) return Malformed;
                    _lineLength = 1;
                    _state = StateTrailerName;
                    return NeedMore;
                case StateTrailerName:
                    // Trailer fields are checked like header lines, then dropped: the header lookup covers the header block only.
                    if (++_lineLength > MaxFramingLineLength) return Malformed;
                    if (b == ':')
                    {
                        _state = StateTrailerValue;
                        return NeedMore;
                    }
                    return HttpHeaderParser.IsTokenChar(b) ? NeedMore : Malformed;
                case StateTrailerValue:
                    if (b == '\r')
                    {
                        _state = StateTrailerLf;
                        return NeedMore;
                    }
                    if (b == '\n')
                    {
                        _state = StateTrailerStart;
                        return NeedMore;
                    }
                    if (++_lineLength > MaxFramingLineLength || IsControl(b)) return Malformed;
                    return NeedMore;
                case StateTrailerLf:
                    if (b != '\n') return Malformed;
                    _state = StateTrailerStart;
                    return NeedMore;
                case StateFinalLf:
                    if (b != '\n') return Malformed;
                    _state = StateDone;
                    return Complete;
                default:
                    return Malformed;
            }
        }

        // One byte of the chunk extensions after a chunk size. Nothing is kept; the grammar is checked
        // so a control byte or a bare CR cannot pass, and the line is bounded.
        private int StepExtension(int b)
        {
            if (++_lineLength > MaxFramingLineLength) return Malformed;
            bool space = b == ' ' || b == '\t';
            switch (_state)
            {
                case StateExtSeparator:
                    if (space) return NeedMore;
                    if (b == ';') return Next(StateExtNameStart);
                    return EndOfSizeLineByte(b);
                case StateExtNameStart:
                    if (space) return NeedMore;
                    return HttpHeaderParser.IsTokenChar(b) ? Next(StateExtName) : Malformed;
                case StateExtName:
                    if (HttpHeaderParser.IsTokenChar(b)) return NeedMore;
                    if (space) return Next(StateExtAfterName);
                    if (b == '=') return Next(StateExtValueStart);
                    if (b == ';') return Next(StateExtNameStart);
                    return EndOfSizeLineByte(b);
                case StateExtAfterName:
                    if (space) return NeedMore;
                    if (b == '=') return Next(StateExtValueStart);
                    if (b == ';') return Next(StateExtNameStart);
                    return EndOfSizeLineByte(b);
                case StateExtValueStart:
                    if (space) return NeedMore;
                    if (b == '"') return Next(StateExtQuoted);
                    return HttpHeaderParser.IsTokenChar(b) ? Next(StateExtToken) : Malformed;
                case StateExtToken:
                    if (HttpHeaderParser.IsTokenChar(b)) return NeedMore;
                    if (space) return Next(StateExtSeparator);
                    if (b == ';') return Next(StateExtNameStart);
                    return EndOfSizeLineByte(b);
                case StateExtQuoted:
                    // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
                    if (b == '"') return Next(StateExtSeparator);
                    if (b == '\\') return Next(StateExtQuotedPair);
                    return IsControl(b) ? Malformed : NeedMore;
                case StateExtQuotedPair:
                    // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                    return IsControl(b) ? Malformed : Next(StateExtQuoted);
                default:
                    return Malformed;
            }
        }

        private int Next(int state)
        {
            _state = state;
            return NeedMore;
        }

        // The byte after a chunk size or extension that is not part of them: it must end the line.
        private int EndOfSizeLineByte(int b)
        {
            if (b == '\r') return Next(StateSizeLf);
            if (b == '\n') return EndOfSizeLine();
            return Malformed;
        }

        // A control byte (CTL) other than HTAB: never allowed in a field value, extension or quoted string.
        private static bool IsControl(int b)
        {
            return (b < 0x20 && b != '\t') || b == 0x7F;
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
