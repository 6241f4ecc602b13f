using CoreFirmware.Application.Json;
using CoreFirmware.Tests.Support;
using Xunit;
using static CoreFirmware.Tests.Json.JsonTestSupport;

namespace CoreFirmware.Tests.Json;

[Trait("Category", "Json")]
public class JsonParserTests
{
    [Fact]
    public void ObjectTokensHaveTypesSpansSizesAndParents()
    {
        string text = "{\"a\": 1, \"b\": [true, null, \"x\"], \"c\": {}}";
        byte[] json = Utf8(text);
        Assert.Equal(JsonResult.Complete, ParseAll(json, out var t));
        Assert.Equal(10, t.Length);
        // {  "a" 1  "b" [ true null "x" ]  "c" {}
        Expect(t[0], JsonTokenType.Object, 0, text.Length, 3, -1);
        Expect(t[1], JsonTokenType.String, 2, 3, 1, 0);
        Expect(t[2], JsonTokenType.Primitive, 6, 7, 0, 1);
        Expect(t[3], JsonTokenType.String, 10, 11, 1, 0);
        Expect(t[4], JsonTokenType.Array, 14, 31, 3, 3);
        Expect(t[5], JsonTokenType.Primitive, 15, 19, 0, 4);
        Expect(t[6], JsonTokenType.Primitive, 21, 25, 0, 4);
        Expect(t[7], JsonTokenType.String, 28, 29, 0, 4);
        Expect(t[8], JsonTokenType.String, 34, 35, 1, 0);
        Expect(t[9], JsonTokenType.Object, 38, 40, 0, 8);
        AssertSameTree(json, t);
    }

    private static void Expect(JsonToken t, JsonTokenType type, int start, int end, int size, int parent)
    {
        Assert.Equal(type, t.Type);
        Assert.Equal(start, t.Start);
        Assert.Equal(end, t.End);
        Assert.Equal(size, t.Size);
        Assert.Equal(parent, t.Parent);
    }

