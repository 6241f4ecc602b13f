using System.Globalization;
using CoreFirmware.Application.Json;
using Xunit;
using static CoreFirmware.Tests.Json.JsonTestSupport;

namespace CoreFirmware.Tests.Json;

[Trait("Category", "Json")]
public class JsonTokenReaderTests
{
    private static (byte[] Json, JsonToken[] Tokens) Parse(string text)
    {
        byte[] json = Utf8(text);
        Assert.Equal(JsonResult.Complete, ParseAll(json, out var tokens));
        return (json, tokens);
    }

    [Fact]
    public void FindKeySkipsNestedValuesAndComparesUnescapedKeys()
    {
        var (json, t) = Parse("{\"a\":{\"x\":1,\"y\":[1,{\"z\":2}]},\"b\":[[],[[3]]],\"caf\\u00e9\":\"v\",\"last\":4}");
        int a = JsonTokenReader.FindKey(json, t, 0, "a");
        Assert.Equal(JsonTokenType.Object, t[a].Type);
        Assert.Equal(-1, JsonTokenReader.FindKey(json, t, 0, "z"));        // only direct members
        Assert.Equal(-1, JsonTokenReader.FindKey(json, t, 0, "las"));
        Assert.Equal(-1, JsonTokenReader.FindKey(json, t, 0, "lastx"));
        Assert.True(JsonTokenReader.TextEquals(json, t, JsonTokenReader.FindKey(json, t, 0, "caf\u00e9"), "v"));
        int last = JsonTokenReader.FindKey(json, t, 0, "last");
        Assert.True(JsonTokenReader.TryGetInt32(json, t, last, out int four));
        Assert.Equal(4, four);
        byte[] key = Utf8("..caf\u00e9..");
        Assert.Equal(JsonTokenReader.FindKey(json, t, 0, "caf\u00e9"), JsonTokenReader.FindKey(json, t, 0, key, 2, key.Length - 4));
        Assert.Equal(-1, JsonTokenReader.FindKey(json, t, 0, key, 2, key.Length - 5));
        int b = JsonTokenReader.FindKey(json, t, 0, "b");
        Assert.Equal(-1, JsonTokenReader.FindKey(json, t, b, "a")); // not an object
        int y = JsonTokenReader.FindKey(json, t, a, "y");
        int z = JsonTokenReader.FindKey(json, t, JsonTokenReader.ArrayElement(t, y, 1), "z");
        Assert.True(JsonTokenReader.TryGetInt64(json, t, z, out long two));
        Assert.Equal(2L, two);
    }

    [Fact]
    public void SkipReturnsTheNextSibling()
    {
        var (_, t) = Parse("[{\"a\":[1,2],\"b\":{}},3,[],\"s\"]");
        // 0 [ 1 { 2 "a" 3 [ 4 1 5 2 6 "b" 7 {} 8 3 9 [] 10 "s"
        Assert.Equal(11, JsonTokenReader.Skip(t, 0));
        Assert.Equal(8, JsonTokenReader.Skip(t, 1));
        Assert.Equal(6, JsonTokenReader.Skip(t, 2));
        Assert.Equal(6, JsonTokenReader.Skip(t, 3));
        Assert.Equal(5, JsonTokenReader.Skip(t, 4));
        Assert.Equal(9, JsonTokenReader.Skip(t, 8));
        Assert.Equal(10, JsonTokenReader.Skip(t, 9));
        Assert.Equal(8, JsonTokenReader.ArrayElement(t, 0, 1));
        Assert.Equal(10, JsonTokenReader.ArrayElement(t, 0, 3));
        Assert.Equal(-1, JsonTokenReader.ArrayElement(t, 0, 4));
        Assert.Equal(-1, JsonTokenReader.ArrayElement(t, 1, 0));
    }

