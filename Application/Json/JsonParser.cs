using System;

namespace CoreFirmware.Application.Json
{
    /// <summary>
    /// A JSMN-style JSON tokenizer: it reads UTF-8 JSON from a caller's byte array and writes flat
    /// <see cref="JsonToken"/>s (type, byte span, child count, parent) into a caller's token array.
    /// It allocates nothing while parsing.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Strict RFC 8259: exactly one value with only whitespace (space, tab, CR, LF) around it; keys are
    /// strings; <c>"key": value</c> members and elements separated by single commas, no trailing
    /// comma; numbers follow <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?</c>; only the literals
    /// <c>true</c>, <c>false</c>, <c>null</c>; strings contain no raw control character (below 0x20),
    /// only the escapes <c>\" \\ \/ \b \f \n \r \t \uXXXX</c>, where a <c>\u</c> surrogate must be a
    /// high surrogate immediately followed by a <c>\u</c> low surrogate; the bytes are well-formed
    /// UTF-8 (no overlong forms, no encoded surrogates, nothing above U+10FFFF). A UTF-8 byte order
    /// mark is not accepted. Objects and arrays nest at most <see cref="MaxDepth"/> deep.
    /// </para>
    /// <para>
    /// Input that ends early gives <see cref="JsonResult.Partial"/>; call <see cref="Parse"/> again
    /// with the same array, the same offset and a larger count once more bytes have arrived (the
    /// state keeps the position, the token count and the chain of open containers). A string or a
    /// number cut by the end of the input is read again from its start on the next call. A number
    /// that is the whole document and ends exactly at the end of the input counts as complete (RFC
    /// 8259 allows a bare number document; the parser cannot know whether more digits will come); a
    /// later call with more input reads that number again, so resuming still works.
    /// </para>
    /// <para>
    /// With a null token array (count-only mode) the parser validates the input the same way and
    /// <see cref="TokenCount"/> says how many tokens a real parse needs.
    /// </para>
    /// <para>
    /// Memory: the constructor allocates two arrays of <see cref="MaxDepth"/> entries (the open
    /// container stack); <see cref="Parse"/> and <see cref="Reset"/> allocate nothing. One instance is
    /// meant to be reused: <see cref="Reset"/> before each new document.
    /// </para>
    /// </remarks>
    public sealed class JsonParser
    {
        /// <summary>
        /// Default nesting limit. 32 levels of objects/arrays is far beyond what REST replies a device
        /// reads need (a ticker reply nests 2-3 deep) and costs 32 * 5 bytes of stack state.
        /// </summary>
        public const int DefaultMaxDepth = 32;

        // What the parser expects next.
        private const int ExpectValue = 0;          // at the top, after ':' and after ',' in an array
        private const int ExpectValueOrEnd = 1;     // just after '['
        private const int ExpectKey = 2;            // after ',' in an object
        private const int ExpectKeyOrEnd = 3;       // just after '{'
        private const int ExpectColon = 4;          // after a key
        private const int ExpectCommaOrEnd = 5;     // after a value inside an object or array
        private const int ExpectNothing = 6;        // after the top-level value: whitespace only

        // Byte classes for the string scan: 0 = an ordinary byte that needs no check.
        private const byte StringPlain = 0;
        private const byte StringSpecial = 1;       // '"', '\\', control character, non-ASCII

        // Byte classes for the main loop. One table lookup and a dense switch (one IL 'switch', a jump
        // table on the JIT) instead of a chain of compares per byte: fewer instructions per byte for
        // CoreCLR and for the nanoFramework interpreter alike. 0 = a byte no value can start with.
        private const byte ClassInvalid = 0;
        private const byte ClassSpace = 1;          // space, tab, LF, CR
        private const byte ClassOpen = 2;           // '{' '['
        private const byte ClassClose = 3;          // '}' ']'
        private const byte ClassComma = 4;
        private const byte ClassColon = 5;
        private const byte ClassQuote = 6;
        private const byte ClassNumber = 7;         // '-' '0'..'9'
        private const byte ClassLiteral = 8;        // 't' 'f' 'n'

        private static readonly byte[] ByteClass = BuildByteClass();
        private static readonly byte[] StringClass = BuildStringClass();

