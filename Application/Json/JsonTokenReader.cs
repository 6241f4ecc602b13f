using System;

namespace CoreFirmware.Application.Json
{
    /// <summary>
    /// Reads values out of the tokens a <see cref="JsonParser"/> wrote: compares strings, finds keys,
    /// skips subtrees, reads numbers and unescapes strings. Nothing here allocates.
    /// </summary>
    /// <remarks>
    /// Every method takes the same input array the tokens were parsed from and the token array with
    /// an index. A null array throws <see cref="ArgumentNullException"/>; an index outside the token
    /// array, or an output offset or key range outside its array, throws
    /// <see cref="ArgumentOutOfRangeException"/>. Past those checks the methods expect tokens of a
    /// strictly validated document; on anything else (a span outside the input, sizes that run past
    /// the token array, a bad escape) they give a failure result (false, -1, -2), never an exception.
    /// </remarks>
    public static class JsonTokenReader
    {
        /// <summary>Result of <see cref="Unescape"/>: the output buffer is too small.</summary>
        public const int BufferTooSmall = -1;

        /// <summary>Result of <see cref="Unescape"/>: the token is not a string or primitive, or holds a bad escape.</summary>
        public const int Malformed = -2;

        // Significant digits kept by TryGetNumber: 18 decimal digits always fit a long (< 9.22e18).
        private const int MaxDigits = 18;

        // Exponent bound for TryGetNumber: a double's decimal range is about 1e-324..1e308, so any
        // exponent past +-400 is out of range anyway; the bound keeps the int from overflowing.
        private const int ExponentLimit = 400;

        // Bound on the exponent part TryGetDouble accumulates: far past any double, and no overflow.
        private const long ExponentPartLimit = 1000000;

        /// <summary>
        /// Index of the token after the subtree of tokens[index] (its next sibling, or the next token
        /// of an ancestor), counting sizes: an object's keys, each key's value, an array's elements.
        /// </summary>
        /// <param name="tokens">The token array.</param>
        /// <param name="index">A token index.</param>
        /// <returns>The index after the subtree (may equal the token count).</returns>
        public static int Skip(JsonToken[] tokens, int index)
        {
            CheckIndex(tokens, index);
            return SkipFrom(tokens, index);
        }

        // Skip without the argument checks; stops at the end of the token array.
        private static int SkipFrom(JsonToken[] tokens, int index)
        {
            long pending = 1;
            while (pending > 0 && index < tokens.Length)
            {
                pending += tokens[index].Size - 1;
                index++;
            }

            return index;
        }

        /// <summary>
        /// Finds a member of the object tokens[objectIndex] whose key equals <paramref name="key"/>
        /// (compared after unescaping). Returns the index of its value token, or -1.
        /// </summary>
        public static int FindKey(byte[] json, JsonToken[] tokens, int objectIndex, string key)
        {
            CheckInput(json, tokens, objectIndex);
            if (key == null)
            {
                throw new ArgumentNullException("key");
            }

            if (tokens[objectIndex].Type != JsonTokenType.Object)
            {
                return -1;
            }

            int members = tokens[objectIndex].Size;
            int i = objectIndex + 1;
            for (int m = 0; m < members && i < tokens.Length; m++)
            {
                if (TextEqualsUnchecked(json, tokens, i, key))
                {
                    return ValueOfKey(tokens, i);
                }

                i = SkipFrom(tokens, i);
            }

            return -1;
        }

        /// <summary>
        /// Finds a member of the object tokens[objectIndex] whose key equals the UTF-8 bytes
        /// key[keyOffset..keyOffset+keyCount) (compared after unescaping). Returns the index of its
        /// value token, or -1.
        /// </summary>
        public static int FindKey(byte[] json, JsonToken[] tokens, int objectIndex, byte[] key, int keyOffset, int keyCount)
        {
            CheckInput(json, tokens, objectIndex);
            CheckRange(key, keyOffset, keyCount);
            if (tokens[objectIndex].Type != JsonTokenType.Object)
            {
                return -1;
            }

            int members = tokens[objectIndex].Size;
            int i = objectIndex + 1;
            for (int m = 0; m < members && i < tokens.Length; m++)
            {
                if (BytesEqualUnchecked(json, tokens, i, key, keyOffset, keyCount))
                {
                    return ValueOfKey(tokens, i);
                }

                i = SkipFrom(tokens, i);
            }

            return -1;
        }

