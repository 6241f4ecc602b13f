#nullable disable
using System;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>
    /// The documents the device benchmark parses and serves, built on the device itself (nanoCLR has no
    /// file system): the JSON benchmark's ticker reply (the same text), a Bitstamp-like ticker body for
    /// the REST and app loops, and smaller versions of the JSON benchmark's nested and number-heavy
    /// documents, generated with the same shapes (records with nested objects, arrays, escapes and
    /// multi-byte UTF-8; one array of integers, decimals, negatives and exponents) but our own small
    /// generator, so the bytes differ from the host's 1 MB documents.
    /// </summary>
    public static class BenchDocuments
    {
        /// <summary>A ticker reply in the shape of the public Bitcoin price APIs (time block, disclaimer, per-currency rates); our own values. ASCII.</summary>
        public const string TickerReply = """
            {"time":{"updated":"Mar 14, 2024 09:41:00 UTC","updatedISO":"2024-03-14T09:41:00+00:00","updateduk":"Mar 14, 2024 at 09:41 GMT"},
            "disclaimer":"This data was produced from the CoreFirmware test fixtures. Non-USD currency data converted using hourly conversion rate from a reference exchange rate feed.",
            "chartName":"Bitcoin",
            "bpi":{"USD":{"code":"USD","symbol":"&#36;","rate":"71,245.3012","description":"United States Dollar","rate_float":71245.3012},
            "GBP":{"code":"GBP","symbol":"&pound;","rate":"55,702.1187","description":"British Pound Sterling","rate_float":55702.1187},
            "EUR":{"code":"EUR","symbol":"&euro;","rate":"65,210.9931","description":"Euro","rate_float":65210.9931}},
            "ticker":{"high":"72150.00","last":"71245.30","timestamp":"1710409260","bid":"71240.11","vwap":"70833.47","volume":"2416.73910526",
            "low":"69810.02","ask":"71248.96","open":"70102.55","open_24":"69977.00","percent_change_24":"1.81","pair":"BTC/USD","side":"0"}}
            """;

        /// <summary>A Bitstamp-like ticker body (what the ticker app fetches); our own values. ASCII.</summary>
        public const string BitstampBody = "{\"high\": \"72150.00\", \"last\": \"71245.30\", \"timestamp\": \"1710409260\", \"bid\": \"71240.11\", "
            + "\"vwap\": \"70833.47\", \"volume\": \"2416.73910526\", \"low\": \"69810.02\", \"ask\": \"71248.96\", \"open\": 70102.55}";

        /// <summary>The bytes of an ASCII string (nanoFramework's mscorlib has no Encoding).</summary>
        public static byte[] Ascii(string text)
        {
            byte[] b = new byte[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c > 0x7F) throw new ArgumentException("not ASCII", "text");
                b[i] = (byte)c;
            }
            return b;
        }

        /// <summary>Records with nested objects, arrays, escapes and multi-byte UTF-8 text, about <paramref name="targetBytes"/> long.</summary>
        public static byte[] Nested(int targetBytes)
        {
            byte[][] words =
            {
                Ascii("sensor"), Ascii("relay"), Ascii("ok"), Ascii("pending"),
                new byte[] { 0x63, 0x61, 0x66, 0xC3, 0xA9 },                   // café
                new byte[] { 0xE6, 0xB8, 0xA9, 0xE5, 0xBA, 0xA6 },             // 温度
                new byte[] { 0x6E, 0x61, 0xC3, 0xAF, 0x76, 0x65 },             // naïve
                new byte[] { 0x73, 0x74, 0x72, 0x61, 0xC3, 0x9F, 0x65 },       // straße
                new byte[] { 0xCE, 0x94, 0x74 },                               // Δt
                new byte[] { 0xF0, 0x9F, 0x9A, 0x80 },                         // rocket
            };
            Writer w = new Writer(targetBytes + 1024, 20140314);
            w.Text("{\"device\":\"core-7f3a\",\"schema\":3,\"records\":[\n");
            int id = 0;
            while (w.Length < targetBytes - 600)
            {
                if (id > 0) w.Text(",\n");
                w.Text("  {\"id\":").Int(id++);
                w.Text(",\"user\":{\"name\":\"").Bytes(words[w.Next(words.Length)]).Text(" ").Bytes(words[w.Next(words.Length)]);
                w.Text("\",\"tags\":[\"").Bytes(words[w.Next(words.Length)]).Text("\",\"").Bytes(words[w.Next(words.Length)]).Text("\"]");
                w.Text(",\"geo\":{\"lat\":").Fixed(w.Next(18000000) - 9000000, 5);
                w.Text(",\"lon\":").Fixed(w.Next(36000000) - 18000000, 5).Text("}}");
                w.Text(",\"text\":\"line \\\"").Bytes(words[w.Next(words.Length)]).Text("\\\"\\n\\tpath C:\\\\data\\\\").Int(w.Next(1000));
                w.Text(" \\u00e9\\ud83d\\ude00 ").Bytes(words[w.Next(words.Length)]).Text("\"");
                w.Text(",\"active\":").Text(w.Next(2) == 0 ? "true" : "false");
                w.Text(",\"score\":");
                if (w.Next(4) == 0) w.Text("null");
                else w.Int(w.Next(100000));
                w.Text(",\"items\":[");
                int items = w.Next(4);
                for (int k = 0; k < items; k++)
                {
                    if (k > 0) w.Text(",");
                    w.Text("{\"sku\":\"X-").Int(w.Next(10000)).Text("\",\"qty\":").Int(1 + w.Next(19));
                    w.Text(",\"price\":").Fixed(100 + w.Next(99900), 2);
                    w.Text(",\"dims\":[").Int(1 + w.Next(49)).Text(",").Int(1 + w.Next(49)).Text(",").Int(1 + w.Next(49)).Text("]}");
                }
                w.Text("]}");
            }
            w.Text("\n]}\n");
            return w.ToArray();
        }

        /// <summary>One array of numbers (integers, decimals, negatives, exponents), about <paramref name="targetBytes"/> long.</summary>
        public static byte[] Numbers(int targetBytes)
        {
            Writer w = new Writer(targetBytes + 64, 8259);
            w.Text("[");
            bool first = true;
            while (w.Length < targetBytes - 32)
            {
                if (!first) w.Text(",");
                first = false;
                switch (w.Next(5))
                {
                    case 0: w.Int(w.Next(1001000) - 1000); break;
                    case 1: w.Fixed(w.Next(10000000), 2); break;
                    case 2: w.Fixed(w.Next(2000001) - 1000000, 6); break;
                    case 3: w.Fixed(w.Next(10000), 3).Text("e").Int(w.Next(60) - 30); break;
                    default: w.Int(-w.Next(100000000)); break;
                }
            }
            w.Text("]");
            return w.ToArray();
        }

        // Appends ASCII text, raw bytes and numbers to a fixed buffer; a small LCG gives the choices.
        private sealed class Writer
        {
            private readonly byte[] _buffer;
            private int _length;
            private uint _state;

            public Writer(int capacity, uint seed)
            {
                _buffer = new byte[capacity];
                _state = seed;
            }

            public int Length
            {
                get { return _length; }
            }

            public int Next(int bound)
            {
                _state = _state * 1103515245u + 12345u;
                return (int)((_state >> 8) % (uint)bound);
            }

            public Writer Text(string text)
            {
                for (int i = 0; i < text.Length; i++) _buffer[_length++] = (byte)text[i];
                return this;
            }

            public Writer Bytes(byte[] bytes)
            {
                Array.Copy(bytes, 0, _buffer, _length, bytes.Length);
                _length += bytes.Length;
                return this;
            }

            public Writer Int(int value)
            {
                return Text(value.ToString());
            }

            // value / 10^decimals written with exactly that many decimals ("-12.34500").
            public Writer Fixed(int value, int decimals)
            {
                if (value < 0)
                {
                    Text("-");
                    value = -value;
                }
                int scale = 1;
                for (int i = 0; i < decimals; i++) scale *= 10;
                Int(value / scale).Text(".");
                string fraction = (value % scale).ToString();
                for (int i = fraction.Length; i < decimals; i++) Text("0");
                return Text(fraction);
            }

            public byte[] ToArray()
            {
                byte[] result = new byte[_length];
                Array.Copy(_buffer, result, _length);
                return result;
            }
        }
    }
}