        // 1 for the bytes that may follow a backslash as a one-letter escape: " \ / b f n r t.
        private static readonly byte[] SimpleEscape = BuildSimpleEscape();

        // Each byte's value as a hex digit; NotHex for the bytes that are not one.
        private const byte NotHex = 0xFF;
        private static readonly byte[] HexDigit = BuildHexDigit();

        private readonly int _maxDepth;
        private readonly int[] _openIndex;          // token index of each open container
        private readonly bool[] _openIsObject;      // whether each open container is an object

        private bool _started;
        private int _base;
        private int _pos;
        private int _state;
        private int _depth;
        private int _count;
        private int _key;
        private int _topNumber;                     // start of a top-level number cut by the input's end, or -1
        private JsonResult _result;

        /// <summary>Creates a parser with the <see cref="DefaultMaxDepth"/> nesting limit.</summary>
        public JsonParser() : this(DefaultMaxDepth)
        {
        }

        /// <summary>Creates a parser with the given nesting limit.</summary>
        /// <param name="maxDepth">How many objects/arrays may be open at once (at least 1).</param>
        public JsonParser(int maxDepth)
        {
            if (maxDepth < 1)
            {
                throw new ArgumentOutOfRangeException("maxDepth");
            }

            _maxDepth = maxDepth;
            _openIndex = new int[maxDepth];
            _openIsObject = new bool[maxDepth];
            Reset();
        }

        /// <summary>How many objects/arrays may be open at once.</summary>
        public int MaxDepth
        {
            get { return _maxDepth; }
        }

        /// <summary>
        /// Tokens written so far (or counted, in count-only mode). After
        /// <see cref="JsonResult.Complete"/>: the document's token count.
        /// </summary>
        public int TokenCount
        {
            get { return _count; }
        }

        /// <summary>
        /// Index in the input array where parsing stopped: the end of the input after
        /// <see cref="JsonResult.Complete"/>, the offending byte after <see cref="JsonResult.Invalid"/>
        /// or <see cref="JsonResult.TooDeep"/>, the start of the unfinished or unstored token otherwise.
        /// </summary>
        public int Position
        {
            get { return _pos; }
        }

        /// <summary>The result of the last <see cref="Parse"/> call.</summary>
        public JsonResult LastResult
        {
            get { return _result; }
        }

        /// <summary>Forgets the current document so the next <see cref="Parse"/> starts a new one.</summary>
        public void Reset()
        {
            _started = false;
            _base = 0;
            _pos = 0;
            _state = ExpectValue;
            _depth = 0;
            _count = 0;
            _key = -1;
            _topNumber = -1;
            _result = JsonResult.Partial;
        }

