using System;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// Bytes from text and back, without System.Text.Encoding (nanoFramework's mscorlib has none):
    /// ASCII, UTF-8 of BMP text, hex. Text with characters beyond U+FFFF is written as bytes in the
    /// tests (nanoCLR drops a string literal's low surrogate; Tests/Nano/Repros/README.md).
    /// </summary>
    public static class Bytes
    {
        private static readonly string HexDigits = "0123456789abcdef";

        /// <summary>Each character as one byte (the tests give ASCII only).</summary>
        public static byte[] Ascii(string text)
        {
            byte[] b = new byte[text.Length];
            for (int i = 0; i < text.Length; i++) b[i] = (byte)text[i];
            return b;
        }

        /// <summary>UTF-8 of <paramref name="text"/>; surrogate pairs become 4-byte sequences.</summary>
        public static byte[] Utf8(string text)
        {
            int n = 0;
            for (int i = 0; i < text.Length; i++) n += Utf8Length(text, i);
            byte[] b = new byte[n];
            int p = 0;
            for (int i = 0; i < text.Length; i++)
            {
                int c = text[i];
                if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.Length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    c = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
                    i++;
                }

                p = Put(b, p, c);
            }

            return b;
        }

        /// <summary>The bytes as a string, one character each (ASCII).</summary>
        public static string Text(byte[] b, int offset, int count)
        {
            char[] c = new char[count];
            for (int i = 0; i < count; i++) c[i] = (char)b[offset + i];
            return new string(c);
        }

        /// <summary>The whole array as ASCII text.</summary>
        public static string Text(byte[] b)
        {
            return Text(b, 0, b.Length);
        }

        /// <summary>Parses hex digits (upper or lower case, even count; spaces between bytes are skipped) into bytes.</summary>
        public static byte[] FromHex(string hex)
        {
            int digits = 0;
            for (int i = 0; i < hex.Length; i++)
            {
                if (hex[i] != ' ') digits++;
            }

            if (digits % 2 != 0) throw new ArgumentException("odd number of hex digits");
            byte[] b = new byte[digits / 2];
            int n = 0;
            int high = -1;
            for (int i = 0; i < hex.Length; i++)
            {
                if (hex[i] == ' ') continue;
                int v = Nibble(hex[i]);
                if (high < 0)
                {
                    high = v;
                }
                else
                {
                    b[n++] = (byte)((high << 4) | v);
                    high = -1;
                }
            }

            return b;
        }

        /// <summary>Lower-case hex of b[offset..offset+count).</summary>
        public static string ToHex(byte[] b, int offset, int count)
        {
            char[] c = new char[2 * count];
            for (int i = 0; i < count; i++)
            {
                c[2 * i] = HexDigits[b[offset + i] >> 4];
                c[2 * i + 1] = HexDigits[b[offset + i] & 15];
            }

            return new string(c);
        }

        /// <summary>a then b in one new array.</summary>
        public static byte[] Concat(byte[] a, byte[] b)
        {
            byte[] r = new byte[a.Length + b.Length];
            Array.Copy(a, 0, r, 0, a.Length);
            Array.Copy(b, 0, r, a.Length, b.Length);
            return r;
        }

        /// <summary>A copy of b[offset..offset+count).</summary>
        public static byte[] Slice(byte[] b, int offset, int count)
        {
            byte[] r = new byte[count];
            Array.Copy(b, offset, r, 0, count);
            return r;
        }

        /// <summary>A copy of the whole array.</summary>
        public static byte[] Copy(byte[] b)
        {
            return Slice(b, 0, b.Length);
        }

        /// <summary>An array of <paramref name="count"/> bytes of <paramref name="value"/>.</summary>
        public static byte[] Filled(int count, byte value)
        {
            byte[] r = new byte[count];
            for (int i = 0; i < count; i++) r[i] = value;
            return r;
        }

        private static int Utf8Length(string text, int i)
        {
            int c = text[i];
            if (c < 0x80) return 1;
            if (c < 0x800) return 2;
            if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.Length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF) return 4;
            if (c >= 0xDC00 && c <= 0xDFFF && i > 0 && text[i - 1] >= 0xD800 && text[i - 1] <= 0xDBFF) return 0;
            return 3;
        }

        private static int Put(byte[] b, int p, int c)
        {
            if (c < 0x80)
            {
                b[p++] = (byte)c;
            }
            else if (c < 0x800)
            {
                b[p++] = (byte)(0xC0 | (c >> 6));
                b[p++] = (byte)(0x80 | (c & 0x3F));
            }
            else if (c < 0x10000)
            {
                b[p++] = (byte)(0xE0 | (c >> 12));
                b[p++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte)(0x80 | (c & 0x3F));
            }
            else
            {
                b[p++] = (byte)(0xF0 | (c >> 18));
                b[p++] = (byte)(0x80 | ((c >> 12) & 0x3F));
                b[p++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte)(0x80 | (c & 0x3F));
            }

            return p;
        }

        private static int Nibble(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            throw new ArgumentException("not a hex digit");
        }
    }
}