    [Fact]
    public void TextEqualsDecodesEscapesAndUtf8()
    {
        var (json, t) = Parse("[\"a\\\"b\\\\c\\/\\n\", \"\\u00e9\u00e9\", \"\\uD83D\\uDE00\U0001F600\", \"\", 12.5, true]");
        Assert.True(JsonTokenReader.TextEquals(json, t, 1, "a\"b\\c/\n"));
        Assert.False(JsonTokenReader.TextEquals(json, t, 1, "a\"b\\c/"));
        Assert.False(JsonTokenReader.TextEquals(json, t, 1, "a\"b\\c/\n!"));
        Assert.True(JsonTokenReader.TextEquals(json, t, 2, "\u00e9\u00e9"));
        Assert.False(JsonTokenReader.TextEquals(json, t, 2, "e\u00e9"));
        Assert.True(JsonTokenReader.TextEquals(json, t, 3, "\U0001F600\U0001F600"));
        Assert.False(JsonTokenReader.TextEquals(json, t, 3, "\U0001F600\U0001F601"));
        Assert.False(JsonTokenReader.TextEquals(json, t, 3, "\uD83D"));
        Assert.True(JsonTokenReader.TextEquals(json, t, 4, ""));
        Assert.False(JsonTokenReader.TextEquals(json, t, 4, "x"));
        Assert.True(JsonTokenReader.TextEquals(json, t, 5, "12.5"));
        Assert.True(JsonTokenReader.TextEquals(json, t, 6, "true"));
        Assert.False(JsonTokenReader.TextEquals(json, t, 0, "[")); // arrays never match

        byte[] emoji = Utf8("\U0001F600\U0001F600");
        Assert.True(JsonTokenReader.BytesEqual(json, t, 3, emoji, 0, emoji.Length));
        Assert.False(JsonTokenReader.BytesEqual(json, t, 3, emoji, 0, emoji.Length - 1));
        byte[] num = Utf8("12.5");
        Assert.True(JsonTokenReader.BytesEqual(json, t, 5, num, 0, 4));
        Assert.False(JsonTokenReader.BytesEqual(json, t, 5, num, 0, 3));
    }

    [Fact]
    public void UnescapeWritesUtf8AndReportsSmallBuffers()
    {
        var (json, t) = Parse("[\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u4e2d\\uD83D\\uDE00\u00e9z\", -1.5]");
        byte[] expected = Utf8("a\"\\/\b\f\n\r\tA\u00e9\u4e2d\U0001F600\u00e9z");
        var buffer = new byte[64];
        int n = JsonTokenReader.Unescape(json, t, 1, buffer, 3);
        Assert.Equal(expected.Length, n);
        Assert.Equal(expected, buffer.AsSpan(3, n).ToArray());
        Assert.True(n <= t[1].End - t[1].Start);

        Assert.Equal(JsonTokenReader.BufferTooSmall, JsonTokenReader.Unescape(json, t, 1, new byte[expected.Length - 1], 0));
        Assert.Equal(JsonTokenReader.BufferTooSmall, JsonTokenReader.Unescape(json, t, 1, new byte[expected.Length + 5], 6));
        Assert.Equal(expected.Length, JsonTokenReader.Unescape(json, t, 1, new byte[expected.Length], 0));
        Assert.Equal(4, JsonTokenReader.Unescape(json, t, 2, buffer, 0));
        Assert.Equal(JsonTokenReader.Malformed, JsonTokenReader.Unescape(json, t, 0, buffer, 0));
    }

    [Theory]
    [InlineData("0", 0L, true, true)]
    [InlineData("-0", 0L, true, true)]
    [InlineData("42", 42L, true, true)]
    [InlineData("-2147483648", -2147483648L, true, true)]
    [InlineData("2147483647", 2147483647L, true, true)]
    [InlineData("2147483648", 2147483648L, false, true)]
    [InlineData("-2147483649", -2147483649L, false, true)]
    [InlineData("9223372036854775807", long.MaxValue, false, true)]
    [InlineData("-9223372036854775808", long.MinValue, false, true)]
    [InlineData("9223372036854775808", 0L, false, false)]
    [InlineData("-9223372036854775809", 0L, false, false)]
    [InlineData("99999999999999999999", 0L, false, false)]
    [InlineData("1.0", 0L, false, false)]
    [InlineData("1e3", 0L, false, false)]
    [InlineData("true", 0L, false, false)]
    [InlineData("\"12\"", 0L, false, false)]
    public void IntegerReads(string text, long value, bool fitsInt32, bool fitsInt64)
    {
        var (json, t) = Parse(text);
        Assert.Equal(fitsInt64, JsonTokenReader.TryGetInt64(json, t, 0, out long l));
        if (fitsInt64) Assert.Equal(value, l);
        Assert.Equal(fitsInt32, JsonTokenReader.TryGetInt32(json, t, 0, out int i));
        if (fitsInt32) Assert.Equal((int)value, i);
    }