        /// <summary>
        /// Parses (or goes on parsing) the UTF-8 JSON in <paramref name="json"/>[offset..offset+count)
        /// and writes its tokens into <paramref name="tokens"/>.
        /// </summary>
        /// <param name="json">The input. Token spans are indices into this array.</param>
        /// <param name="offset">Where the document starts; the same on every call for one document.</param>
        /// <param name="count">How many bytes are there so far; never less than on the previous call.</param>
        /// <param name="tokens">
        /// Where tokens go (from index 0), or null to only validate and count them. When resuming,
        /// pass the same array (or a larger one holding a copy of the tokens written so far).
        /// </param>
        /// <returns>
        /// <see cref="JsonResult.Complete"/>, or why not: <see cref="JsonResult.NotEnoughTokens"/>,
        /// <see cref="JsonResult.Invalid"/>, <see cref="JsonResult.Partial"/>,
        /// <see cref="JsonResult.TooDeep"/>.
        /// </returns>
        /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">offset/count outside the array.</exception>
        /// <exception cref="ArgumentException">
        /// A resumed call with another offset or a shorter input than before.
        /// </exception>
        public JsonResult Parse(byte[] json, int offset, int count, JsonToken[] tokens)
        {
            if (json == null)
            {
                throw new ArgumentNullException("json");
            }

            if (offset < 0 || count < 0 || offset > json.Length - count)
            {
                throw new ArgumentOutOfRangeException("count");
            }

            int end = offset + count;
            if (_started)
            {
                if (offset != _base || end < _pos)
                {
                    throw new ArgumentException("resumed with another offset or less input");
                }

                if (_result == JsonResult.Invalid || _result == JsonResult.TooDeep)
                {
                    return _result;
                }
            }
            else
            {
                _started = true;
                _base = offset;
                _pos = offset;
            }

            if (_topNumber >= 0)
            {
                // A top-level number ended the input last time: read it again, it may have more digits.
                _pos = _topNumber;
                _state = ExpectValue;
                _count--;
                _topNumber = -1;
            }

            // The whole state lives in locals while the loop runs and is stored back on every exit.
            int pos = _pos;
            int state = _state;
            int depth = _depth;
            int next = _count;
            int key = _key;
            int container = depth == 0 ? -1 : _openIndex[depth - 1];
            bool inObject = depth != 0 && _openIsObject[depth - 1];
            int stop = 0;       // end of a string/number/literal, or its failure code
            JsonResult result;
            byte[] byteClass = ByteClass;
            byte[] stringClass = StringClass;

            while (pos < end)
            {
                int c = json[pos];
                int start;      // a scalar value's token start and where parsing goes on after it
                int after;
                JsonTokenType type;
                switch (byteClass[c])
                {
                    case ClassSpace:
                        pos++;
                        continue;

                    case ClassOpen:
                        if (state != ExpectValue && state != ExpectValueOrEnd)
                        {
                            goto Invalid;
                        }

                        if (depth >= _maxDepth)
                        {
                            result = JsonResult.TooDeep;
                            goto Store;
                        }

                        if (tokens != null)
                        {
                            if (next >= tokens.Length)
                            {
                                goto NoTokens;
                            }

                            int parent = inObject ? key : container;
                            tokens[next].Type = c == '{' ? JsonTokenType.Object : JsonTokenType.Array;
                            tokens[next].Start = pos;
                            tokens[next].End = -1;
                            tokens[next].Size = 0;
                            tokens[next].Parent = parent;
                            if (parent >= 0)
                            {
                                tokens[parent].Size++;
                            }
                        }

                        container = next;
                        inObject = c == '{';
                        _openIndex[depth] = container;
                        _openIsObject[depth] = inObject;
                        depth++;
                        next++;
                        pos++;
                        if (inObject)
                        {
                            state = ExpectKeyOrEnd;
                            if (pos < end && json[pos] == '"')
                            {
                                goto Key; // fast path: the first key right after '{'
                            }
                        }
                        else
                        {
                            state = ExpectValueOrEnd;
                        }

                        continue;

                    case ClassClose:
                        if (container < 0 || inObject != (c == '}')
                            || (state != ExpectCommaOrEnd && state != (inObject ? ExpectKeyOrEnd : ExpectValueOrEnd)))
                        {
                            goto Invalid;
                        }

                        if (tokens != null)
                        {
                            tokens[container].End = pos + 1;
                        }

                        depth--;
                        pos++;
                        if (depth == 0)
                        {
                            container = -1;
                            inObject = false;
                            state = ExpectNothing;
                        }
                        else
                        {
                            container = _openIndex[depth - 1];
                            inObject = _openIsObject[depth - 1];
                            if (pos < end && json[pos] == ',')
                            {
                                // Fast path: the comma right after a closed object or array.
                                pos++;
                                if (inObject)
                                {
                                    state = ExpectKey;
                                    if (pos < end && json[pos] == '"')
                                    {
                                        goto Key;
                                    }
                                }
                                else
                                {
                                    state = ExpectValue;
                                }
                            }
                            else
                            {
                                state = ExpectCommaOrEnd;
                            }
                        }

                        continue;

                    case ClassComma:
                        if (state != ExpectCommaOrEnd)
                        {
                            goto Invalid;
                        }

                        pos++;
                        if (inObject)
                        {
                            state = ExpectKey;
                            if (pos < end && json[pos] == '"')
                            {
                                goto Key;
                            }
                        }
                        else
                        {
                            state = ExpectValue;
                        }

                        continue;

                    case ClassColon:
                        if (state != ExpectColon)
                        {
                            goto Invalid;
                        }

                        state = ExpectValue;
                        pos++;
                        continue;

                    case ClassQuote:
                        if (state == ExpectKey || state == ExpectKeyOrEnd)
                        {
                            goto Key;
                        }

                        if (state != ExpectValue && state != ExpectValueOrEnd)
                        {
                            goto Invalid;
                        }

                        goto StringValue;

                    case ClassNumber:
                        if (state != ExpectValue && state != ExpectValueOrEnd)
                        {
                            goto Invalid;
                        }

                        goto Number;

                    case ClassLiteral:
                        if (state != ExpectValue && state != ExpectValueOrEnd)
                        {
                            goto Invalid;
                        }

                        stop = ScanLiteral(json, pos, end);
                        if (stop < 0)
                        {
                            goto BadString;
                        }

                        type = JsonTokenType.Primitive;
                        start = pos;
                        after = stop;
                        break;

                    default:
                        goto Invalid;
                }

                goto Value;

            StringValue:
                // A string value (pos is at its opening quote); reached from the byte switch and from
                // the fast path after a key's colon. Most strings are plain ASCII up to their closing
                // quote: that loop runs here, and only a string with an escape, a multi-byte
                // character or an early end goes on in ScanString (a call, and its registers, per
                // string cost more than the loop).
                stop = pos + 1;
                while (stop < end && stringClass[json[stop]] == StringPlain)
                {
                    stop++;
                }

                if (stop >= end || json[stop] != '"')
                {
                    stop = ScanString(json, stop, end);
                    if (stop < 0)
                    {
                        goto BadString;
                    }
                }

                type = JsonTokenType.String;
                start = pos + 1;
                after = stop + 1;
                goto Value;

            Number:
                // A number value (pos is at its first byte). Reached from the byte switch and, skipping it,
                // from the fast paths after a key's colon and after a comma in an array (a number-heavy
                // document is mostly the latter).
                stop = ScanNumber(json, pos, end);
                if (stop < 0)
                {
                    goto BadString;
                }

                if (stop == end && depth != 0)
                {
                    goto Partial; // the number may go on in bytes not here yet: read it again then
                }

                type = JsonTokenType.Primitive;
                start = pos;
                after = stop;

            Value:
                // A string, number or literal value.
                if (tokens != null)
                {
                    if (next >= tokens.Length)
                    {
                        goto NoTokens;
                    }

                    int parent = inObject ? key : container;
                    tokens[next].Type = type;
                    tokens[next].Start = start;
                    tokens[next].End = stop;
                    tokens[next].Size = 0;
                    tokens[next].Parent = parent;
                    if (parent >= 0)
                    {
                        tokens[parent].Size++;
                    }
                }

                if (stop == end && depth == 0 && c <= '9')
                {
                    _topNumber = pos; // a bare number document, complete for now: re-read if more input comes
                }

                next++;
                pos = after;
                if (depth == 0)
                {
                    state = ExpectNothing;
                }
                else if (pos < end && json[pos] == ',')
                {
                    // Fast path: the comma right after a value (see the colon after a key).
                    pos++;
                    if (inObject)
                    {
                        state = ExpectKey;
                        if (pos < end && json[pos] == '"')
                        {
                            goto Key;
                        }
                    }
                    else
                    {
                        state = ExpectValue;
                        if (pos < end && byteClass[json[pos]] == ClassNumber)
                        {
                            goto Number;
                        }
                    }
                }
                else
                {
                    state = ExpectCommaOrEnd;
                }

                continue;

            Key:
                // A key (pos is at its opening quote): its parent is the object; it becomes the parent
                // of the value. Reached from the byte switch and, skipping it, from the fast paths
                // that see '"' right after '{' or after a comma in an object.
                stop = pos + 1; // the plain ASCII loop of a string value, see there
                while (stop < end && stringClass[json[stop]] == StringPlain)
                {
                    stop++;
                }

                if (stop >= end || json[stop] != '"')
                {
                    stop = ScanString(json, stop, end);
                    if (stop < 0)
                    {
                        goto BadString;
                    }
                }

                if (tokens != null)
                {
                    if (next >= tokens.Length)
                    {
                        goto NoTokens;
                    }

                    tokens[next].Type = JsonTokenType.String;
                    tokens[next].Start = pos + 1;
                    tokens[next].End = stop;
                    tokens[next].Size = 0;
                    tokens[next].Parent = container;
                    tokens[container].Size++;
                }

                key = next;
                next++;
                pos = stop + 1;

                // Fast path: the colon right after the key is taken here, which saves a
                // round of the byte switch (an unpredictable indirect jump on the JIT, a
                // table lookup and switch in the interpreter) for most members.
                if (pos < end && json[pos] == ':')
                {
                    pos++;
                    state = ExpectValue;

                    // and the value right after it, when it is a string or a number
                    if (pos < end)
                    {
                        int valueClass = byteClass[json[pos]];
                        if (valueClass == ClassQuote)
                        {
                            goto StringValue;
                        }

                        if (valueClass == ClassNumber)
                        {
                            goto Number;
                        }
                    }
                }
                else
                {
                    state = ExpectColon;
                }
            }

            result = state == ExpectNothing ? JsonResult.Complete : JsonResult.Partial;
            goto Store;

        BadString:
            // stop is -1 (the input ended inside the token) or -(p + 2) for an invalid byte at p.
            if (stop == -1)
            {
                goto Partial;
            }

            pos = -stop - 2;
            goto Invalid;

        Partial:
            result = JsonResult.Partial;
            goto Store;

        NoTokens:
            result = JsonResult.NotEnoughTokens;
            goto Store;

        Invalid:
            result = JsonResult.Invalid;

        Store:
            _pos = pos;
            _state = state;
            _depth = depth;
            _count = next;
            _key = key;
            _result = result;
            return result;
        }