        // The value token of the key tokens[key], or -1 when the key has none in the array.
        private static int ValueOfKey(JsonToken[] tokens, int key)
        {
            return tokens[key].Size == 1 && key + 1 < tokens.Length ? key + 1 : -1;
        }

        /// <summary>
        /// Index of element <paramref name="n"/> (from 0) of the array tokens[arrayIndex], or -1.
        /// </summary>
        public static int ArrayElement(JsonToken[] tokens, int arrayIndex, int n)
        {
            CheckIndex(tokens, arrayIndex);
            if (tokens[arrayIndex].Type != JsonTokenType.Array || n < 0 || n >= tokens[arrayIndex].Size)
            {
                return -1;
            }

            int i = arrayIndex + 1;
            for (int k = 0; k < n && i < tokens.Length; k++)
            {
                i = SkipFrom(tokens, i);
            }

            return i < tokens.Length ? i : -1;
        }

        /// <summary>
        /// Whether the text of tokens[index] equals <paramref name="text"/>: a string token is compared
        /// after unescaping (so <c>"caf\u00e9"</c> equals "café"), a primitive by its raw text.
        /// Objects and arrays never match.
        /// </summary>
        public static bool TextEquals(byte[] json, JsonToken[] tokens, int index, string text)
        {
            CheckInput(json, tokens, index);
            if (text == null)
            {
                throw new ArgumentNullException("text");
            }

            return TextEqualsUnchecked(json, tokens, index, text);
        }

        private static bool TextEqualsUnchecked(byte[] json, JsonToken[] tokens, int index, string text)
        {
            if (!IsTextWithin(json, tokens, index))
            {
                return false;
            }

            int i = tokens[index].Start;
            int end = tokens[index].End;
            int k = 0;
            int length = text.Length;
            while (i < end)
            {
                // One code point from the token ...
                int cp;
                int b = json[i];
                if (b == '\\')
                {
                    cp = DecodeEscape(json, i, end);
                    if (cp < 0)
                    {
                        return false;
                    }

                    i += cp > 0xFFFF ? 12 : json[i + 1] == 'u' ? 6 : 2;
                }
                else if (b < 0x80)
                {
                    cp = b;
                    i++;
                }
                else
                {
                    cp = DecodeUtf8(json, i, end);
                    if (cp < 0)
                    {
                        return false;
                    }

                    i += cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                }

                // ... against one code point from the string.
                if (k >= length)
                {
                    return false;
                }

                int c = text[k++];
                if (c >= 0xD800 && c <= 0xDBFF && k < length)
                {
                    int c2 = text[k];
                    if (c2 >= 0xDC00 && c2 <= 0xDFFF)
                    {
                        c = 0x10000 + ((c - 0xD800) << 10) + (c2 - 0xDC00);
                        k++;
                    }
                }

                if (c != cp)
                {
                    return false;
                }
            }

            return k == length;
        }

        /// <summary>
        /// Whether the text of tokens[index] (unescaped, as UTF-8) equals the bytes
        /// key[keyOffset..keyOffset+keyCount). Objects and arrays never match.
        /// </summary>
        public static bool BytesEqual(byte[] json, JsonToken[] tokens, int index, byte[] key, int keyOffset, int keyCount)
        {
            CheckInput(json, tokens, index);
            CheckRange(key, keyOffset, keyCount);
            return BytesEqualUnchecked(json, tokens, index, key, keyOffset, keyCount);
        }

