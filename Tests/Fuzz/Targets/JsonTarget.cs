using System.Globalization;
using System.Text;
using System.Text.Json;
using CoreFirmware.Application.Json;
using CoreFirmware.Fuzz.Engine;
using JsonTokenType = CoreFirmware.Application.Json.JsonTokenType;

namespace CoreFirmware.Fuzz.Targets;

/// <summary>
/// The JSON tokenizer and token reader. Invariants: the verdict agrees with System.Text.Json
/// (strict RFC 8259, strings decoded); count-only mode and a parse resumed after any prefix give
/// the same result and tokens; a token array one short gives NotEnoughTokens; every token lies
/// within the input with a parent before it and Skip consistent with the count; every string
/// unescapes within its span to the text System.Text.Json decodes and TextEquals/BytesEqual/FindKey
/// agree with it; every number reads as the same double as double.Parse (false exactly when that
/// is infinite) and as the same integer as long.TryParse.
/// </summary>
public sealed class JsonTarget : IFuzzTarget
{
    private const int MaxDepth = JsonParser.DefaultMaxDepth;

    private readonly JsonParser _parser = new();
    private readonly JsonParser _resumed = new();
    private JsonToken[] _tokens = new JsonToken[64];
    private JsonToken[] _tokens2 = new JsonToken[64];
    private readonly byte[] _unescaped = new byte[8192];

    public string Name => "json";

    public int MaxInputLength => 4096;

    public IReadOnlyList<byte[]> Dictionary { get; } = Tokens(
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud83d\\ude00", "\\ud800", "\\udc00", "\\u0000", "\\\"",
        "true", "false", "null", "-", "0", "0.", ".5", "e", "E+", "e-", "1e400", "1e-400", "-0",
        "1.7976931348623157e308", "2.2250738585072011e-308", "4.9406564584124654e-324", "9007199254740993",
        "9223372036854775807", "-9223372036854775808", "0.000000000000000000000000000001",
        "\u00e9", "\U0001F600", "\t", "\r\n", " ", "\"a\":", "{\"k\":[1,2,{\"x\":null}]}");

    internal static byte[][] Tokens(params string[] texts) => texts.Select(Encoding.UTF8.GetBytes).ToArray();

    public string Run(byte[] input)
    {
        int n = input.Length;
        if (_tokens.Length < n + 2)
        {
            _tokens = new JsonToken[n + 2];
            _tokens2 = new JsonToken[n + 2];
        }

        _parser.Reset();
        JsonResult result = _parser.Parse(input, 0, n, _tokens);
        int count = _parser.TokenCount;
        int position = _parser.Position;
        FuzzInvariantException.Check(result != JsonResult.NotEnoughTokens, "NotEnoughTokens with a token per byte");
        FuzzInvariantException.Check(position >= 0 && position <= n, $"position {position} outside 0..{n}");

        // Count-only mode validates the same way.
        _resumed.Reset();
        JsonResult counted = _resumed.Parse(input, 0, n, null);
        FuzzInvariantException.Check(counted == result, $"count-only mode gave {counted}, tokens gave {result}");
        if (result == JsonResult.Complete) FuzzInvariantException.Check(_resumed.TokenCount == count, $"count-only counted {_resumed.TokenCount}, parse wrote {count}");

        CheckResume(input, result, count);
        CheckOracle(input, result);
        if (result == JsonResult.Complete)
        {
            CheckTokens(input, count);
            if (count > 1)
            {
                _resumed.Reset();
                JsonResult shortResult = _resumed.Parse(input, 0, n, new JsonToken[count - 1]);
                FuzzInvariantException.Check(shortResult == JsonResult.NotEnoughTokens, $"one token short gave {shortResult}");
            }
        }

        string at = position < n ? ((char)Math.Min((int)input[position], 0x7F)).ToString() : "end";
        return $"{result}:{Math.Min(count, 20)}:{at}";
    }

    // A parse resumed after a prefix (Partial there) ends with the one-shot result and tokens.
    private void CheckResume(byte[] input, JsonResult expected, int count)
    {
        int n = input.Length;
        int cut = n == 0 ? 0 : (int)((uint)HashCode.Combine(n, input[n / 2], input[0]) % (uint)(n + 1));
        _resumed.Reset();
        JsonResult first = _resumed.Parse(input, 0, cut, _tokens2);
        if (first == JsonResult.Invalid || first == JsonResult.TooDeep)
        {
            FuzzInvariantException.Check(expected == first, $"prefix of {cut} bytes was {first}, the whole input {expected}");
            return;
        }

        JsonResult second = _resumed.Parse(input, 0, n, _tokens2);
        FuzzInvariantException.Check(second == expected, $"resumed after {cut} bytes ({first}) gave {second}, one shot {expected}");
        if (expected != JsonResult.Complete) return;
        FuzzInvariantException.Check(_resumed.TokenCount == count, $"resumed parse wrote {_resumed.TokenCount} tokens, one shot {count}");
        for (int i = 0; i < count; i++)
        {
            FuzzInvariantException.Check(_tokens[i].Equals(_tokens2[i]), $"token {i} differs after resuming at {cut}");
        }
    }