        /// <summary>
        /// Scans a string's content from json[i] (any byte after the opening quote: Parse has already
        /// skipped the plain ASCII bytes before i), checking escapes, control characters and UTF-8.
        /// Returns the index of the closing quote; -1 if the input ends first; -(p + 2) for an
        /// invalid byte at p.
        /// </summary>
        private static int ScanString(byte[] json, int i, int end)
        {
            byte[] stringClass = StringClass;
            while (true)
            {
                // The hot loop: one table lookup per ordinary byte, unrolled four times with an exit after
                // each byte, so a short key costs no more than a byte-by-byte loop and a long text pays
                // one loop test per four bytes.
                while (i + 3 < end)
                {
                    if (stringClass[json[i]] != StringPlain)
                    {
                        goto Special;
                    }

                    if (stringClass[json[i + 1]] != StringPlain)
                    {
                        i += 1;
                        goto Special;
                    }

                    if (stringClass[json[i + 2]] != StringPlain)
                    {
                        i += 2;
                        goto Special;
                    }

                    if (stringClass[json[i + 3]] != StringPlain)
                    {
                        i += 3;
                        goto Special;
                    }

                    i += 4;
                }

                while (i < end && stringClass[json[i]] == StringPlain)
                {
                    i++;
                }

            Special:

                if (i >= end)
                {
                    return -1;
                }

                int b = json[i];
                if (b == '"')
                {
                    return i;
                }

                int step;
                if (b >= 0xC2 && b <= 0xDF && i + 1 < end && (json[i + 1] & 0xC0) == 0x80)
                {
                    step = 2; // inline: a well-formed two-byte UTF-8 sequence (Latin, Greek, Cyrillic...)
                }
                else if (b >= 0xE1 && b <= 0xEF && b != 0xED && i + 2 < end
                    && (json[i + 1] & 0xC0) == 0x80 && (json[i + 2] & 0xC0) == 0x80)
                {
                    // inline: a three-byte sequence whose lead allows every continuation byte (most of
                    // the BMP: CJK, symbols); E0 (overlong forms) and ED (surrogates) go to CheckUtf8
                    step = 3;
                }
                else if (b == '\\')
                {
                    // inline: the one-letter escapes; \u and invalid escapes go to CheckEscape
                    step = i + 1 < end && SimpleEscape[json[i + 1]] != 0 ? 2 : CheckEscape(json, i, end);
                }
                else if (b < 0x20)
                {
                    step = -1;
                }
                else
                {
                    step = CheckUtf8(json, i, end);
                }

                if (step <= 0)
                {
                    return step == 0 ? -1 : -(i + 2);
                }

                i += step;
            }
        }