        private static bool BytesEqualUnchecked(byte[] json, JsonToken[] tokens, int index, byte[] key, int keyOffset, int keyCount)
        {
            if (!IsTextWithin(json, tokens, index))
            {
                return false;
            }

            int i = tokens[index].Start;
            int end = tokens[index].End;
            int k = keyOffset;
            int keyEnd = keyOffset + keyCount;
            if (tokens[index].Type == JsonTokenType.Primitive && end - i != keyCount)
            {
                return false;
            }

            while (i < end)
            {
                int b = json[i];
                if (b != '\\')
                {
                    if (k >= keyEnd || key[k] != b)
                    {
                        return false;
                    }

                    i++;
                    k++;
                    continue;
                }

                int cp = DecodeEscape(json, i, end);
                if (cp < 0)
                {
                    return false;
                }

                i += cp > 0xFFFF ? 12 : json[i + 1] == 'u' ? 6 : 2;

                // Compare the code point's UTF-8 form byte by byte.
                int n = Utf8Length(cp);
                if (keyEnd - k < n)
                {
                    return false;
                }

                for (int j = 0; j < n; j++)
                {
                    if (key[k + j] != Utf8Byte(cp, n, j))
                    {
                        return false;
                    }
                }

                k += n;
            }

            return k == keyEnd;
        }

        /// <summary>
        /// Writes the unescaped UTF-8 text of tokens[index] (a string: escapes decoded, surrogate
        /// pairs joined; a primitive: copied) into buffer[offset..]. Returns the byte count, or
        /// <see cref="BufferTooSmall"/>, or <see cref="Malformed"/>. The output is never longer than
        /// the token's span.
        /// </summary>
        /// <exception cref="ArgumentNullException">An array is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">
        /// <paramref name="index"/> is outside the token array, or <paramref name="offset"/> is negative
        /// or past the end of <paramref name="buffer"/> (the end itself is allowed: nothing fits there).
        /// </exception>
        public static int Unescape(byte[] json, JsonToken[] tokens, int index, byte[] buffer, int offset)
        {
            CheckInput(json, tokens, index);
            if (buffer == null)
            {
                throw new ArgumentNullException("buffer");
            }

            if (offset < 0 || offset > buffer.Length)
            {
                throw new ArgumentOutOfRangeException("offset");
            }

            if (!IsTextWithin(json, tokens, index))
            {
                return Malformed;
            }

            int i = tokens[index].Start;
            int end = tokens[index].End;
            int o = offset;
            int limit = buffer.Length;
            while (i < end)
            {
                int b = json[i];
                if (b != '\\')
                {
                    if (o >= limit)
                    {
                        return BufferTooSmall;
                    }

                    buffer[o++] = (byte)b;
                    i++;
                    continue;
                }

                int cp = DecodeEscape(json, i, end);
                if (cp < 0)
                {
                    return Malformed;
                }

                i += cp > 0xFFFF ? 12 : json[i + 1] == 'u' ? 6 : 2;
                int n = Utf8Length(cp);
                if (limit - o < n)
                {
                    return BufferTooSmall;
                }

                for (int j = 0; j < n; j++)
                {
                    buffer[o + j] = (byte)Utf8Byte(cp, n, j);
                }

                o += n;
            }

            return o - offset;
        }

        /// <summary>
        /// Reads tokens[index] as a 32-bit integer: a primitive in plain integer form
        /// (<c>-?digits</c>, no fraction or exponent) within Int32's range.
        /// </summary>
        public static bool TryGetInt32(byte[] json, JsonToken[] tokens, int index, out int value)
        {
            long wide;
            if (TryGetInt64(json, tokens, index, out wide) && wide >= int.MinValue && wide <= int.MaxValue)
            {
                value = (int)wide;
                return true;
            }

            value = 0;
            return false;
        }

        /// <summary>
        /// Reads tokens[index] as a 64-bit integer: a primitive in plain integer form
        /// (<c>-?digits</c>, no fraction or exponent) within Int64's range.
        /// </summary>
        public static bool TryGetInt64(byte[] json, JsonToken[] tokens, int index, out long value)
        {
            value = 0;
            int end;
            bool negative;
            int i = StartOfNumber(json, tokens, index, out end, out negative);
            if (i < 0)
            {
                return false;
            }

            // Accumulate negatively: -9223372036854775808 fits, its positive does not.
            long acc = 0;
            for (; i < end; i++)
            {
                int d = json[i] - '0';
                if (d < 0 || d > 9)
                {
                    return false;
                }

                if (acc < (long.MinValue + d) / 10)
                {
                    return false;
                }

                acc = acc * 10 - d;
            }

            if (!negative)
            {
                if (acc == long.MinValue)
                {
                    return false;
                }

                acc = -acc;
            }

            value = acc;
            return true;
        }

