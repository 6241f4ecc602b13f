namespace CoreFirmware.Ota.Update
{
    /// <summary>
    /// ASCII text into byte buffers without Encoding (nanoFramework has none in mscorlib) and
    /// without allocating: status texts, reasons, event names. Characters above 0x7E become '?'.
    /// </summary>
    public static class Ascii
    {
        private const string HexDigits = "0123456789abcdef";

        /// <summary>Writes <paramref name="text"/> at <paramref name="offset"/> (as much as fits); returns the new offset.</summary>
        public static int Put(string text, byte[] buffer, int offset)
        {
            if (text == null) return offset;
            int n = text.Length;
            for (int i = 0; i < n && offset < buffer.Length; i++)
            {
                char c = text[i];
                buffer[offset++] = c >= ' ' && c <= '~' ? (byte)c : (byte)'?';
            }

            return offset;
        }

        /// <summary>Writes <paramref name="value"/> in decimal; returns the new offset (nothing if it does not fit).</summary>
        public static int PutDecimal(uint value, byte[] buffer, int offset)
        {
            int digits = 1;
            for (uint v = value; v >= 10; v /= 10) digits++;
            if (offset > buffer.Length - digits) return offset;
            int at = offset + digits;
            do
            {
                buffer[--at] = (byte)('0' + (int)(value % 10));
                value /= 10;
            }
            while (value != 0);
            return offset + digits;
        }

        /// <summary>Writes <paramref name="value"/> as 8 lowercase hex digits; returns the new offset (nothing if it does not fit).</summary>
        public static int PutHex8(uint value, byte[] buffer, int offset)
        {
            if (offset > buffer.Length - 8) return offset;
            for (int i = 7; i >= 0; i--)
            {
                buffer[offset + i] = (byte)HexDigits[(int)(value & 0xF)];
                value >>= 4;
            }

            return offset + 8;
        }

        /// <summary>Makes a string of <paramref name="count"/> ASCII bytes (allocates: for status reads, not hot paths).</summary>
        public static string ToText(byte[] buffer, int offset, int count)
        {
            char[] chars = new char[count];
            for (int i = 0; i < count; i++)
            {
                chars[i] = (char)buffer[offset + i];
            }

            return new string(chars);
        }
    }
}