        /// <summary>
        /// Checks the escape at json[i] (a backslash). Returns its length, 0 if the input ends inside
        /// it, -1 if it is invalid (unknown escape, bad hex digit, lone or mismatched surrogate).
        /// </summary>
        private static int CheckEscape(byte[] json, int i, int end)
        {
            if (i + 1 >= end)
            {
                return 0;
            }

            switch (json[i + 1])
            {
                case (byte)'"':
                case (byte)'\\':
                case (byte)'/':
                case (byte)'b':
                case (byte)'f':
                case (byte)'n':
                case (byte)'r':
                case (byte)'t':
                    return 2;

                case (byte)'u':
                    int unit = Hex4(json, i + 2, end);
                    if (unit < 0)
                    {
                        return unit == -1 ? 0 : -1;
                    }

                    if (unit < 0xD800 || unit > 0xDFFF)
                    {
                        return 6;
                    }

                    if (unit >= 0xDC00)
                    {
                        return -1; // a low surrogate with no high one before it
                    }

                    // A high surrogate: a \u low surrogate must follow at once.
                    if (i + 6 >= end)
                    {
                        return 0;
                    }

                    if (json[i + 6] != '\\')
                    {
                        return -1;
                    }

                    if (i + 7 >= end)
                    {
                        return 0;
                    }

                    if (json[i + 7] != 'u')
                    {
                        return -1;
                    }

                    unit = Hex4(json, i + 8, end);
                    if (unit < 0)
                    {
                        return unit == -1 ? 0 : -1;
                    }

                    return unit >= 0xDC00 && unit <= 0xDFFF ? 12 : -1;

                default:
                    return -1;
            }
        }

