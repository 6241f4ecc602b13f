using CoreFirmware.Application.Json;
using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Json
{
    /// <summary>Shared helpers of the JSON tests: one-shot parses in each mode, token checks.</summary>
    public static class JsonTesting
    {
        /// <summary>Parses in one call with a token array as long as the input (always enough); <paramref name="count"/> = tokens written.</summary>
        public static JsonResult Parse(byte[] json, out JsonToken[] tokens, out int count)
        {
            JsonParser parser = new JsonParser();
            tokens = new JsonToken[json.Length + 1];
            JsonResult r = parser.Parse(json, 0, json.Length, tokens);
            count = parser.TokenCount;
            return r;
        }

        /// <summary>The result of a one-shot parse of ASCII/BMP text.</summary>
        public static JsonResult Result(string text)
        {
            JsonToken[] tokens;
            int count;
            return Parse(Bytes.Utf8(text), out tokens, out count);
        }

        /// <summary>The result in count-only mode (no token array).</summary>
        public static JsonResult CountOnly(byte[] json, out int count)
        {
            JsonParser parser = new JsonParser();
            JsonResult r = parser.Parse(json, 0, json.Length, null);
            count = parser.TokenCount;
            return r;
        }

        /// <summary>
        /// Feeds the document one byte more per call (resumable mode) and returns the last result;
        /// <paramref name="tokens"/> holds what was written.
        /// </summary>
        public static JsonResult ByteByByte(byte[] json, out JsonToken[] tokens, out int count)
        {
            JsonParser parser = new JsonParser();
            tokens = new JsonToken[json.Length + 1];
            JsonResult r = JsonResult.Partial;
            for (int n = 0; n <= json.Length; n++)
            {
                r = parser.Parse(json, 0, n, tokens);
                if (r == JsonResult.Invalid || r == JsonResult.TooDeep) break;
            }

            count = parser.TokenCount;
            return r;
        }

        /// <summary>Fails unless token t has these fields.</summary>
        public static void Expect(JsonToken[] tokens, int index, JsonTokenType type, int start, int end, int size, int parent)
        {
            string at = "token " + index.ToString();
            Assert.AreEqual(type, tokens[index].Type, at + " type");
            Assert.AreEqual(start, tokens[index].Start, at + " start");
            Assert.AreEqual(end, tokens[index].End, at + " end");
            Assert.AreEqual(size, tokens[index].Size, at + " size");
            Assert.AreEqual(parent, tokens[index].Parent, at + " parent");
        }

        /// <summary>Fails unless the first <paramref name="count"/> tokens of both arrays are the same.</summary>
        public static void SameTokens(JsonToken[] expected, JsonToken[] actual, int count, string what)
        {
            for (int i = 0; i < count; i++)
            {
                Expect(actual, i, expected[i].Type, expected[i].Start, expected[i].End, expected[i].Size, expected[i].Parent);
            }
        }

        /// <summary>"[[[...]]]" nested <paramref name="depth"/> deep.</summary>
        public static string Nest(int depth)
        {
            return new string('[', depth) + new string(']', depth);
        }
    }
}
