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
        /// name, a colon, a value without control bytes. Obsolete line folding is rejected.
        /// </summary>
        public static bool ValidateFields(byte[] buffer, int start, int headEnd)
        {
            int i = start;
            while (i < headEnd)
            {
                byte c = buffer[i];
                if (c == '\r' || c == '\n') return true; // the empty line that ends the head
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
            valueOffset = 0;
            valueLength = 0;
            if (name == null || name.Length == 0) return false;
            int i = start;
            while (i < headEnd)
            {
                byte c = buffer[i];
                if (c == '\r' || c == '\n') return false;
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
                if (match)
                {
                    valueOffset = valueStart;
                    valueLength = valueEnd - valueStart;
                    return true;
                }
                if (i < headEnd && buffer[i] == '\r') i++;
                i++;
            }
            return false;
        }

        /// <summary>
        /// Parses a Content-Length value: decimal digits only. Returns -1 when invalid and -2 when
        /// the number is larger than <paramref name="limit"/>.
        /// </summary>
        public static int ParseContentLength(byte[] buffer, int offset, int length, int limit)
        {
            if (length <= 0) return -1;
            int value = 0;
            for (int i = 0; i < length; i++)
            {
                byte c = buffer[offset + i];
                if (!IsDigit(c)) return -1;
                if (value > limit) continue; // keep checking syntax; the value is already too big
                value = value * 10 + (c - '0');
            }
            return value > limit ? -2 : value;
        }

        /// <summary>True when the last transfer coding in a Transfer-Encoding value is "chunked".</summary>
        public static bool IsChunkedLast(byte[] buffer, int offset, int length)
        {
            int end = offset + length;
            int start = offset;
            for (int i = offset; i < end; i++)
            {
                if (buffer[i] == ',') start = i + 1;
            }
            while (start < end && (buffer[start] == ' ' || buffer[start] == '\t')) start++;
            // A coding may carry parameters (";q=..."): compare the name only.
            int nameEnd = start;
            while (nameEnd < end && buffer[nameEnd] != ';' && buffer[nameEnd] != ' ' && buffer[nameEnd] != '\t') nameEnd++;
            return EqualsIgnoreCase(buffer, start, nameEnd - start, Chunked);
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

        // RFC 9110 tchar.
        private static bool IsTokenChar(int c)
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