        /// <summary>
        /// Reads four hex digits at json[i]: their value, -1 if the input ends first (and what there
        /// is are hex digits), -2 if a byte is not a hex digit.
        /// </summary>
        private static int Hex4(byte[] json, int i, int end)
        {
            int value = 0;
            for (int k = 0; k < 4; k++)
            {
                if (i + k >= end)
                {
                    return -1;
                }

                int d = HexDigit[json[i + k]];
                if (d > 15)
                {
                    return -2;
                }

                value = (value << 4) | d;
            }

            return value;
        }

        /// <summary>
        /// Checks the UTF-8 sequence starting at json[i] (a byte of 0x80 or more). Returns its length,
        /// 0 if the input ends inside a so-far valid sequence, -1 if it is ill-formed.
        /// </summary>
        private static int CheckUtf8(byte[] json, int i, int end)
        {
            int b = json[i];
            int length;
            int low = 0x80;
            int high = 0xBF;
            if (b < 0xC2)
            {
                return -1; // a continuation byte, or an overlong two-byte lead
            }

            if (b < 0xE0)
            {
                length = 2;
            }
            else if (b < 0xF0)
            {
                length = 3;
                if (b == 0xE0)
                {
                    low = 0xA0; // no overlong three-byte form
                }
                else if (b == 0xED)
                {
                    high = 0x9F; // no encoded surrogate (U+D800..U+DFFF)
                }
            }
            else if (b < 0xF5)
            {
                length = 4;
                if (b == 0xF0)
                {
                    low = 0x90; // no overlong four-byte form
                }
                else if (b == 0xF4)
                {
                    high = 0x8F; // nothing above U+10FFFF
                }
            }
            else
            {
                return -1;
            }

            for (int k = 1; k < length; k++)
            {
                if (i + k >= end)
                {
                    return 0;
                }

                int cb = json[i + k];
                if (cb < low || cb > high)
                {
                    return -1;
                }

                low = 0x80;
                high = 0xBF;
            }

            return length;
        }