    [Theory]
    [InlineData("0", 0L, 0)]
    [InlineData("-0.0", 0L, 0)]
    [InlineData("1.50", 150L, -2)]
    [InlineData("-64123.45", -6412345L, -2)]
    [InlineData("1e3", 1L, 3)]
    [InlineData("2.5E-3", 25L, -4)]
    [InlineData("123456789012345678", 123456789012345678L, 0)]
    [InlineData("12345678901234567890123", 123456789012345678L, 5)]       // extra digits dropped
    [InlineData("0.12345678901234567890", 123456789012345678L, -18)]
    [InlineData("9223372036854775807", 922337203685477580L, 1)]
    public void DecimalReadsAsMantissaAndExponent(string text, long mantissa, int exponent)
    {
        var (json, t) = Parse(text);
        Assert.True(JsonTokenReader.TryGetNumber(json, t, 0, out long m, out int e));
        Assert.Equal(mantissa, m);
        Assert.Equal(exponent, e);
    }

    [Fact]
    public void DecimalReadRejectsNonNumbersAndHugeExponents()
    {
        var (json, t) = Parse("[true, \"1\", 1e401, 1e-401, 0e999, {}]");
        Assert.False(JsonTokenReader.TryGetNumber(json, t, 1, out _, out _));
        Assert.False(JsonTokenReader.TryGetNumber(json, t, 2, out _, out _));
        Assert.False(JsonTokenReader.TryGetNumber(json, t, 3, out _, out _));
        Assert.False(JsonTokenReader.TryGetNumber(json, t, 4, out _, out _));
        Assert.True(JsonTokenReader.TryGetNumber(json, t, 5, out long m, out int e));
        Assert.Equal(0L, m);
        Assert.Equal(0, e);
        Assert.False(JsonTokenReader.TryGetNumber(json, t, 6, out _, out _));
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("-0.5", true)]
    [InlineData("64123.45", true)]
    [InlineData("0.1", true)]
    [InlineData("3.141592653589793", true)]
    [InlineData("1e22", true)]
    [InlineData("-2.5e-10", true)]
    [InlineData("123456789012345", true)]
    [InlineData("6.02214076e23", true)]
    [InlineData("9007199254740993", false)]
    [InlineData("1.7976931348623157e308", false)]
    [InlineData("1.5e300", false)]
    [InlineData("2.2250738585072014e-308", false)]
    [InlineData("1.602176634e-19", false)]
    [InlineData("12345678901234567890123", false)]
    public void DoubleReadsMatchDoubleParse(string text, bool fastPath)
    {
        var (json, t) = Parse(text);
        Assert.True(JsonTokenReader.TryGetDouble(json, t, 0, out double d));
        double expected = double.Parse(text, CultureInfo.InvariantCulture);
        // Correctly rounded on both paths: the fast one (<= 15 significant digits, small exponent) and the exact one.
        Assert.True(BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits(expected),
            $"{text} ({(fastPath ? "fast" : "exact")} path): got {d:R}, expected {expected:R}");
    }

    [Fact]
    public void DoubleReadsOutOfRangeFailOrGiveZero()
    {
        var (json, t) = Parse("[1e500, -1e500, 1e-500, \"x\", -1e-500]");
        Assert.False(JsonTokenReader.TryGetDouble(json, t, 1, out double big));
        Assert.Equal(0.0, big);
        Assert.False(JsonTokenReader.TryGetDouble(json, t, 2, out _));
        Assert.True(JsonTokenReader.TryGetDouble(json, t, 3, out double tiny));
        Assert.Equal(0.0, tiny);
        Assert.False(JsonTokenReader.TryGetDouble(json, t, 4, out _));
        Assert.True(JsonTokenReader.TryGetDouble(json, t, 5, out double negativeTiny));
        Assert.True(double.IsNegative(negativeTiny) && negativeTiny == 0.0);
    }
}
