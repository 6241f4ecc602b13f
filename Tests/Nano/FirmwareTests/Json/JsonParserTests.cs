using System;
using CoreFirmware.Application.Json;
using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests.Json
{
    /// <summary>The JSMN-style tokenizer (Application/Json/JsonParser) in each mode: tokens, count-only, resumable, not enough tokens.</summary>
    [TestClass]
    public class JsonParserTests
    {
        [TestMethod]
        public void ObjectTokensHaveTypesSpansSizesAndParents()
        {
            string text = "{\"a\": 1, \"b\": [true, null, \"x\"], \"c\": {}}";
            JsonToken[] t;
            int n;
            Assert.AreEqual(JsonResult.Complete, JsonTesting.Parse(Bytes.Ascii(text), out t, out n));
            Assert.AreEqual(10, n);
            JsonTesting.Expect(t, 0, JsonTokenType.Object, 0, text.Length, 3, -1);
            JsonTesting.Expect(t, 1, JsonTokenType.String, 2, 3, 1, 0);
            JsonTesting.Expect(t, 2, JsonTokenType.Primitive, 6, 7, 0, 1);
            JsonTesting.Expect(t, 3, JsonTokenType.String, 10, 11, 1, 0);
            JsonTesting.Expect(t, 4, JsonTokenType.Array, 14, 31, 3, 3);
            JsonTesting.Expect(t, 5, JsonTokenType.Primitive, 15, 19, 0, 4);
            JsonTesting.Expect(t, 6, JsonTokenType.Primitive, 21, 25, 0, 4);
            JsonTesting.Expect(t, 7, JsonTokenType.String, 28, 29, 0, 4);
            JsonTesting.Expect(t, 8, JsonTokenType.String, 34, 35, 1, 0);
            JsonTesting.Expect(t, 9, JsonTokenType.Object, 38, 40, 0, 8);
        }

        [TestMethod]
        public void TruncatedDocumentsArePartialInBothModes()
        {
            string[] docs =
            {
                "", "   ", "{", "[", "[1,", "[1", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,", "\"abc", "\"ab\\",
                "\"\\u12", "\"\\uD83D", "\"\\uD83D\\", "\"\\uD83D\\u", "\"\\uD83D\\uDE", "-", "1.", "1e", "1e+",
                "-0.5E-", "t", "fals", "[nul", "[true", "[[[]]",
            };
            for (int i = 0; i < docs.Length; i++)
            {
                byte[] json = Bytes.Ascii(docs[i]);
                JsonToken[] t;
                int n;
                Assert.AreEqual(JsonResult.Partial, JsonTesting.Parse(json, out t, out n), docs[i]);
                Assert.AreEqual(JsonResult.Partial, JsonTesting.CountOnly(json, out n), docs[i] + " (count-only)");
            }

            JsonToken[] tokens;
            int count;
            Assert.AreEqual(JsonResult.Partial, JsonTesting.Parse(new byte[] { (byte)'"', 0xF0, 0x9F, 0x98 }, out tokens, out count), "cut 4-byte character");
            Assert.AreEqual(JsonResult.Partial, JsonTesting.Parse(new byte[] { (byte)'"', 0xE4 }, out tokens, out count), "cut 3-byte character");
            Assert.AreEqual(JsonResult.Invalid, JsonTesting.Parse(new byte[] { (byte)'"', 0xF0, 0x9F, (byte)'"' }, out tokens, out count), "bad continuation");
        }

        [TestMethod]
        public void ATopLevelNumberAtTheEndOfTheInputIsComplete()
        {
            Assert.AreEqual(JsonResult.Complete, JsonTesting.Result("12"));
            Assert.AreEqual(JsonResult.Complete, JsonTesting.Result("-0.5e7"));
            Assert.AreEqual(JsonResult.Partial, JsonTesting.Result("[12"));
        }

        [TestMethod]
        public void NotEnoughTokensThenResumeWithALargerArray()
        {
            byte[] json = Bytes.Ascii("{\"list\":[1,2,3],\"name\":\"x\"}");
            JsonToken[] expected;
            int n;
            Assert.AreEqual(JsonResult.Complete, JsonTesting.Parse(json, out expected, out n));
            Assert.AreEqual(8, n);

            JsonParser parser = new JsonParser();
            JsonToken[] small = new JsonToken[4];
            Assert.AreEqual(JsonResult.NotEnoughTokens, parser.Parse(json, 0, json.Length, small));
            Assert.AreEqual(4, parser.TokenCount);
            Assert.AreEqual(JsonResult.NotEnoughTokens, parser.Parse(json, 0, json.Length, small), "again, no change");
            Assert.AreEqual(4, parser.TokenCount);

            JsonToken[] large = new JsonToken[16];
            Array.Copy(small, large, 4);
            Assert.AreEqual(JsonResult.Complete, parser.Parse(json, 0, json.Length, large));
            Assert.AreEqual(8, parser.TokenCount);
            JsonTesting.SameTokens(expected, large, 8, "resumed");
        }

        [TestMethod]
        public void EveryTokenArraySizeBelowTheCountGivesNotEnoughTokens()
        {
            byte[] json = Bytes.Ascii("[\"a\",{\"b\":[1,true]},null]");
            for (int n = 0; n < 8; n++)
            {
                JsonParser parser = new JsonParser();
                Assert.AreEqual(JsonResult.NotEnoughTokens, parser.Parse(json, 0, json.Length, new JsonToken[n]), n.ToString() + " tokens");
                Assert.AreEqual(n, parser.TokenCount);
            }

            Assert.AreEqual(JsonResult.Complete, new JsonParser().Parse(json, 0, json.Length, new JsonToken[8]));
        }

        [TestMethod]
        public void CountOnlyModeCountsTheTokensAndValidates()
        {
            byte[] json = Bytes.Ascii("{\"a\":[1,2,{\"b\":\"c\"}],\"d\":null}");
            int count;
            Assert.AreEqual(JsonResult.Complete, JsonTesting.CountOnly(json, out count));
            Assert.AreEqual(10, count);
            Assert.AreEqual(JsonResult.Invalid, JsonTesting.CountOnly(Bytes.Ascii("{\"a\":[1,2,{\"b\":\"c\"]],\"d\":null}"), out count));
        }

        [TestMethod]
        public void ResumesByteByByteToTheSameTokens()
        {
            byte[] json = Bytes.Utf8("{\"k\\u00e9y\": [12.5e-3, \"\\uD83D\\uDE00 \u00e9\u4e2d\", true, -0, {\"n\": null}], \"z\": 123456}  ");
            JsonToken[] expected;
            int n;
            Assert.AreEqual(JsonResult.Complete, JsonTesting.Parse(json, out expected, out n));
            JsonParser parser = new JsonParser();
            JsonToken[] tokens = new JsonToken[64];
            int closed = json.Length - 2;
            for (int count = 0; count <= json.Length; count++)
            {
                Assert.AreEqual(count < closed ? JsonResult.Partial : JsonResult.Complete, parser.Parse(json, 0, count, tokens), count.ToString() + " bytes");
            }

            Assert.AreEqual(n, parser.TokenCount);
            JsonTesting.SameTokens(expected, tokens, n, "byte by byte");
        }

        [TestMethod]
        public void ResumesInTheMiddleOfStringsNumbersEscapesAndLiterals()
        {
            byte[] json = Bytes.Ascii("[\"abc\\u00e9\", 12345, true, \"\\uD83D\\uDE00\"]");
            JsonToken[] expected;
            int n;
            Assert.AreEqual(JsonResult.Complete, JsonTesting.Parse(json, out expected, out n));
            int[] cuts = { 3, 7, 9, 16, 18, 22, 33, 38 };
            for (int i = 0; i < cuts.Length; i++)
            {
                JsonParser parser = new JsonParser();
                JsonToken[] tokens = new JsonToken[8];
                Assert.AreEqual(JsonResult.Partial, parser.Parse(json, 0, cuts[i], tokens), "cut at " + cuts[i].ToString());
                Assert.AreEqual(JsonResult.Complete, parser.Parse(json, 0, json.Length, tokens));
                JsonTesting.SameTokens(expected, tokens, n, "cut at " + cuts[i].ToString());
            }
        }

        [TestMethod]
        public void ResumesInCountOnlyMode()
        {
            byte[] json = Bytes.Ascii("{\"a\":[1,{\"b\":2}],\"c\":\"d\"}");
            JsonParser parser = new JsonParser();
            for (int count = 0; count < json.Length; count++)
            {
                Assert.AreEqual(JsonResult.Partial, parser.Parse(json, 0, count, null), count.ToString() + " bytes");
            }

            Assert.AreEqual(JsonResult.Complete, parser.Parse(json, 0, json.Length, null));
            Assert.AreEqual(9, parser.TokenCount);
        }

        [TestMethod]
        public void ADocumentInTheMiddleOfABufferHasAbsoluteSpans()
        {
            byte[] buffer = Bytes.Ascii("xxxx[\"ab\",7]yyyy");
            JsonParser parser = new JsonParser();
            JsonToken[] tokens = new JsonToken[4];
            Assert.AreEqual(JsonResult.Complete, parser.Parse(buffer, 4, 8, tokens));
            Assert.AreEqual(3, parser.TokenCount);
            JsonTesting.Expect(tokens, 0, JsonTokenType.Array, 4, 12, 2, -1);
            JsonTesting.Expect(tokens, 1, JsonTokenType.String, 6, 8, 0, 0);
            JsonTesting.Expect(tokens, 2, JsonTokenType.Primitive, 10, 11, 0, 0);
        }

        [TestMethod]
        public void ResumingWithAnotherOffsetOrLessInputIsRejected()
        {
            byte[] json = Bytes.Ascii("[1, 2, 3]");
            JsonParser parser = new JsonParser();
            JsonToken[] tokens = new JsonToken[8];
            Assert.AreEqual(JsonResult.Partial, parser.Parse(json, 0, 5, tokens));
            Assert.Throws(typeof(ArgumentException), delegate { parser.Parse(json, 1, 5, tokens); });
            Assert.Throws(typeof(ArgumentException), delegate { parser.Parse(json, 0, 2, tokens); });
            Assert.Throws(typeof(ArgumentOutOfRangeException), delegate { parser.Parse(json, 0, 100, tokens); });
            Assert.Throws(typeof(ArgumentNullException), delegate { parser.Parse(null, 0, 0, tokens); });
        }

        [TestMethod]
        public void InvalidIsFinalUntilReset()
        {
            byte[] bad = Bytes.Ascii("[1,]");
            JsonParser parser = new JsonParser();
            JsonToken[] tokens = new JsonToken[8];
            Assert.AreEqual(JsonResult.Invalid, parser.Parse(bad, 0, bad.Length, tokens));
            Assert.AreEqual(3, parser.Position);
            Assert.AreEqual(JsonResult.Invalid, parser.Parse(bad, 0, bad.Length, tokens));
            parser.Reset();
            byte[] good = Bytes.Ascii("[1]");
            Assert.AreEqual(JsonResult.Complete, parser.Parse(good, 0, good.Length, tokens));
            Assert.AreEqual(2, parser.TokenCount);
            Assert.AreEqual(JsonResult.Complete, parser.LastResult);
        }

        [TestMethod]
        public void InvalidPositionPointsAtTheOffendingByte()
        {
            string[] docs = { "[01]", "{\"a\":1,}", "\"ab\u0001\"", "\"ab\\q\"", "[tru e]" };
            int[] positions = { 2, 7, 3, 3, 4 };
            for (int i = 0; i < docs.Length; i++)
            {
                JsonParser parser = new JsonParser();
                byte[] json = Bytes.Ascii(docs[i]);
                Assert.AreEqual(JsonResult.Invalid, parser.Parse(json, 0, json.Length, new JsonToken[8]), docs[i]);
                Assert.AreEqual(positions[i], parser.Position, docs[i]);
            }
        }

        [TestMethod]
        public void NestingIsLimitedTo32ByDefaultAndTheLimitIsFinal()
        {
            Assert.AreEqual(32, new JsonParser().MaxDepth);
            Assert.AreEqual(JsonResult.Complete, JsonTesting.Result(JsonTesting.Nest(32)));
            Assert.AreEqual(JsonResult.TooDeep, JsonTesting.Result(JsonTesting.Nest(33)));
            Assert.AreEqual(JsonResult.Complete, JsonTesting.Result("{\"a\":" + JsonTesting.Nest(31) + "}"));
            Assert.AreEqual(JsonResult.TooDeep, JsonTesting.Result("{\"a\":" + JsonTesting.Nest(32) + "}"));

            JsonParser parser = new JsonParser(2);
            byte[] ok = Bytes.Ascii("[{\"a\":1},[2]]");
            byte[] deep = Bytes.Ascii("[{\"a\":[1]}]");
            JsonToken[] tokens = new JsonToken[16];
            Assert.AreEqual(JsonResult.Complete, parser.Parse(ok, 0, ok.Length, tokens));
            parser.Reset();
            Assert.AreEqual(JsonResult.TooDeep, parser.Parse(deep, 0, deep.Length, tokens));
            Assert.AreEqual(6, parser.Position);
            Assert.AreEqual(JsonResult.TooDeep, parser.Parse(deep, 0, deep.Length, tokens), "final");
            Assert.AreEqual(JsonResult.TooDeep, new JsonParser(2).Parse(deep, 0, deep.Length, null), "count-only");
            Assert.Throws(typeof(ArgumentOutOfRangeException), delegate { new JsonParser(0); });
        }

        [TestMethod]
        public void SurrogateEscapesMustPair()
        {
            string[] valid = { "\"\\uD83D\\uDE00\"", "\"\\uDBFF\\uDFFF\"", "\"\\uD800\\uDC00\"", "\"\\uFFFF\\uE000\\u0000\"" };
            string[] invalid = { "\"\\uD800\"", "\"\\uDC00\"", "\"\\uDE00\\uD83D\"", "\"\\uD83D\\u0041\"", "\"\\uD83Dx\"", "\"\\uD83D\\n\"", "\"\\uD83D\\uD83D\"", "\"a\\uD83D\"" };
            for (int i = 0; i < valid.Length; i++) Assert.AreEqual(JsonResult.Complete, JsonTesting.Result(valid[i]), valid[i]);
            for (int i = 0; i < invalid.Length; i++) Assert.AreEqual(JsonResult.Invalid, JsonTesting.Result(invalid[i]), invalid[i]);
        }

        [TestMethod]
        public void EveryRawControlCharacterInAStringIsInvalid()
        {
            JsonToken[] t;
            int n;
            for (int c = 0; c < 0x20; c++)
            {
                byte[] json = { (byte)'"', (byte)'a', (byte)c, (byte)'"' };
                Assert.AreEqual(JsonResult.Invalid, JsonTesting.Parse(json, out t, out n), "raw " + c.ToString());
                byte[] escaped = Bytes.Ascii("\"a\\u00" + c.ToString("x2") + "\"");
                Assert.AreEqual(JsonResult.Complete, JsonTesting.Parse(escaped, out t, out n), "escaped " + c.ToString());
            }

            Assert.AreEqual(JsonResult.Complete, JsonTesting.Parse(new byte[] { (byte)'"', 0x7F, (byte)'"' }, out t, out n), "DEL");
        }

        [TestMethod]
        public void LiteralsMustBeExact()
        {
            string[] ok = { "true", "false", "null", "[true,false,null]" };
            string[] bad = { "tRue", "fals3", "nulll", "[true1]", "[null,nil]", "truefalse" };
            for (int i = 0; i < ok.Length; i++) Assert.AreEqual(JsonResult.Complete, JsonTesting.Result(ok[i]), ok[i]);
            for (int i = 0; i < bad.Length; i++) Assert.AreEqual(JsonResult.Invalid, JsonTesting.Result(bad[i]), bad[i]);
        }
    }
}