    private static void CheckOracle(byte[] input, JsonResult result)
    {
        bool bom = input.Length >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF; // System.Text.Json skips a BOM; we refuse it
        if (bom || result == JsonResult.TooDeep) return;
        bool valid = OracleValid(input);
        if (result == JsonResult.Complete) FuzzInvariantException.Check(valid, "Complete, but System.Text.Json rejects it");
        else FuzzInvariantException.Check(!valid, $"{result}, but System.Text.Json accepts it");
    }

    /// <summary>System.Text.Json with every string decoded (JsonDocument alone accepts lone surrogate escapes).</summary>
    public static bool OracleValid(byte[] json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            Decode(doc.RootElement);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return false;
        }

        static void Decode(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    _ = e.GetString();
                    break;
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        _ = p.Name;
                        Decode(p.Value);
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (var x in e.EnumerateArray()) Decode(x);
                    break;
            }
        }
    }

    private void CheckTokens(byte[] input, int count)
    {
        JsonToken[] t = _tokens[..count];
        FuzzInvariantException.Check(count >= 1, "Complete without a token");
        FuzzInvariantException.Check(JsonTokenReader.Skip(t, 0) == count, $"Skip(0) = {JsonTokenReader.Skip(t, 0)}, count {count}");
        var strict = new UTF8Encoding(false, true);
        for (int i = 0; i < count; i++)
        {
            ref JsonToken k = ref t[i];
            FuzzInvariantException.Check(k.Start >= 0 && k.Start <= k.End && k.End <= input.Length, $"token {i} span {k.Start}..{k.End} outside 0..{input.Length}");
            FuzzInvariantException.Check(k.Parent < i && k.Parent >= -1, $"token {i} parent {k.Parent}");
            FuzzInvariantException.Check(JsonTokenReader.Skip(t, i) <= count, $"Skip({i}) past the tokens");
            switch (k.Type)
            {
                case JsonTokenType.String:
                    {
                        int written = JsonTokenReader.Unescape(input, t, i, _unescaped, 0);
                        FuzzInvariantException.Check(written >= 0 && written <= k.End - k.Start, $"string {i} unescaped to {written} bytes, span {k.End - k.Start}");
                        string text = strict.GetString(_unescaped, 0, written);
                        FuzzInvariantException.Check(JsonTokenReader.TextEquals(input, t, i, text), $"TextEquals({i}) false for its own text");
                        FuzzInvariantException.Check(JsonTokenReader.BytesEqual(input, t, i, _unescaped, 0, written), $"BytesEqual({i}) false for its own bytes");
                        if (k.Size == 1)
                        {
                            int found = JsonTokenReader.FindKey(input, t, k.Parent, text);
                            FuzzInvariantException.Check(found >= 0 && found <= i + 1 && JsonTokenReader.TextEquals(input, t, found - 1, text), $"FindKey for key {i} gave {found}");
                        }
                        break;
                    }
                case JsonTokenType.Primitive:
                    CheckPrimitive(input, t, i);
                    break;
                case JsonTokenType.Array:
                    for (int e = 0; e < k.Size; e++)
                    {
                        int element = JsonTokenReader.ArrayElement(t, i, e);
                        FuzzInvariantException.Check(element > i && element < count && t[element].Parent == i, $"element {e} of array {i} is {element}");
                    }
                    break;
            }
        }
    }

    private static void CheckPrimitive(byte[] input, JsonToken[] t, int i)
    {
        string raw = Encoding.ASCII.GetString(input, t[i].Start, t[i].End - t[i].Start);
        bool isNumber = raw[0] == '-' || char.IsAsciiDigit(raw[0]);
        bool read = JsonTokenReader.TryGetDouble(input, t, i, out double value);
        if (!isNumber)
        {
            FuzzInvariantException.Check(!read, $"TryGetDouble read the literal {raw}");
            return;
        }

        double expected = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(expected))
        {
            FuzzInvariantException.Check(!read, $"{Short(raw)}: out of range, but TryGetDouble gave {value:R}");
        }
        else
        {
            FuzzInvariantException.Check(read && BitConverter.DoubleToInt64Bits(value) == BitConverter.DoubleToInt64Bits(expected),
                $"{Short(raw)}: TryGetDouble gave {(read ? value.ToString("R", CultureInfo.InvariantCulture) : "false")}, double.Parse {expected:R}");
        }

        bool integer = raw.IndexOfAny(['.', 'e', 'E']) < 0;
        bool fits = long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long expectedLong);
        bool readLong = JsonTokenReader.TryGetInt64(input, t, i, out long got);
        FuzzInvariantException.Check(readLong == (integer && fits) && (!readLong || got == expectedLong), $"{Short(raw)}: TryGetInt64 {readLong}/{got}, long.TryParse {fits}/{expectedLong}");
        JsonTokenReader.TryGetNumber(input, t, i, out _, out _);
    }

    private static string Short(string s) => s.Length <= 60 ? s : s[..30] + "..." + s[^20..] + $" ({s.Length} chars)";
}