    [Theory]
    [InlineData("0")]
    [InlineData(" -12.5e+3 ")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("null")]
    [InlineData("\"\"")]
    [InlineData("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData(" \t\r\n[ [ ] , { } , [ [ 1 ] ] ] \n")]
    [InlineData("{\"a\":{\"a\":{\"a\":[1,2,{\"b\":null}]}}}")]
    [InlineData("\"caf\u00e9 \u4e2d \U0001F600 \u007f\"")]
    [InlineData("{\"dup\":1,\"dup\":2}")]
    public void ValidDocumentsAreCompleteAndMatchTheOracle(string text)
    {
        byte[] json = Utf8(text);
        Assert.True(OracleValid(json));
        Assert.Equal(JsonResult.Complete, ParseAll(json, out var tokens));
        AssertSameTree(json, tokens);
    }

    [Theory]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[,1]")]
    [InlineData("{,}")]
    [InlineData("[1 2]")]
    [InlineData("[1,,2]")]
    [InlineData("{1:2}")]
    [InlineData("{true:2}")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{\"a\":}")]
    [InlineData("{\"a\"}")]
    [InlineData("{\"a\"::1}")]
    [InlineData("{\"a\":1 \"b\":2}")]
    [InlineData("[\"a\":1]")]
    [InlineData("\"a\":1")]
    [InlineData("1 2")]
    [InlineData("{} {}")]
    [InlineData("[]]")]
    [InlineData("]")]
    [InlineData("}")]
    [InlineData("[}")]
    [InlineData("{]")]
    [InlineData(",")]
    [InlineData(":")]
    [InlineData("True")]
    [InlineData("nul1")]
    [InlineData("truex")]
    [InlineData("[truee]")]
    [InlineData("nan")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("'a'")]
    [InlineData("\"\\x\"")]
    [InlineData("\"\\u12G4\"")]
    [InlineData("\"\\U0041\"")]
    [InlineData("\"a\tb\"")]
    [InlineData("/* c */ 1")]
    [InlineData("\f1")]
    [InlineData("\u00a01")]
    [InlineData("[1]x")]
    public void InvalidDocumentsAreInvalid(string text)
    {
        byte[] json = Utf8(text);
        Assert.False(OracleValid(json));
        Assert.Equal(JsonResult.Invalid, ParseAll(json, out _));
        Assert.Equal(JsonResult.Invalid, new JsonParser().Parse(json, 0, json.Length, null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("[")]
    [InlineData("[1,")]
    [InlineData("[1")]
    [InlineData("{\"a\"")]
    [InlineData("{\"a\":")]
    [InlineData("{\"a\":1")]
    [InlineData("{\"a\":1,")]
    [InlineData("\"abc")]
    [InlineData("\"ab\\")]
    [InlineData("\"\\u12")]
    [InlineData("\"\\uD83D")]
    [InlineData("\"\\uD83D\\")]
    [InlineData("\"\\uD83D\\u")]
    [InlineData("\"\\uD83D\\uDE")]
    [InlineData("-")]
    [InlineData("1.")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("-0.5E-")]
    [InlineData("t")]
    [InlineData("fals")]
    [InlineData("[nul")]
    [InlineData("[true")]
    [InlineData("[[[]]")]
    public void TruncatedDocumentsArePartial(string text)
    {
        byte[] json = Utf8(text);
        Assert.Equal(JsonResult.Partial, ParseAll(json, out _));
        Assert.Equal(JsonResult.Partial, new JsonParser().Parse(json, 0, json.Length, null));
    }

    [Fact]
    public void TruncatedMultiByteCharacterIsPartialAndBadContinuationIsInvalid()
    {
        Assert.Equal(JsonResult.Partial, ParseAll(new byte[] { (byte)'"', 0xF0, 0x9F, 0x98 }, out _));
        Assert.Equal(JsonResult.Partial, ParseAll(new byte[] { (byte)'"', 0xE4 }, out _));
        Assert.Equal(JsonResult.Invalid, ParseAll(new byte[] { (byte)'"', 0xF0, 0x9F, (byte)'"' }, out _));
    }

    [Fact]
    public void TopLevelNumberAtTheEndOfInputIsComplete()
    {
        // RFC 8259 allows a bare number document; the parser cannot tell "12" from a cut "123".
        Assert.Equal(JsonResult.Complete, Result("12"));
        Assert.Equal(JsonResult.Complete, Result("-0.5e7"));
        // Inside a container the number is re-read once more bytes come.
        Assert.Equal(JsonResult.Partial, Result("[12"));
    }

    [Fact]
    public void NotEnoughTokensThenResumeWithALargerArray()
    {
        byte[] json = Utf8("{\"list\":[1,2,3],\"name\":\"x\"}");
        Assert.Equal(JsonResult.Complete, ParseAll(json, out var expected));
        Assert.Equal(8, expected.Length);

        var parser = new JsonParser();
        var small = new JsonToken[4];
        Assert.Equal(JsonResult.NotEnoughTokens, parser.Parse(json, 0, json.Length, small));
        Assert.Equal(4, parser.TokenCount);
        Assert.Equal(JsonResult.NotEnoughTokens, parser.Parse(json, 0, json.Length, small)); // same again, no change
        Assert.Equal(4, parser.TokenCount);

        var large = new JsonToken[16];
        Array.Copy(small, large, 4);
        Assert.Equal(JsonResult.Complete, parser.Parse(json, 0, json.Length, large));
        Assert.Equal(8, parser.TokenCount);
        Assert.Equal(expected, large.AsSpan(0, 8).ToArray());
    }

    [Fact]
    public void EveryTokenArraySizeBelowTheCountGivesNotEnoughTokens()
    {
        byte[] json = Utf8("[\"a\",{\"b\":[1,true]},null]");
        Assert.Equal(JsonResult.Complete, ParseAll(json, out var all));
        int needed = all.Length;
        Assert.Equal(8, needed);
        for (int n = 0; n < needed; n++)
        {
            var parser = new JsonParser();
            Assert.Equal(JsonResult.NotEnoughTokens, parser.Parse(json, 0, json.Length, new JsonToken[n]));
            Assert.Equal(n, parser.TokenCount);
        }
        Assert.Equal(JsonResult.Complete, new JsonParser().Parse(json, 0, json.Length, new JsonToken[needed]));
    }

    [Fact]
    public void CountOnlyModeCountsTheTokensAndValidates()
    {
        byte[] json = Utf8("{\"a\":[1,2,{\"b\":\"c\"}],\"d\":null}");
        var parser = new JsonParser();
        Assert.Equal(JsonResult.Complete, parser.Parse(json, 0, json.Length, null));
        Assert.Equal(ParseAll(json, out var tokens) == JsonResult.Complete ? tokens.Length : -1, parser.TokenCount);
        Assert.Equal(10, parser.TokenCount);

        byte[] bad = Utf8("{\"a\":[1,2,{\"b\":\"c\"]],\"d\":null}");
        Assert.Equal(JsonResult.Invalid, new JsonParser().Parse(bad, 0, bad.Length, null));
    }

    [Fact]
    public void ResumesByteByByteToTheSameTokens()
    {
        byte[] json = Utf8("{\"k\\u00e9y\": [12.5e-3, \"\\uD83D\\uDE00 \u00e9\u4e2d\", true, -0, {\"n\": null}], \"z\": 123456}  ");
        Assert.Equal(JsonResult.Complete, ParseAll(json, out var expected));
        var parser = new JsonParser();
        var tokens = new JsonToken[64];
        int closed = Array.LastIndexOf(json, (byte)'}') + 1;
        for (int count = 0; count <= json.Length; count++)
        {
            Assert.Equal(count < closed ? JsonResult.Partial : JsonResult.Complete, parser.Parse(json, 0, count, tokens));
        }
        Assert.Equal(expected, tokens.AsSpan(0, parser.TokenCount).ToArray());
    }

    [Fact]
    public void ResumeInTheMiddleOfStringsNumbersEscapesAndLiterals()
    {
        string text = "[\"abc\\u00e9\", 12345, true, \"\\uD83D\\uDE00\"]";
        byte[] json = Utf8(text);
        Assert.Equal(JsonResult.Complete, ParseAll(json, out var expected));
        foreach (int cut in new[] { 3, 7, 9, 16, 18, 22, 33, 38 })
        {
            var parser = new JsonParser();
            var tokens = new JsonToken[8];
            Assert.Equal(JsonResult.Partial, parser.Parse(json, 0, cut, tokens));
            Assert.Equal(JsonResult.Complete, parser.Parse(json, 0, json.Length, tokens));
            Assert.Equal(expected, tokens.AsSpan(0, parser.TokenCount).ToArray());
        }
    }

    [Fact]
    public void ResumeInCountOnlyMode()
    {
        byte[] json = Utf8("{\"a\":[1,{\"b\":2}],\"c\":\"d\"}");
        var parser = new JsonParser();
        for (int count = 0; count < json.Length; count++)
        {
            Assert.Equal(JsonResult.Partial, parser.Parse(json, 0, count, null));
        }
        Assert.Equal(JsonResult.Complete, parser.Parse(json, 0, json.Length, null));
        Assert.Equal(9, parser.TokenCount);
    }

    [Fact]
    public void DocumentInTheMiddleOfABufferHasAbsoluteSpans()
    {
        byte[] buffer = Utf8("xxxx[\"ab\",7]yyyy");
        var parser = new JsonParser();
        var tokens = new JsonToken[4];
        Assert.Equal(JsonResult.Complete, parser.Parse(buffer, 4, 8, tokens));
        Assert.Equal(3, parser.TokenCount);
        Expect(tokens[0], JsonTokenType.Array, 4, 12, 2, -1);
        Expect(tokens[1], JsonTokenType.String, 6, 8, 0, 0);
        Expect(tokens[2], JsonTokenType.Primitive, 10, 11, 0, 0);
    }

    [Fact]
    public void ResumeWithAnotherOffsetOrLessInputIsRejected()
    {
        byte[] json = Utf8("[1, 2, 3]");
        var parser = new JsonParser();
        var tokens = new JsonToken[8];
        Assert.Equal(JsonResult.Partial, parser.Parse(json, 0, 5, tokens));
        Assert.Throws<ArgumentException>(() => parser.Parse(json, 1, 5, tokens));
        Assert.Throws<ArgumentException>(() => parser.Parse(json, 0, 2, tokens));
        Assert.Throws<ArgumentOutOfRangeException>(() => parser.Parse(json, 0, 100, tokens));
        Assert.Throws<ArgumentNullException>(() => parser.Parse(null!, 0, 0, tokens));
    }

    [Fact]
    public void InvalidIsFinalUntilReset()
    {
        byte[] bad = Utf8("[1,]");
        var parser = new JsonParser();
        var tokens = new JsonToken[8];
        Assert.Equal(JsonResult.Invalid, parser.Parse(bad, 0, bad.Length, tokens));
        Assert.Equal(3, parser.Position);
        Assert.Equal(JsonResult.Invalid, parser.Parse(bad, 0, bad.Length, tokens));
        parser.Reset();
        byte[] good = Utf8("[1]");
        Assert.Equal(JsonResult.Complete, parser.Parse(good, 0, good.Length, tokens));
        Assert.Equal(2, parser.TokenCount);
        Assert.Equal(JsonResult.Complete, parser.LastResult);
    }

    [Theory]
    [InlineData("[01]", 2)]
    [InlineData("{\"a\":1,}", 7)]
    [InlineData("\"ab\u0001\"", 3)]
    [InlineData("\"ab\\q\"", 3)]
    [InlineData("[tru e]", 4)]
    public void InvalidPositionPointsAtTheOffendingByte(string text, int position)
    {
        var parser = new JsonParser();
        byte[] json = Utf8(text);
        Assert.Equal(JsonResult.Invalid, parser.Parse(json, 0, json.Length, new JsonToken[8]));
        Assert.Equal(position, parser.Position);
    }

    [Fact]
    public void DefaultNestingLimitIs32()
    {
        Assert.Equal(32, new JsonParser().MaxDepth);
        Assert.Equal(JsonResult.Complete, Result(Nest(32)));
        Assert.Equal(JsonResult.TooDeep, Result(Nest(33)));
        Assert.Equal(JsonResult.Complete, Result("{\"a\":" + Nest(31) + "}"));
        Assert.Equal(JsonResult.TooDeep, Result("{\"a\":" + Nest(32) + "}"));
    }

    [Fact]
    public void NestingLimitIsConfigurableAndFinal()
    {
        var parser = new JsonParser(2);
        byte[] ok = Utf8("[{\"a\":1},[2]]");
        byte[] deep = Utf8("[{\"a\":[1]}]");
        var tokens = new JsonToken[16];
        Assert.Equal(JsonResult.Complete, parser.Parse(ok, 0, ok.Length, tokens));
        parser.Reset();
        Assert.Equal(JsonResult.TooDeep, parser.Parse(deep, 0, deep.Length, tokens));
        Assert.Equal(6, parser.Position);
        Assert.Equal(JsonResult.TooDeep, parser.Parse(deep, 0, deep.Length, tokens));
        Assert.Equal(JsonResult.TooDeep, new JsonParser(2).Parse(deep, 0, deep.Length, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonParser(0));
    }

    [Fact]
    public void NestingLimit64AgreesWithSystemTextJsonDefault()
    {
        for (int depth = 60; depth <= 70; depth++)
        {
            byte[] json = Utf8(Nest(depth));
            bool oracle = OracleValid(json);
            JsonResult r = ParseAll(json, out _, 64);
            Assert.Equal(oracle, r == JsonResult.Complete);
            Assert.Equal(depth <= 64 ? JsonResult.Complete : JsonResult.TooDeep, r);
        }
    }

    private static string Nest(int depth) => new string('[', depth) + new string(']', depth);

    [Theory]
    [InlineData("\"\\uD83D\\uDE00\"", true)]
    [InlineData("\"\\uDBFF\\uDFFF\"", true)]
    [InlineData("\"\\uD800\\uDC00\"", true)]
    [InlineData("\"\\uD800\"", false)]
    [InlineData("\"\\uDC00\"", false)]
    [InlineData("\"\\uDE00\\uD83D\"", false)]
    [InlineData("\"\\uD83D\\u0041\"", false)]
    [InlineData("\"\\uD83Dx\"", false)]
    [InlineData("\"\\uD83D\\n\"", false)]
    [InlineData("\"\\uD83D\\uD83D\"", false)]
    [InlineData("\"a\\uD83D\"", false)]
    [InlineData("\"\\uFFFF\\uE000\\u0000\"", true)]
    public void SurrogateEscapesMustPair(string text, bool valid)
    {
        byte[] json = Utf8(text);
        Assert.Equal(valid, OracleValid(json));
        Assert.Equal(valid ? JsonResult.Complete : JsonResult.Invalid, ParseAll(json, out _));
    }

    [Fact]
    public void EveryRawControlCharacterInAStringIsInvalid()
    {
        for (int c = 0; c < 0x20; c++)
        {
            byte[] json = { (byte)'"', (byte)'a', (byte)c, (byte)'"' };
            Assert.False(OracleValid(json));
            Assert.Equal(JsonResult.Invalid, ParseAll(json, out _));
            byte[] escaped = Utf8("\"a\\u00" + c.ToString("x2") + "\"");
            Assert.Equal(JsonResult.Complete, ParseAll(escaped, out _));
        }
        Assert.Equal(JsonResult.Complete, ParseAll(new byte[] { (byte)'"', 0x7F, (byte)'"' }, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0xA9 }, true)]             // é
    [InlineData(new byte[] { 0xE4, 0xB8, 0xAD }, true)]       // 中
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98, 0x80 }, true)] // U+1F600
    [InlineData(new byte[] { 0xF4, 0x8F, 0xBF, 0xBF }, true)] // U+10FFFF
    [InlineData(new byte[] { 0xEF, 0xBF, 0xBF }, true)]       // U+FFFF
    [InlineData(new byte[] { 0xE1, 0x80, 0x80 }, true)]       // U+1000 (leads E1-EC, EE-EF take any continuation)
    [InlineData(new byte[] { 0xEC, 0xBF, 0xBF }, true)]       // U+CFFF
    [InlineData(new byte[] { 0xEE, 0x80, 0x80 }, true)]       // U+E000
    [InlineData(new byte[] { 0xE1, 0xC0, 0x80 }, false)]      // a lead byte where a continuation belongs
    [InlineData(new byte[] { 0xE1, 0x80, 0x41 }, false)]      // third byte missing
    [InlineData(new byte[] { 0x80 }, false)]                  // lone continuation
    [InlineData(new byte[] { 0xC0, 0x80 }, false)]            // overlong NUL
    [InlineData(new byte[] { 0xC1, 0xBF }, false)]            // overlong
    [InlineData(new byte[] { 0xE0, 0x9F, 0xBF }, false)]      // overlong three-byte
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, false)]      // encoded surrogate D800
    [InlineData(new byte[] { 0xF0, 0x8F, 0xBF, 0xBF }, false)]// overlong four-byte
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 }, false)]// above U+10FFFF
    [InlineData(new byte[] { 0xF5, 0x80, 0x80, 0x80 }, false)]
    [InlineData(new byte[] { 0xFF }, false)]
    [InlineData(new byte[] { 0xC3, 0x41 }, false)]            // missing continuation
    [InlineData(new byte[] { 0xE4, 0xB8 }, false)]            // cut by the closing quote
    public void Utf8InStringsIsValidated(byte[] content, bool valid)
    {
        byte[] json = new byte[content.Length + 2];
        json[0] = (byte)'"';
        content.CopyTo(json, 1);
        json[^1] = (byte)'"';
        Assert.Equal(valid, OracleValid(json));
        Assert.Equal(valid ? JsonResult.Complete : JsonResult.Invalid, ParseAll(json, out _));
    }

    [Fact]
    public void NonAsciiOutsideStringsAndByteOrderMarkAreInvalid()
    {
        Assert.Equal(JsonResult.Invalid, ParseAll(new byte[] { (byte)'[', 0xC3, 0xA9, (byte)']' }, out _));
        Assert.Equal(JsonResult.Invalid, ParseAll(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'1' }, out _));
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("-0", true)]
    [InlineData("0.0", true)]
    [InlineData("-0.0e-0", true)]
    [InlineData("1e5", true)]
    [InlineData("1E+5", true)]
    [InlineData("1e-05", true)]
    [InlineData("-1.5e10", true)]
    [InlineData("123456789012345678901234567890", true)]
    [InlineData("1e999999", true)]
    [InlineData("01", false)]
    [InlineData("-01", false)]
    [InlineData("00", false)]
    [InlineData("0x10", false)]
    [InlineData("1.e5", false)]
    [InlineData(".5", false)]
    [InlineData("+1", false)]
    [InlineData("--1", false)]
    [InlineData("-a", false)]
    [InlineData("1.5.5", false)]
    [InlineData("1ee5", false)]
    [InlineData("1e5.5", false)]
    [InlineData("1e+-5", false)]
    [InlineData("1.5e", false)]   // ends early: not valid, Partial
    [InlineData("-", false)]
    [InlineData("1-", false)]
    [InlineData("2.", false)]
    public void NumberGrammar(string number, bool valid)
    {
        foreach (string text in new[] { number, "[" + number + "]", "{\"n\":" + number + "}", " " + number + " " })
        {
            byte[] json = Utf8(text);
            Assert.Equal(valid, OracleValid(json));
            JsonResult r = ParseAll(json, out var tokens);
            Assert.Equal(valid, r == JsonResult.Complete);
            if (valid) AssertSameTree(json, tokens);
        }
    }

    [Fact]
    public void LiteralsMustBeExact()
    {
        foreach (string ok in new[] { "true", "false", "null", "[true,false,null]" })
            Assert.Equal(JsonResult.Complete, Result(ok));
        foreach (string bad in new[] { "tRue", "fals3", "nulll", "[true1]", "[null,nil]", "truefalse" })
            Assert.Equal(JsonResult.Invalid, Result(bad));
    }

    [Fact]
    public void SteadyStateParseAndHelpersAllocateNothing()
    {
        byte[] json = Utf8("{\"symbol\":\"BTCUSD\",\"last\":\"64123.45\",\"bid\":64120.5,\"volume\":1234567,"
            + "\"history\":[1,2,3,{\"a\":\"\\u00e9\\uD83D\\uDE00\"}],\"ok\":true}");
        var parser = new JsonParser();
        var tokens = new JsonToken[64];
        byte[] key = Utf8("volume");
        byte[] scratch = new byte[64];
        long sum = 0;

        void Once()
        {
            parser.Reset();
            if (parser.Parse(json, 0, json.Length, tokens) != JsonResult.Complete) throw new InvalidOperationException();
            parser.Reset();
            if (parser.Parse(json, 0, json.Length, null) != JsonResult.Complete) throw new InvalidOperationException();
            int v = JsonTokenReader.FindKey(json, tokens, 0, "bid");
            JsonTokenReader.TryGetDouble(json, tokens, v, out double bid);
            JsonTokenReader.TryGetNumber(json, tokens, v, out long m, out int e);
            int vol = JsonTokenReader.FindKey(json, tokens, 0, key, 0, key.Length);
            JsonTokenReader.TryGetInt64(json, tokens, vol, out long volume);
            JsonTokenReader.TryGetInt32(json, tokens, vol, out int volume32);
            int h = JsonTokenReader.FindKey(json, tokens, 0, "history");
            int obj = JsonTokenReader.ArrayElement(tokens, h, 3);
            int a = JsonTokenReader.FindKey(json, tokens, obj, "a");
            int n = JsonTokenReader.Unescape(json, tokens, a, scratch, 0);
            bool eq = JsonTokenReader.TextEquals(json, tokens, a, "\u00e9\U0001F600");
            sum += (long)bid + m + e + volume + volume32 + n + (eq ? 1 : 0) + JsonTokenReader.Skip(tokens, h);
        }

        for (int i = 0; i < 200; i++) Once(); // warm-up (tiering, statics)
        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 2000; i++) Once();
        });
        Assert.Equal(0, allocated);
        Assert.True(sum > 0);
    }
}
