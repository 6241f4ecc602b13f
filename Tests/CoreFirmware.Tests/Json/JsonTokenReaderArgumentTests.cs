using CoreFirmware.Application.Json;
using Xunit;
using static CoreFirmware.Tests.Json.JsonTestSupport;

namespace CoreFirmware.Tests.Json;

/// <summary>
/// The token reader checks its arguments and says so with ArgumentNullException or
/// ArgumentOutOfRangeException, never an IndexOutOfRangeException from deep inside (issue 12,
/// item 4: Unescape with a negative offset used to throw IndexOutOfRangeException). Tokens that do
/// not fit the input (spans outside it, sizes past the token array) give failure results.
/// </summary>
[Trait("Category", "Json")]
public sealed class JsonTokenReaderArgumentTests
{
    private static (byte[] Json, JsonToken[] Tokens) Parse(string text)
    {
        byte[] json = Utf8(text);
        Assert.Equal(JsonResult.Complete, ParseAll(json, out var tokens));
        return (json, tokens);
    }

    [Fact]
    public void UnescapeChecksItsOutputRange()
    {
        var (json, t) = Parse("[\"abc\", 12]");
        var buffer = new byte[8];
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.Unescape(json, t, 1, buffer, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.Unescape(json, t, 1, buffer, int.MinValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.Unescape(json, t, 1, buffer, 9));
        Assert.Throws<ArgumentNullException>(() => JsonTokenReader.Unescape(json, t, 1, null!, 0));
        // The end of the buffer is a valid offset: nothing fits there.
        Assert.Equal(JsonTokenReader.BufferTooSmall, JsonTokenReader.Unescape(json, t, 1, buffer, 8));
        Assert.Equal(3, JsonTokenReader.Unescape(json, t, 1, buffer, 5));
    }

    [Fact]
    public void EveryReaderChecksTheTokenIndexAndNulls()
    {
        var (json, t) = Parse("{\"a\": [1, \"x\"]}");
        var buffer = new byte[8];
        foreach (int bad in new[] { -1, t.Length, int.MaxValue, int.MinValue })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.Unescape(json, t, bad, buffer, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.Skip(t, bad));
            Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.FindKey(json, t, bad, "a"));
            Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.FindKey(json, t, bad, buffer, 0, 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.ArrayElement(t, bad, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.TextEquals(json, t, bad, "a"));
            Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.BytesEqual(json, t, bad, buffer, 0, 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.TryGetInt32(json, t, bad, out _));
            Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.TryGetInt64(json, t, bad, out _));
            Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.TryGetNumber(json, t, bad, out _, out _));
            Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.TryGetDouble(json, t, bad, out _));
        }

        Assert.Throws<ArgumentNullException>(() => JsonTokenReader.Skip(null!, 0));
        Assert.Throws<ArgumentNullException>(() => JsonTokenReader.Unescape(null!, t, 1, buffer, 0));
        Assert.Throws<ArgumentNullException>(() => JsonTokenReader.Unescape(json, null!, 1, buffer, 0));
        Assert.Throws<ArgumentNullException>(() => JsonTokenReader.FindKey(json, t, 0, (string)null!));
        Assert.Throws<ArgumentNullException>(() => JsonTokenReader.FindKey(json, t, 0, null!, 0, 0));
        Assert.Throws<ArgumentNullException>(() => JsonTokenReader.TextEquals(json, t, 1, null!));
        Assert.Throws<ArgumentNullException>(() => JsonTokenReader.BytesEqual(json, t, 1, null!, 0, 0));
        Assert.Throws<ArgumentNullException>(() => JsonTokenReader.TryGetDouble(null!, t, 3, out _));
        Assert.Throws<ArgumentNullException>(() => JsonTokenReader.ArrayElement(null!, 0, 0));
    }

    [Fact]
    public void KeyRangesAreChecked()
    {
        var (json, t) = Parse("{\"ab\": 1}");
        byte[] key = Utf8("ab");
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.FindKey(json, t, 0, key, -1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.FindKey(json, t, 0, key, 1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.FindKey(json, t, 0, key, 0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonTokenReader.BytesEqual(json, t, 1, key, 0, 3));
        Assert.Equal(2, JsonTokenReader.FindKey(json, t, 0, key, 0, 2));
    }

    [Fact]
    public void TokensThatDoNotBelongToTheInputGiveFailureResults()
    {
        byte[] json = Utf8("[\"abc\",12]");
        var buffer = new byte[16];
        var outside = new[]
        {
            new JsonToken { Type = JsonTokenType.String, Start = 5, End = 40 },
            new JsonToken { Type = JsonTokenType.Primitive, Start = -3, End = 2 },
            new JsonToken { Type = JsonTokenType.String, Start = 6, End = 4 },
            new JsonToken { Type = JsonTokenType.String, Start = 2, End = 4, Size = 1 }, // a key whose value is missing
        };
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(JsonTokenReader.Malformed, JsonTokenReader.Unescape(json, outside, i, buffer, 0));
            Assert.False(JsonTokenReader.TextEquals(json, outside, i, "abc"));
            Assert.False(JsonTokenReader.BytesEqual(json, outside, i, buffer, 0, 3));
            Assert.False(JsonTokenReader.TryGetInt64(json, outside, i, out _));
            Assert.False(JsonTokenReader.TryGetNumber(json, outside, i, out _, out _));
            Assert.False(JsonTokenReader.TryGetDouble(json, outside, i, out _));
        }

        // Sizes that run past the token array end the walk at the array's end.
        var sized = new[]
        {
            new JsonToken { Type = JsonTokenType.Object, Start = 0, End = 10, Size = 5 },
            new JsonToken { Type = JsonTokenType.String, Start = 2, End = 5, Size = 1 },
        };
        Assert.Equal(2, JsonTokenReader.Skip(sized, 0));
        Assert.Equal(2, JsonTokenReader.Skip(sized, 1));
        Assert.Equal(-1, JsonTokenReader.FindKey(json, sized, 0, "abc"));
        Assert.Equal(-1, JsonTokenReader.FindKey(json, sized, 0, "zz"));
        var array = new[] { new JsonToken { Type = JsonTokenType.Array, Start = 0, End = 10, Size = 3 } };
        Assert.Equal(-1, JsonTokenReader.ArrayElement(array, 0, 2));
        Assert.Equal(-1, JsonTokenReader.ArrayElement(array, 0, 0));
    }
}