        /// <summary>
        /// Scans the number at json[start]. Returns the index just past it; -1 if the input ends where
        /// the number cannot end yet (after '-', '.', 'e' or a sign); -(p + 2) for an invalid byte at p
        /// (a grammar violation, or a byte that may not follow a number).
        /// </summary>
        /// <remarks>
        /// The digit runs are the hot loops of a number-heavy document. Each runs against the array's
        /// length (the JIT then drops the bounds check) and is cut back to <paramref name="end"/>
        /// after: a byte past the input's end is never part of it, and a run that reaches the end is
        /// a number cut by the end whatever lies beyond, so the result is the same as a loop to end.
        /// </remarks>
        private static int ScanNumber(byte[] json, int start, int end)
        {
            int i = start;
            if (json[i] == '-')
            {
                i++;
                if (i >= end)
                {
                    return -1;
                }
            }

            int b = json[i];
            if (b == '0')
            {
                i++;
            }
            else if ((uint)(b - '1') <= 8)
            {
                i++;
                while ((uint)i < (uint)json.Length && (uint)(json[i] - '0') <= 9)
                {
                    i++;
                }

                if (i > end)
                {
                    i = end;
                }
            }
            else
            {
                return -(i + 2);
            }

            if (i < end && json[i] == '.')
            {
                i++;
                if (i >= end)
                {
                    return -1;
                }

                if ((uint)(json[i] - '0') > 9)
                {
                    return -(i + 2);
                }

                while ((uint)i < (uint)json.Length && (uint)(json[i] - '0') <= 9)
                {
                    i++;
                }

                if (i > end)
                {
                    i = end;
                }
            }

            if (i < end && (json[i] | 0x20) == 'e')
            {
                i++;
                if (i >= end)
                {
                    return -1;
                }

                if (json[i] == '+' || json[i] == '-')
                {
                    i++;
                    if (i >= end)
                    {
                        return -1;
                    }
                }

                if ((uint)(json[i] - '0') > 9)
                {
                    return -(i + 2);
                }

                while ((uint)i < (uint)json.Length && (uint)(json[i] - '0') <= 9)
                {
                    i++;
                }

                if (i > end)
                {
                    i = end;
                }
            }

            return EndOfPrimitive(json, i, end);
        }

        /// <summary>Scans the literal true, false or null at json[start]; results as ScanNumber.</summary>
        private static int ScanLiteral(byte[] json, int start, int end)
        {
            int first = json[start];
            int length = first == 'f' ? 5 : 4;
            for (int k = 1; k < length; k++)
            {
                int i = start + k;
                if (i >= end)
                {
                    return -1;
                }

                int expected;
                if (first == 't')
                {
                    expected = k == 1 ? 'r' : k == 2 ? 'u' : 'e';
                }
                else if (first == 'f')
                {
                    expected = k == 1 ? 'a' : k == 2 ? 'l' : k == 3 ? 's' : 'e';
                }
                else
                {
                    expected = k == 1 ? 'u' : 'l';
                }

                if (json[i] != expected)
                {
                    return -(i + 2);
                }
            }

            return EndOfPrimitive(json, start + length, end);
        }

        /// <summary>A primitive ends at i: the input's end, whitespace, ',', ']' or '}' must follow.</summary>
        private static int EndOfPrimitive(byte[] json, int i, int end)
        {
            if (i >= end)
            {
                return i;
            }

            // One table lookup (small enough for the JIT to inline the method into the number scan).
            int next = ByteClass[json[i]];
            return next == ClassComma || next == ClassClose || next == ClassSpace ? i : -(i + 2);
        }

        private static byte[] BuildByteClass()
        {
            byte[] table = new byte[256];
            table[' '] = ClassSpace;
            table['\t'] = ClassSpace;
            table['\n'] = ClassSpace;
            table['\r'] = ClassSpace;
            table['{'] = ClassOpen;
            table['['] = ClassOpen;
            table['}'] = ClassClose;
            table[']'] = ClassClose;
            table[','] = ClassComma;
            table[':'] = ClassColon;
            table['"'] = ClassQuote;
            table['-'] = ClassNumber;
            for (int b = '0'; b <= '9'; b++)
            {
                table[b] = ClassNumber;
            }

            table['t'] = ClassLiteral;
            table['f'] = ClassLiteral;
            table['n'] = ClassLiteral;
            return table;
        }

        private static byte[] BuildSimpleEscape()
        {
            byte[] table = new byte[256];
            table['"'] = 1;
            table['\\'] = 1;
            table['/'] = 1;
            table['b'] = 1;
            table['f'] = 1;
            table['n'] = 1;
            table['r'] = 1;
            table['t'] = 1;
            return table;
        }

        private static byte[] BuildHexDigit()
        {
            byte[] table = new byte[256];
            for (int b = 0; b < 256; b++)
            {
                int d = JsonTokenReader.HexValue(b);
                table[b] = d < 0 ? NotHex : (byte)d;
            }

            return table;
        }

        private static byte[] BuildStringClass()
        {
            byte[] table = new byte[256];
            for (int b = 0; b < 256; b++)
            {
                table[b] = b < 0x20 || b >= 0x80 || b == '"' || b == '\\' ? StringSpecial : StringPlain;
            }

            return table;
        }
    }
}