        /// <summary>
        /// Reads the number tokens[index] as <paramref name="mantissa"/> * 10^<paramref name="exponent"/>,
        /// exactly when it has at most 18 significant digits; further digits are dropped (truncated,
        /// not rounded) and false is returned only when the exponent is beyond +-400 (out of any
        /// double's range) or the token is not a number. Trailing zeros of the digits are kept in the
        /// mantissa ("1.50" gives 150e-2).
        /// </summary>
        public static bool TryGetNumber(byte[] json, JsonToken[] tokens, int index, out long mantissa, out int exponent)
        {
            mantissa = 0;
            exponent = 0;
            int end;
            bool negative;
            int i = StartOfNumber(json, tokens, index, out end, out negative);
            if (i < 0)
            {
                return false;
            }

            long m = 0;
            int exp = 0;
            int digits = 0; // significant digits in m (leading zeros do not count)
            for (; i < end && (uint)(json[i] - '0') <= 9; i++)
            {
                if (digits < MaxDigits)
                {
                    m = m * 10 + (json[i] - '0');
                    if (m != 0)
                    {
                        digits++;
                    }
                }
                else
                {
                    exp++; // a dropped integer digit
                }
            }

            if (i < end && json[i] == '.')
            {
                i++;
                if (i >= end || (uint)(json[i] - '0') > 9)
                {
                    return false;
                }

                for (; i < end && (uint)(json[i] - '0') <= 9; i++)
                {
                    if (digits < MaxDigits)
                    {
                        m = m * 10 + (json[i] - '0');
                        exp--;
                        if (m != 0)
                        {
                            digits++;
                        }
                    }
                }
            }

            if (i < end && (json[i] | 0x20) == 'e')
            {
                i++;
                bool expNegative = false;
                if (i < end && (json[i] == '+' || json[i] == '-'))
                {
                    expNegative = json[i] == '-';
                    i++;
                }

                if (i >= end || (uint)(json[i] - '0') > 9)
                {
                    return false;
                }

                int e = 0;
                for (; i < end && (uint)(json[i] - '0') <= 9; i++)
                {
                    if (e < 100000)
                    {
                        e = e * 10 + (json[i] - '0');
                    }
                }

                exp += expNegative ? -e : e;
            }

            if (i != end)
            {
                return false;
            }

            if (m == 0)
            {
                exp = 0;
            }
            else if (exp > ExponentLimit || exp < -ExponentLimit)
            {
                return false;
            }

            mantissa = negative ? -m : m;
            exponent = exp;
            return true;
        }

