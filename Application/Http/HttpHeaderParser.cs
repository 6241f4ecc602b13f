namespace CoreFirmware.Application.Http
{
    /// <summary>
    /// Reads an HTTP/1.x response head (status line and header fields) in place in a byte buffer:
    /// finds its end, checks its syntax and looks fields up by name without allocating.
    /// Lines may end in CRLF or a bare LF (RFC 9112 section 2.2 lets a recipient accept LF).
    /// </summary>
    internal static class HttpHeaderParser
    {
        // Literals in static fields: nanoCLR allocates a new string object each time it executes a
        // string literal (ldstr), and these are read on every response.
        private static readonly string Prefix = "HTTP/1.";
        private static readonly string Chunked = "chunked";
        private static readonly string ContentLengthName = "Content-Length";
        private static readonly string TransferEncodingName = "Transfer-Encoding";

        /// <summary>A Content-Length that is not decimal digits, or values that differ.</summary>
        public const long ContentLengthInvalid = -1;

        /// <summary>A Content-Length above the caller's limit.</summary>
        public const long ContentLengthTooLarge = -2;

        /// <summary>No Content-Length field.</summary>
        public const long ContentLengthAbsent = -3;

        /// <summary>No Transfer-Encoding field.</summary>
        public const int TransferCodingNone = 0;

        /// <summary>The final transfer coding is chunked.</summary>
        public const int TransferCodingChunked = 1;

        /// <summary>Transfer-Encoding is present and its final coding is not chunked: the body runs until the peer closes.</summary>
        public const int TransferCodingOther = 2;

        /// <summary>
        /// Returns the index just past the empty line that ends the head within
        /// [<paramref name="from"/>, <paramref name="end"/>), or -1. Pass a
        /// <paramref name="from"/> up to 3 bytes before the previous end so a terminator split across
        /// receives is found.
        /// </summary>
        public static int FindHeadEnd(byte[] buffer, int from, int end)
        {
            if (from < 0) from = 0;
            for (int i = from; i < end; i++)
            {
                if (buffer[i] != '\n') continue;
                int next = i + 1;
                if (next < end && buffer[next] == '\n') return next + 1;
                if (next + 1 < end && buffer[next] == '\r' && buffer[next + 1] == '\n') return next + 2;
            }
            return -1;
        }

        /// <summary>
        /// False when the first bytes already show this is not an HTTP/1.x status line
        /// (lets the client fail at once on garbage instead of waiting for a timeout).
        /// </summary>
        public static bool CouldBeStatusLine(byte[] buffer, int length)
        {
            int n = length < Prefix.Length ? length : Prefix.Length;
            for (int i = 0; i < n; i++)
            {
                if (buffer[i] != Prefix[i]) return false;
            }
            return true;
        }

        /// <summary>
        /// Parses "HTTP/1.x SP 3DIGIT [SP reason] CRLF" at the start of the buffer. Returns the index
        /// of the first header line, or -1 when the status line is malformed.
        /// </summary>
        public static int ParseStatusLine(byte[] buffer, int headEnd, out int statusCode)
        {
            statusCode = 0;
            // "HTTP/1.1 200" is 12 bytes.
            if (headEnd < 13 || !CouldBeStatusLine(buffer, 8)) return -1;
            if (!IsDigit(buffer[7]) || buffer[8] != ' ') return -1;
            if (!IsDigit(buffer[9]) || !IsDigit(buffer[10]) || !IsDigit(buffer[11])) return -1;
            int code = (buffer[9] - '0') * 100 + (buffer[10] - '0') * 10 + (buffer[11] - '0');
            if (code < 100 || code > 599) return -1;

            int i = 12;
            byte c = buffer[i];
            if (c == ' ')
            {
                // reason-phrase = *( HTAB / SP / VCHAR / obs-text )
                for (i = 13; i < headEnd; i++)
                {
                    c = buffer[i];
                    if (c == '\r' || c == '\n') break;
                    if (c < 0x20 && c != '\t') return -1;
                    if (c == 0x7F) return -1;
                }
                if (i >= headEnd) return -1;
            }
            return EndOfLine(buffer, i, headEnd, out statusCode, code);
        }

        private static int EndOfLine(byte[] buffer, int i, int headEnd, out int statusCode, int code)
        {
            statusCode = 0;
            if (buffer[i] == '\r')
            {
                i++;
                if (i >= headEnd || buffer[i] != '\n') return -1;
            }
            else if (buffer[i] != '\n')
            {
                return -1;
            }
            statusCode = code;
            return i + 1;
        }

        /// <summary>
        /// Checks each header line in [<paramref name="start"/>, <paramref name="headEnd"/>): a token
        /// name, a colon, a value without control bytes, CRLF or LF; then the empty line that ends the
        /// head and nothing else (a CR is only ever the first half of a CRLF). Obsolete line folding
        /// is rejected.
        /// </summary>
        public static bool ValidateFields(byte[] buffer, int start, int headEnd)
        {
            int i = start;
            while (i < headEnd)
            {
                byte c = buffer[i];
                // Only the empty line that ends the head may start with CR or LF: a bare CR that
                // merely starts a line would otherwise hide every field after it.
                if (c == '\n') return i + 1 == headEnd;
                if (c == '\r') return i + 2 == headEnd && buffer[i + 1] == '\n';
                int nameLength = 0;
                while (i < headEnd && IsTokenChar(buffer[i]))
                {
                    i++;
                    nameLength++;
                }
                if (nameLength == 0 || i >= headEnd || buffer[i] != ':') return false;
                i++;
                while (i < headEnd)
                {
                    c = buffer[i];
                    if (c == '\r' || c == '\n') break;
                    if ((c < 0x20 && c != '\t') || c == 0x7F) return false;
                    i++;
                }
                if (i >= headEnd) return false;
                if (c == '\r')
                {
                    i++;
                    if (i >= headEnd || buffer[i] != '\n') return false;
                }
                i++;
            }
            return false;
        }

        /// <summary>
        /// Finds the first field called <paramref name="name"/> (ASCII case-insensitive) in the
        /// validated header lines [<paramref name="start"/>, <paramref name="headEnd"/>) and gives its
        /// value, without surrounding whitespace, as an offset and length in the buffer.
        /// </summary>
        public static bool FindField(byte[] buffer, int start, int headEnd, string name, out int valueOffset, out int valueLength)
        {
            int position = start;
            return NextField(buffer, ref position, headEnd, name, out valueOffset, out valueLength);
        }

        /// <summary>
        /// Finds the next field called <paramref name="name"/> from <paramref name="position"/> in the
        /// validated header lines up to <paramref name="headEnd"/>, like <see cref="FindField"/>, and
        /// moves <paramref name="position"/> to the line after it, so a loop visits every field line
        /// of that name in order (RFC 9110 5.3: together they are one comma-separated list).
        /// </summary>
        public static bool NextField(byte[] buffer, ref int position, int headEnd, string name, out int valueOffset, out int valueLength)
        {
            valueOffset = 0;
            valueLength = 0;
            if (name == null || name.Length == 0) return false;
            int i = position;
            while (i < headEnd)
            {
                byte c = buffer[i];
                if (c == '\r' || c == '\n') break;
                int lineStart = i;
                bool match = true;
                int k = 0;
                while (i < headEnd && buffer[i] != ':')
                {
                    if (match)
                    {
                        if (k >= name.Length || ToLower(buffer[i]) != ToLower(name[k])) match = false;
                    }
                    k++;
                    i++;
                }
                if (i == lineStart || k != name.Length) match = false;
                i++; // the colon
                while (i < headEnd && (buffer[i] == ' ' || buffer[i] == '\t')) i++;
                int valueStart = i;
                while (i < headEnd && buffer[i] != '\r' && buffer[i] != '\n') i++;
                int valueEnd = i;
                while (valueEnd > valueStart && (buffer[valueEnd - 1] == ' ' || buffer[valueEnd - 1] == '\t')) valueEnd--;
                if (i < headEnd && buffer[i] == '\r') i++;
                i++;
                if (match)
                {
                    position = i;
                    valueOffset = valueStart;
                    valueLength = valueEnd - valueStart;
                    return true;
                }
            }
            position = headEnd;
            return false;
        }

        /// <summary>
        /// The message's Content-Length (RFC 9112 6.3, RFC 9110 8.6) from every Content-Length field
        /// line in the validated header lines [<paramref name="start"/>, <paramref name="headEnd"/>):
        /// the value when all of them, and every member of a comma-separated list in them, are
        /// decimal digits of the same number ("5" and "5, 5" are 5); <see cref="ContentLengthAbsent"/>
        /// when there is none; <see cref="ContentLengthInvalid"/> when a value is not digits or two
        /// values differ; <see cref="ContentLengthTooLarge"/> when the number is above
        /// <paramref name="limit"/>. Never overflows, however many digits.
        /// </summary>
        public static long FindContentLength(byte[] buffer, int start, int headEnd, long limit)
        {
            int firstOffset = 0;
            int firstLength = 0;
            bool found = false;
            int position = start;
            int offset;
            int length;
            while (NextField(buffer, ref position, headEnd, ContentLengthName, out offset, out length))
            {
                int end = offset + length;
                int i = offset;
                while (true)
                {
                    // One list member: digits between optional whitespace, then a comma or the end.
                    while (i < end && (buffer[i] == ' ' || buffer[i] == '\t')) i++;
                    int digits = i;
                    while (i < end && IsDigit(buffer[i])) i++;
                    int digitsEnd = i;
                    while (i < end && (buffer[i] == ' ' || buffer[i] == '\t')) i++;
                    if (digitsEnd == digits || (i < end && buffer[i] != ',')) return ContentLengthInvalid;
                    if (!found)
                    {
                        found = true;
                        firstOffset = digits;
                        firstLength = digitsEnd - digits;
                    }
                    else if (!SameNumber(buffer, firstOffset, firstLength, digits, digitsEnd - digits))
                    {
                        return ContentLengthInvalid;
                    }
                    if (i == end) break;
                    i++; // the comma
                }
            }
            if (!found) return ContentLengthAbsent;
            return ParseContentLength(buffer, firstOffset, firstLength, limit);
        }

        // True when two runs of decimal digits are the same number (leading zeros aside).
        private static bool SameNumber(byte[] buffer, int a, int aLength, int b, int bLength)
        {
            while (aLength > 1 && buffer[a] == '0')
            {
                a++;
                aLength--;
            }
            while (bLength > 1 && buffer[b] == '0')
            {
                b++;
                bLength--;
            }
            if (aLength != bLength) return false;
            for (int i = 0; i < aLength; i++)
            {
                if (buffer[a + i] != buffer[b + i]) return false;
            }
            return true;
        }

        /// <summary>
        /// Parses one Content-Length value: decimal digits only, any number of them. Returns the
        /// number, <see cref="ContentLengthInvalid"/> when it is not digits and
        /// <see cref="ContentLengthTooLarge"/> when it is larger than <paramref name="limit"/>
        /// (which may be anything up to long.MaxValue: the arithmetic cannot overflow).
        /// </summary>
        public static long ParseContentLength(byte[] buffer, int offset, int length, long limit)
        {
            if (length <= 0 || limit < 0) return ContentLengthInvalid;
            long value = 0;
            bool tooLarge = false;
            long tenth = limit / 10;
            int lastDigit = (int)(limit % 10);
            for (int i = 0; i < length; i++)
            {
                byte c = buffer[offset + i];
                if (!IsDigit(c)) return ContentLengthInvalid;
                if (tooLarge) continue; // keep checking syntax; the value is already too big
                int d = c - '0';
                // value * 10 + d <= limit, decided without computing anything past limit.
                if (value > tenth || (value == tenth && d > lastDigit))
                {
                    tooLarge = true;
                    continue;
                }
                value = value * 10 + d;
            }
            return tooLarge ? ContentLengthTooLarge : value;
        }

        /// <summary>
        /// How the Transfer-Encoding field lines in the validated header lines
        /// [<paramref name="start"/>, <paramref name="headEnd"/>) frame the body: all of them form one
        /// list of codings in order (RFC 9110 5.3), and only a final "chunked" means chunked framing
        /// (RFC 9112 6.3). Returns <see cref="TransferCodingNone"/>, <see cref="TransferCodingChunked"/>
        /// or <see cref="TransferCodingOther"/>. Empty list members are skipped.
        /// </summary>
        public static int FindTransferCoding(byte[] buffer, int start, int headEnd)
        {
            int result = TransferCodingNone;
            int position = start;
            int offset;
            int length;
            while (NextField(buffer, ref position, headEnd, TransferEncodingName, out offset, out length))
            {
                int end = offset + length;
                int i = offset;
                while (i < end)
                {
                    while (i < end && (buffer[i] == ' ' || buffer[i] == '\t' || buffer[i] == ',')) i++;
                    if (i == end) break;
                    // transfer-coding = token *( OWS ";" OWS transfer-parameter ): compare the name
                    // only; a name followed by anything but parameters is not "chunked".
                    int name = i;
                    while (i < end && buffer[i] != ';' && buffer[i] != ',' && buffer[i] != ' ' && buffer[i] != '\t') i++;
                    int nameEnd = i;
                    while (i < end && (buffer[i] == ' ' || buffer[i] == '\t')) i++;
                    bool wellFormed = i == end || buffer[i] == ';' || buffer[i] == ',';
                    result = wellFormed && EqualsIgnoreCase(buffer, name, nameEnd - name, Chunked) ? TransferCodingChunked : TransferCodingOther;
                    while (i < end && buffer[i] != ',') i++;
                }
                if (result == TransferCodingNone) result = TransferCodingOther; // present but empty
            }
            return result;
        }

        /// <summary>ASCII case-insensitive comparison of bytes with a string.</summary>
        public static bool EqualsIgnoreCase(byte[] buffer, int offset, int length, string text)
        {
            if (text == null || length != text.Length) return false;
            for (int i = 0; i < length; i++)
            {
                if (ToLower(buffer[offset + i]) != ToLower(text[i])) return false;
            }
            return true;
        }

        private static int ToLower(int c)
        {
            return c >= 'A' && c <= 'Z' ? c + 32 : c;
        }

        private static bool IsDigit(int c)
        {
            return c >= '0' && c <= '9';
        }

        /// <summary>RFC 9110 tchar: a byte a field name or token may hold.</summary>
        internal static bool IsTokenChar(int c)
        {
            if (c >= 'a' && c <= 'z') return true;
            if (c >= 'A' && c <= 'Z') return true;
            if (c >= '0' && c <= '9') return true;
            switch (c)
            {
                case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
                case '+': case '-': case '.': case '^': case '_': case '`': case '|': case '~':
                    return true;
                default:
                    return false;
            }
        }
    }
}
