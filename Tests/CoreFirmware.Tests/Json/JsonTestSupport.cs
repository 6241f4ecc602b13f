using System.Text;
using System.Text.Json;
using CoreFirmware.Application.Json;
using JsonTokenType = CoreFirmware.Application.Json.JsonTokenType;
using Xunit;

namespace CoreFirmware.Tests.Json;

/// <summary>Shared helpers for the JSON tests: one-shot parsing, the System.Text.Json oracle, tree comparison.</summary>
internal static class JsonTestSupport
{
    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Parses in one call with a generous token array; returns the result and the used tokens.</summary>
    public static JsonResult ParseAll(byte[] json, out JsonToken[] tokens, int maxDepth = JsonParser.DefaultMaxDepth)
    {
        var parser = new JsonParser(maxDepth);
        var all = new JsonToken[json.Length + 1];
        JsonResult r = parser.Parse(json, 0, json.Length, all);
        tokens = all.AsSpan(0, parser.TokenCount).ToArray();
        return r;
    }

    public static JsonResult ParseAll(string json, out JsonToken[] tokens, int maxDepth = JsonParser.DefaultMaxDepth)
        => ParseAll(Utf8(json), out tokens, maxDepth);

    public static JsonResult Result(string json, int maxDepth = JsonParser.DefaultMaxDepth) => ParseAll(json, out _, maxDepth);

    /// <summary>
    /// The oracle: System.Text.Json with default options (strict RFC 8259, max depth 64), plus
    /// decoding every string and property name, because JsonDocument.Parse itself accepts lone
    /// surrogate escapes and invalid UTF-8 inside strings and only GetString rejects them.
    /// </summary>
    public static bool OracleValid(byte[] json) => CoreFirmware.Fuzz.Targets.JsonTarget.OracleValid(json);

    public static string UnescapeToString(byte[] json, JsonToken[] tokens, int index)
    {
        var buffer = new byte[tokens[index].End - tokens[index].Start];
        int n = JsonTokenReader.Unescape(json, tokens, index, buffer, 0);
        Assert.True(n >= 0, $"unescape of token {index} failed: {n}");
        return new UTF8Encoding(false, true).GetString(buffer, 0, n);
    }

    /// <summary>
    /// Walks the JsonDocument and the token array in parallel: types, spans, child counts, parent
    /// links, string contents (via Unescape and TextEquals), primitive raw text. Returns the index after the tree.
    /// </summary>
    public static void AssertSameTree(byte[] json, JsonToken[] tokens)
    {
        using var doc = JsonDocument.Parse(json);
        int index = 0;
        Walk(json, tokens, doc.RootElement, ref index, -1);
        Assert.Equal(tokens.Length, index);
    }

    private static void Walk(byte[] json, JsonToken[] tokens, JsonElement e, ref int index, int parent)
    {
        Assert.True(index < tokens.Length, "fewer tokens than values");
        int me = index++;
        JsonToken t = tokens[me];
        Assert.Equal(parent, t.Parent);
        string raw = Encoding.UTF8.GetString(json, t.Start, t.End - t.Start);
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                Assert.Equal(JsonTokenType.Object, t.Type);
                Assert.Equal(e.GetRawText(), raw);
                int members = 0;
                foreach (var p in e.EnumerateObject())
                {
                    members++;
                    int k = index++;
                    Assert.Equal(JsonTokenType.String, tokens[k].Type);
                    Assert.Equal(me, tokens[k].Parent);
                    Assert.Equal(1, tokens[k].Size);
                    Assert.Equal(p.Name, UnescapeToString(json, tokens, k));
                    Assert.True(JsonTokenReader.TextEquals(json, tokens, k, p.Name));
                    Walk(json, tokens, p.Value, ref index, k);
                }
                Assert.Equal(members, t.Size);
                break;
            case JsonValueKind.Array:
                Assert.Equal(JsonTokenType.Array, t.Type);
                Assert.Equal(e.GetRawText(), raw);
                Assert.Equal(e.GetArrayLength(), t.Size);
                foreach (var x in e.EnumerateArray()) Walk(json, tokens, x, ref index, me);
                break;
            case JsonValueKind.String:
                Assert.Equal(JsonTokenType.String, t.Type);
                Assert.Equal(0, t.Size);
                Assert.Equal(e.GetRawText(), "\"" + raw + "\"");
                string s = e.GetString()!;
                Assert.Equal(s, UnescapeToString(json, tokens, me));
                Assert.True(JsonTokenReader.TextEquals(json, tokens, me, s));
                byte[] utf8 = Encoding.UTF8.GetBytes(s);
                Assert.True(JsonTokenReader.BytesEqual(json, tokens, me, utf8, 0, utf8.Length));
                break;
            default:
                Assert.Equal(JsonTokenType.Primitive, t.Type);
                Assert.Equal(0, t.Size);
                Assert.Equal(e.GetRawText(), raw);
                break;
        }
        Assert.Equal(index, JsonTokenReader.Skip(tokens, me));
    }
}
