using System.Text;
using CoreFirmware.Application.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CoreFirmware.Tests.Json.JsonTestSupport;

namespace CoreFirmware.Tests.Json;

/// <summary>
/// Property tests against System.Text.Json as the oracle (JsonDocument.Parse with default options is
/// strict RFC 8259 with max depth 64; our parser runs with the same limit here).
/// </summary>
[Trait("Category", "Json")]
public class JsonPropertyTests
{
    private const int Depth = 64; // System.Text.Json's default MaxDepth

    // ---------- generators ----------

    private static readonly Gen<string> Ws = Gen.Frequency(
        (6, Gen.Constant("")),
        (1, Gen.Elements(" ", "\n", "\t", "\r\n  ", "  ")));

    private static Gen<string> Digits(int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 9), n))
            .Select(ds => string.Concat(ds.Select(d => (char)('0' + d))));

    private static readonly Gen<string> Number =
        from sign in Gen.Elements("", "", "-")
        from intPart in Gen.Frequency(
            (1, Gen.Constant("0")),
            (4, from first in Gen.Choose(1, 9) from rest in Digits(0, 20) select (char)('0' + first) + rest))
        from frac in Gen.Frequency((2, Gen.Constant("")), (1, Digits(1, 8).Select(d => "." + d)))
        from exp in Gen.Frequency((3, Gen.Constant("")),
            (1, from e in Gen.Elements("e", "E") from s in Gen.Elements("", "+", "-") from d in Digits(1, 3) select e + s + d))
        select sign + intPart + frac + exp;

    private static readonly Gen<string> Literal = Gen.Elements("true", "false", "null");

    private static string Hex4(int unit, bool upper) => unit.ToString(upper ? "X4" : "x4");

    private static readonly Gen<string> StringPiece = Gen.Frequency(
        (8, Gen.Choose(0x20, 0x7E).Where(c => c != '"' && c != '\\').Select(c => ((char)c).ToString())),
        (2, Gen.Elements("\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t")),
        (2, from u in Gen.Choose(0, 0xFFFF).Where(u => u < 0xD800 || u > 0xDFFF) from up in Gen.Elements(true, false)
            select "\\u" + Hex4(u, up)),
        (1, from cp in Gen.Choose(0x10000, 0x10FFFF) from up in Gen.Elements(true, false)
            let s = char.ConvertFromUtf32(cp)
            select "\\u" + Hex4(s[0], up) + "\\u" + Hex4(s[1], up)),
        (2, Gen.Elements("\u00e9", "\u00fc", "\u4e2d", "\u20ac", "\u007f", "\u0080", "\u07ff", "\u0800", "\uffff", "\ue000")),
        (1, Gen.Choose(0x80, 0xFFFD).Where(u => u < 0xD800 || u > 0xDFFF).Select(u => ((char)u).ToString())),
        (1, Gen.Choose(0x10000, 0x10FFFF).Select(char.ConvertFromUtf32)));

    private static readonly Gen<string> JsonString =
        Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(StringPiece, n)).Select(p => "\"" + string.Concat(p) + "\"");

    private static readonly Gen<string> Leaf = Gen.Frequency((3, Number), (2, Literal), (4, JsonString));

    private static Gen<string> Padded(Gen<string> g) => from a in Ws from v in g from b in Ws select a + v + b;

    private static Gen<string> Value(int depth)
    {
        if (depth <= 0) return Leaf;
        Gen<string> array =
            from n in Gen.Choose(0, 4)
            from items in Gen.ArrayOf(Padded(Value(depth - 1)), n)
            from ws in Ws
            select "[" + (n == 0 ? ws : string.Join(",", items)) + "]";
        Gen<string> member =
            from k in Padded(JsonString)
            from v in Padded(Value(depth - 1))
            select k + ":" + v;
        Gen<string> obj =
            from n in Gen.Choose(0, 4)
            from members in Gen.ArrayOf(member, n)
            from ws in Ws
            select "{" + (n == 0 ? ws : string.Join(",", members)) + "}";
        return Gen.Frequency((3, Leaf), (1, array), (1, obj));
    }

    private static readonly Gen<string> Document =
        Gen.Choose(0, 4).SelectMany(d => Padded(Value(d)));

    /// <summary>A value wrapped in 40..70 arrays/objects: around the shared depth limit of 64.</summary>
    private static readonly Gen<string> DeepDocument =
        from depth in Gen.Choose(40, 70)
        from kinds in Gen.ArrayOf(Gen.Elements(true, false), depth)
        from inner in Value(1)
        select Wrap(kinds, inner);

    private static string Wrap(bool[] asObject, string inner)
    {
        var sb = new StringBuilder();
        foreach (bool o in asObject) sb.Append(o ? "{\"k\":" : "[");
        sb.Append(inner);
        for (int i = asObject.Length - 1; i >= 0; i--) sb.Append(asObject[i] ? '}' : ']');
        return sb.ToString();
    }

    private static readonly byte[] InterestingBytes = Utf8("{}[]:,\"\\ 01-+.eEtfnualrsx\t\n\r")
        .Concat(new byte[] { 0x00, 0x01, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF }).ToArray();

    private static readonly string[] InterestingSnippets =
        { "\\uD800", "\\uDC00", "\\uD83D\\uDE00", "\\u00", "\\x", "tru", "1e", "-0", "01", ",]", ",}", "[[", "]]", "\":\"", "\"\"", " " };

    /// <summary>One edit: kind (0 delete, 1 insert byte, 2 replace byte, 3 insert snippet, 4 duplicate range, 5 truncate).</summary>
    private sealed record Mutation(int Kind, int Where, int Length, byte Byte, string Snippet);

    private static readonly Gen<Mutation> MutationGen =
        from kind in Gen.Choose(0, 5)
        from at in Gen.Choose(0, 1_000_000)
        from length in Gen.Choose(1, 8)
        from b in Gen.Elements(InterestingBytes)
        from s in Gen.Elements(InterestingSnippets)
        select new Mutation(kind, at, length, b, s);

    private static byte[] Apply(byte[] doc, Mutation[] mutations)
    {
        var bytes = doc.ToList();
        foreach (var m in mutations)
        {
            int at = bytes.Count == 0 ? 0 : m.Where % (bytes.Count + 1);
            switch (m.Kind)
            {
                case 0: if (at < bytes.Count) bytes.RemoveAt(at); break;
                case 1: bytes.Insert(at, m.Byte); break;
                case 2: if (at < bytes.Count) bytes[at] = m.Byte; else bytes.Add(m.Byte); break;
                case 3: bytes.InsertRange(at, Utf8(m.Snippet)); break;
                case 4:
                    int len = Math.Min(m.Length, bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, len).ToArray());
                    break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return bytes.ToArray();
    }

    private static readonly Gen<byte[]> MutatedDocument =
        from doc in Document
        from n in Gen.Choose(1, 3)
        from ms in Gen.ArrayOf(MutationGen, n)
        select Apply(Utf8(doc), ms);

    private static readonly Gen<byte[]> AlphabetSoup =
        Gen.Choose(0, 24).SelectMany(n => Gen.ArrayOf(Gen.Elements(Utf8("{}[]:,\" 1-.e0tn\\u")), n));

    // ---------- checks ----------

    /// <summary>Our verdict, with the tree checked when complete and count-only mode agreeing.</summary>
    private static JsonResult CheckedParse(byte[] json)
    {
        JsonResult r = ParseAll(json, out var tokens, Depth);
        var counter = new JsonParser(Depth);
        Assert.Equal(r, counter.Parse(json, 0, json.Length, null));
        if (r == JsonResult.Complete)
        {
            Assert.Equal(tokens.Length, counter.TokenCount);
            AssertSameTree(json, tokens);
        }
        return r;
    }

    [Property(MaxTest = 300)]
    public Property GeneratedDocumentsAreValidAndTokenizeLikeTheOracle() =>
        Prop.ForAll(Document.ToArbitrary(), doc =>
        {
            byte[] json = Utf8(doc);
            Assert.True(OracleValid(json), "generator made an invalid document");
            Assert.Equal(JsonResult.Complete, CheckedParse(json));
        });

    [Property(MaxTest = 100)]
    public Property DeepDocumentsHitTheSameDepthLimit() =>
        Prop.ForAll(DeepDocument.ToArbitrary(), doc =>
        {
            byte[] json = Utf8(doc);
            bool valid = OracleValid(json);
            JsonResult r = CheckedParse(json);
            Assert.Equal(valid ? JsonResult.Complete : JsonResult.TooDeep, r);
        });

    [Property(MaxTest = 150)]
    public Property EveryTruncatedPrefixEndsEarlyAndIsNeverInvalid() =>
        Prop.ForAll(Document.ToArbitrary(), doc =>
        {
            byte[] json = Utf8(doc);
            var parser = new JsonParser(Depth);
            var tokens = new JsonToken[json.Length + 1];
            for (int n = 0; n < json.Length; n++)
            {
                parser.Reset();
                JsonResult r = parser.Parse(json, 0, n, tokens);
                byte[] prefix = json.AsSpan(0, n).ToArray();
                // A prefix that is itself a whole document (a bare number cut short, trailing
                // whitespace cut off) is complete; anything else ended early.
                Assert.Equal(OracleValid(prefix) ? JsonResult.Complete : JsonResult.Partial, r);
            }
        });

    [Property(MaxTest = 200)]
    public Property ResumingInRandomChunksGivesTheOneShotTokens() =>
        Prop.ForAll(Document.ToArbitrary(), Gen.ArrayOf(Gen.Choose(0, 1_000_000), 6).ToArbitrary(), (doc, cuts) =>
        {
            byte[] json = Utf8(doc);
            Assert.Equal(JsonResult.Complete, ParseAll(json, out var expected, Depth));
            var parser = new JsonParser(Depth);
            var tokens = new JsonToken[json.Length + 1];
            foreach (int cut in cuts.Select(c => c % (json.Length + 1)).Order())
            {
                JsonResult r = parser.Parse(json, 0, cut, tokens);
                Assert.True(r == JsonResult.Partial || r == JsonResult.Complete, $"{r} at {cut}");
            }
            Assert.Equal(JsonResult.Complete, parser.Parse(json, 0, json.Length, tokens));
            Assert.Equal(expected, tokens.AsSpan(0, parser.TokenCount).ToArray());
        });

    [Property(MaxTest = 500)]
    public Property MutatedDocumentsGetTheOraclesVerdict() =>
        Prop.ForAll(MutatedDocument.ToArbitrary(), json =>
        {
            bool valid = OracleValid(json);
            JsonResult r = CheckedParse(json);
            Assert.True(valid == (r == JsonResult.Complete),
                $"oracle {(valid ? "valid" : "invalid")}, parser {r}: {Convert.ToHexString(json)} '{Encoding.UTF8.GetString(json)}'");
        });

    [Property(MaxTest = 500)]
    public Property AlphabetSoupGetsTheOraclesVerdict() =>
        Prop.ForAll(AlphabetSoup.ToArbitrary(), json =>
        {
            bool valid = OracleValid(json);
            JsonResult r = CheckedParse(json);
            Assert.True(valid == (r == JsonResult.Complete), $"oracle {valid}, parser {r}: '{Encoding.UTF8.GetString(json)}'");
        });
}
