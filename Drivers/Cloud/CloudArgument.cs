namespace CoreFirmware.Drivers.Cloud
{
    /// <summary>
    /// A cloud function's argument: up to <see cref="MaxLength"/> bytes (the Spark Core's limit),
    /// held in a fixed buffer the system reuses for every call (read it during the call only).
    /// </summary>
    public sealed class CloudArgument
    {
        /// <summary>Longest argument in bytes (Spark Core: 63).</summary>
        public const int MaxLength = 63;

        private readonly byte[] _bytes = new byte[MaxLength];
        private int _length;

        /// <summary>Bytes in the argument.</summary>
        public int Length
        {
            get { return _length; }
        }

        /// <summary>The argument's bytes (only the first <see cref="Length"/> count).</summary>
        public byte[] Bytes
        {
            get { return _bytes; }
        }

        /// <summary>The <paramref name="index"/>-th byte.</summary>
        public byte this[int index]
        {
            get { return _bytes[index]; }
        }

        /// <summary>Sets the argument (system use); false when it is longer than <see cref="MaxLength"/>.</summary>
        public bool Set(byte[] source, int offset, int count)
        {
            if (count < 0 || count > MaxLength) return false;
            for (int i = 0; i < count; i++) _bytes[i] = source[offset + i];
            _length = count;
            return true;
        }

        /// <summary>Appends bytes (system use, for an argument sent as several query parts); false past <see cref="MaxLength"/>.</summary>
        public bool Append(byte[] source, int offset, int count)
        {
            if (count < 0 || _length + count > MaxLength) return false;
            for (int i = 0; i < count; i++) _bytes[_length + i] = source[offset + i];
            _length += count;
            return true;
        }

        /// <summary>Empties the argument (system use).</summary>
        public void Clear()
        {
            _length = 0;
        }

        /// <summary>Reads the argument as a decimal int (optional sign, digits, nothing else); allocates nothing.</summary>
        public bool TryParseInt(out int value)
        {
            value = 0;
            int i = 0;
            bool negative = false;
            if (_length > 0 && (_bytes[0] == '-' || _bytes[0] == '+'))
            {
                negative = _bytes[0] == '-';
                i = 1;
            }

            if (i >= _length) return false;
            long v = 0;
            for (; i < _length; i++)
            {
                int d = _bytes[i] - '0';
                if (d < 0 || d > 9) return false;
                v = v * 10 + d;
                if (v > 2147483648L) return false;
            }

            if (negative) v = -v;
            if (v > int.MaxValue || v < int.MinValue) return false;
            value = (int)v;
            return true;
        }

        /// <summary>True when the argument is exactly the ASCII <paramref name="text"/>; allocates nothing.</summary>
        public bool TextEquals(string text)
        {
            if (text == null || text.Length != _length) return false;
            for (int i = 0; i < _length; i++)
            {
                if (_bytes[i] != text[i]) return false;
            }

            return true;
        }

        /// <summary>The argument as text (ASCII; allocates a string).</summary>
        public override string ToString()
        {
            char[] chars = new char[_length];
            for (int i = 0; i < _length; i++) chars[i] = (char)_bytes[i];
            return new string(chars);
        }
    }
}