        /// <summary>
        /// Reads the number tokens[index] as a double, without Math: the correctly rounded value
        /// (IEEE 754 round half to even, the same double as a correctly rounding double.Parse), however
        /// many digits the number has. A value too small for a double rounds to zero (with its sign,
        /// so "-0" and "-1e-400" give -0.0); a value that rounds past double.MaxValue is out of range
        /// and gives false (never infinity), as does a token that is not a number.
        /// </summary>
        /// <remarks>
        /// Up to 15 significant digits with a small exponent (prices, readings) take a fast path that
        /// allocates nothing. Other numbers take an exact big-integer path that allocates its fixed
        /// 1,152-byte work area once, the first time, and costs a few thousand word operations (see
        /// DecimalToDouble).
        /// </remarks>
        public static bool TryGetDouble(byte[] json, JsonToken[] tokens, int index, out double value)
        {
            value = 0;
            int end;
            bool negative;
            int i = StartOfNumber(json, tokens, index, out end, out negative);
            if (i < 0)
            {
                return false;
            }

            // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; the significant digits run from the first
            // to the last non-zero digit, and value = 0.d1d2...dn * 10^pointExponent.

            int digitIndex = 0;
            int pointIndex = -1;
            int firstDigit = -1;    // digit index and byte index of the first non-zero digit
            int firstByte = 0;
            int lastDigit = 0;      // digit index and byte index of the last non-zero digit
            int lastByte = 0;
            for (; i < end; i++)
            {
                int b = json[i];
                if (b == '.')
                {
                    if (pointIndex >= 0 || i + 1 >= end || (uint)(json[i + 1] - '0') > 9)
                    {
                        return false;
                    }

                    pointIndex = digitIndex;
                    continue;
                }

                if ((uint)(b - '0') > 9)
                {
                    break;
                }

                if (b != '0')
                {
                    if (firstDigit < 0)
                    {
                        firstDigit = digitIndex;
                        firstByte = i;
                    }

                    lastDigit = digitIndex;
                    lastByte = i;
                }

                digitIndex++;
            }

            long exponentPart = 0;
            if (i < end && (json[i] | 0x20) == 'e')
            {
                i++;
                bool exponentNegative = i < end && json[i] == '-';
                if (i < end && (json[i] == '+' || json[i] == '-'))
                {
                    i++;
                }

                if (i >= end || (uint)(json[i] - '0') > 9)
                {
                    return false;
                }

                for (; i < end && (uint)(json[i] - '0') <= 9; i++)
                {
                    if (exponentPart < ExponentPartLimit)
                    {
                        exponentPart = exponentPart * 10 + (json[i] - '0');
                    }
                }

                if (exponentNegative)
                {
                    exponentPart = -exponentPart;
                }
            }

            if (i != end)
            {
                return false;
            }

            double magnitude = 0.0;
            if (firstDigit >= 0)
            {
                long pointExponent = (pointIndex < 0 ? digitIndex : pointIndex) - (long)firstDigit + exponentPart;
                if (pointExponent > ExponentPartLimit)
                {
                    return false;
                }

                if (pointExponent > -ExponentPartLimit
                    && !DecimalToDouble.TryConvert(json, firstByte, lastByte + 1, lastDigit - firstDigit + 1, (int)pointExponent, out magnitude))
                {
                    return false;
                }
            }

            value = negative ? -magnitude : magnitude;
            return true;
        }

        /// <summary>The value 0..15 of a hex digit byte, or -1.</summary>
        internal static int HexValue(int b)
        {
            if (b >= '0' && b <= '9')
            {
                return b - '0';
            }

            b |= 0x20; // fold A-F to a-f
            if (b >= 'a' && b <= 'f')
            {
                return b - 'a' + 10;
            }

            return -1;
        }

        /// <summary>
        /// Decodes the escape at json[i] (a backslash) to a code point, joining a surrogate pair;
        /// -1 if malformed. Its length is 2, 6 (\uXXXX) or 12 (a pair: code point above 0xFFFF).
        /// </summary>
        private static int DecodeEscape(byte[] json, int i, int end)
        {
            if (i + 1 >= end)
            {
                return -1;
            }

            switch (json[i + 1])
            {
                case (byte)'"': return '"';
                case (byte)'\\': return '\\';
                case (byte)'/': return '/';
                case (byte)'b': return 0x08;
                case (byte)'f': return 0x0C;
                case (byte)'n': return 0x0A;
                case (byte)'r': return 0x0D;
                case (byte)'t': return 0x09;
                case (byte)'u':
                    int unit = ReadHex4(json, i + 2, end);
                    if (unit < 0xD800 || unit > 0xDFFF)
                    {
                        return unit; // also -1 for bad digits
                    }

                    if (unit >= 0xDC00 || i + 11 >= end || json[i + 6] != '\\' || json[i + 7] != 'u')
                    {
                        return -1;
                    }

                    int low = ReadHex4(json, i + 8, end);
                    if (low < 0xDC00 || low > 0xDFFF)
                    {
                        return -1;
                    }

                    return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                default:
                    return -1;
            }
        }

        private static int ReadHex4(byte[] json, int i, int end)
        {
            if (i + 4 > end)
            {
                return -1;
            }

            int value = 0;
            for (int k = 0; k < 4; k++)
            {
                int d = HexValue(json[i + k]);
                if (d < 0)
                {
                    return -1;
                }

                value = (value << 4) | d;
            }

            return value;
        }

        /// <summary>Decodes the UTF-8 sequence at json[i] (lead byte 0x80 or more); -1 if malformed.</summary>
        private static int DecodeUtf8(byte[] json, int i, int end)
        {
            int b = json[i];
            int n;
            int cp;
            if (b >= 0xF0)
            {
                n = 4;
                cp = b & 0x07;
            }
            else if (b >= 0xE0)
            {
                n = 3;
                cp = b & 0x0F;
            }
            else if (b >= 0xC0)
            {
                n = 2;
                cp = b & 0x1F;
            }
            else
            {
                return -1;
            }

            if (i + n > end)
            {
                return -1;
            }

            for (int k = 1; k < n; k++)
            {
                int cb = json[i + k];
                if ((cb & 0xC0) != 0x80)
                {
                    return -1;
                }

                cp = (cp << 6) | (cb & 0x3F);
            }

            // Reject what the length arithmetic of the caller could not reproduce (overlong forms).
            return Utf8Length(cp) == n ? cp : -1;
        }

        private static int Utf8Length(int cp)
        {
            return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        }

        /// <summary>Byte j of the n-byte UTF-8 form of code point cp.</summary>
        private static int Utf8Byte(int cp, int n, int j)
        {
            if (n == 1)
            {
                return cp;
            }

            if (j == 0)
            {
                int lead = n == 2 ? 0xC0 : n == 3 ? 0xE0 : 0xF0;
                return lead | (cp >> (6 * (n - 1)));
            }

            return 0x80 | ((cp >> (6 * (n - 1 - j))) & 0x3F);
        }

        // Throws for a null input or token array and for an index outside the token array.
        private static void CheckInput(byte[] json, JsonToken[] tokens, int index)
        {
            if (json == null)
            {
                throw new ArgumentNullException("json");
            }

            CheckIndex(tokens, index);
        }

        private static void CheckIndex(JsonToken[] tokens, int index)
        {
            if (tokens == null)
            {
                throw new ArgumentNullException("tokens");
            }

            if (index < 0 || index >= tokens.Length)
            {
                throw new ArgumentOutOfRangeException("index");
            }
        }

        private static void CheckRange(byte[] bytes, int offset, int count)
        {
            if (bytes == null)
            {
                throw new ArgumentNullException("key");
            }

            if (offset < 0 || count < 0 || offset > bytes.Length - count)
            {
                throw new ArgumentOutOfRangeException("keyCount");
            }
        }

        // A string or primitive token whose span lies within the input (the struct is read in place).
        private static bool IsTextWithin(byte[] json, JsonToken[] tokens, int index)
        {
            JsonTokenType type = tokens[index].Type;
            return (type == JsonTokenType.String || type == JsonTokenType.Primitive) && IsSpanWithin(json, tokens, index);
        }

        /// <summary>
        /// Checks the arguments; for a primitive token within the input that starts like a number
        /// (<c>-?[0-9]</c>) returns the index of its first digit and gives its end and sign, else -1.
        /// </summary>
        private static int StartOfNumber(byte[] json, JsonToken[] tokens, int index, out int end, out bool negative)
        {
            CheckInput(json, tokens, index);
            end = 0;
            negative = false;
            if (tokens[index].Type != JsonTokenType.Primitive || !IsSpanWithin(json, tokens, index))
            {
                return -1;
            }

            int i = tokens[index].Start;
            end = tokens[index].End;
            negative = i < end && json[i] == '-';
            if (negative)
            {
                i++;
            }

            return i < end && (uint)(json[i] - '0') <= 9 ? i : -1;
        }

        private static bool IsSpanWithin(byte[] json, JsonToken[] tokens, int index)
        {
            int start = tokens[index].Start;
            int end = tokens[index].End;
            return start >= 0 && start <= end && end <= json.Length;
        }
    }
}
