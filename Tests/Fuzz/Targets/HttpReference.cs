using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace CoreFirmware.Fuzz.Targets;

/// <summary>
/// An independent, deliberately plain reading of an HTTP/1.1 response by RFC 9112 and RFC 9110
/// (strings, regular expressions and big integers), the oracle for the firmware's head parser and
/// body decoder. It takes the same documented leniencies: a bare LF ends a line, the reason phrase
/// and the SP before it may be missing, up to 4 interim (1xx) responses are skipped, identical
/// Content-Length values may repeat, and a Transfer-Encoding whose final coding is not chunked
/// means the body runs to the close. A response with both Transfer-Encoding and Content-Length is an
/// error (RFC 9112 6.3, item 3).
/// </summary>
internal static partial class HttpReference
{
    /// <summary>The verdict: a complete response (status and body) or why not.</summary>
    public sealed record Response(bool Ok, string Why, int Status, byte[] Body, bool WithinFirmwareBounds);

    // Lines of chunk extensions and trailers the firmware reads (HttpBodyDecoder.MaxFramingLineLength is 256).
    private const int FramingLineBound = 250;

    private const int MaxInterim = 4;

    [GeneratedRegex(@"^HTTP/1\.[0-9] ([0-9]{3})(?: [\t\x20-\x7E\x80-\xFF]*)?$")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):([\t\x20-\x7E\x80-\xFF]*)$")]
    private static partial Regex FieldLine();

    private const string Token = @"[!#$%&'*+\-.^_`|~0-9A-Za-z]+";
    private const string Quoted = "\"(?:[\\t \\x21\\x23-\\x5B\\x5D-\\x7E\\x80-\\xFF]|\\\\[\\t \\x21-\\x7E\\x80-\\xFF])*\"";

    [GeneratedRegex("^([0-9A-Fa-f]+)((?:[ \\t]*;[ \\t]*" + Token + "(?:[ \\t]*=[ \\t]*(?:" + Token + "|" + Quoted + "))?)*[ \\t]*)$")]
    private static partial Regex ChunkSizeLine();

    public static Response Read(byte[] data, int bodyLimit)
    {
        string text = Encoding.Latin1.GetString(data);
        int p = 0;
        int interim = 0;
        while (true)
        {
            var head = new List<string>();
            while (true)
            {
                string? line = ReadLine(text, ref p, out string? why);
                if (line == null) return Fail(why!);
                if (line.Length == 0) break;
                head.Add(line);
            }

            if (head.Count == 0) return Fail("empty head");
            Match status = StatusLine().Match(head[0]);
            if (!status.Success) return Fail("status line");
            int code = int.Parse(status.Groups[1].Value);
            if (code < 100 || code > 599) return Fail("status code");
            var fields = new List<(string Name, string Value)>();
            foreach (string line in head.Skip(1))
            {
                Match f = FieldLine().Match(line);
                if (!f.Success) return Fail("field line");
                fields.Add((f.Groups[1].Value.ToLowerInvariant(), f.Groups[2].Value.Trim(' ', '\t')));
            }

            if (code < 200)
            {
                if (code == 101 || ++interim > MaxInterim) return Fail("interim");
                continue;
            }

            if (code == 204 || code == 304) return new Response(true, "", code, [], true);
            return Body(text, p, code, fields, bodyLimit);
        }
    }

    private static Response Body(string text, int p, int code, List<(string Name, string Value)> fields, int bodyLimit)
    {
        var codings = fields.Where(f => f.Name == "transfer-encoding").ToList();
        // RFC 9112 6.3 item 3: both framings "ought to be handled as an error".
        if (codings.Count > 0 && fields.Any(f => f.Name == "content-length")) return Fail("transfer-encoding and content-length");
        if (codings.Count > 0)
        {
            string? last = codings.SelectMany(f => f.Value.Split(',')).Select(m => m.Trim(' ', '\t')).LastOrDefault(m => m.Length > 0);
            bool chunked = last != null && Regex.IsMatch(last, "^chunked[ \\t]*(;.*)?$", RegexOptions.IgnoreCase | RegexOptions.Singleline);
            return chunked ? Chunked(text, p, code, bodyLimit) : Rest(text, p, code, bodyLimit);
        }

        var lengths = fields.Where(f => f.Name == "content-length").SelectMany(f => f.Value.Split(',')).Select(m => m.Trim(' ', '\t')).ToList();
        if (lengths.Count == 0) return Rest(text, p, code, bodyLimit);
        if (lengths.Any(m => m.Length == 0 || !m.All(char.IsAsciiDigit))) return Fail("content-length syntax");
        var values = lengths.Select(BigInteger.Parse).Distinct().ToList();
        if (values.Count != 1) return Fail("content-lengths differ");
        if (values[0] > bodyLimit) return Fail("too large");
        int n = (int)values[0];
        if (text.Length - p < n) return Fail("truncated");
        return new Response(true, "", code, Encoding.Latin1.GetBytes(text.Substring(p, n)), true);
    }

    private static Response Rest(string text, int p, int code, int bodyLimit) =>
        text.Length - p > bodyLimit ? Fail("too large") : new Response(true, "", code, Encoding.Latin1.GetBytes(text[p..]), true);

    private static Response Chunked(string text, int p, int code, int bodyLimit)
    {
        var body = new List<byte>();
        bool bounded = true;
        while (true)
        {
            string? line = ReadLine(text, ref p, out string? why);
            if (line == null) return Fail(why!);
            Match m = ChunkSizeLine().Match(line);
            if (!m.Success) return Fail("chunk size line");
            bounded &= m.Groups[2].Length <= FramingLineBound;
            BigInteger size = BigInteger.Parse("0" + m.Groups[1].Value, System.Globalization.NumberStyles.HexNumber);
            if (size == 0) break;
            if (body.Count + size > bodyLimit) return Fail("too large");
            int n = (int)size;
            if (text.Length - p < n) return Fail("truncated");
            body.AddRange(Encoding.Latin1.GetBytes(text.Substring(p, n)));
            p += n;
            string? end = ReadLine(text, ref p, out why);
            if (end == null) return Fail(why!);
            if (end.Length != 0) return Fail("chunk data end");
        }

        while (true)
        {
            string? trailer = ReadLine(text, ref p, out string? why);
            if (trailer == null) return Fail(why!);
            if (trailer.Length == 0) break;
            if (!FieldLine().IsMatch(trailer)) return Fail("trailer line");
            bounded &= trailer.Length <= FramingLineBound;
        }

        return new Response(true, "", code, body.ToArray(), bounded);
    }

    // A line up to LF, without its CRLF or LF; null (and why) when there is no LF or a CR stands alone.
    private static string? ReadLine(string text, ref int p, out string? why)
    {
        int lf = text.IndexOf('\n', p);
        if (lf < 0)
        {
            why = "truncated";
            return null;
        }

        int end = lf > p && text[lf - 1] == '\r' ? lf - 1 : lf;
        string line = text[p..end];
        if (line.Contains('\r'))
        {
            why = "bare CR";
            return null;
        }

        p = lf + 1;
        why = null;
        return line;
    }

    private static Response Fail(string why) => new(false, why, 0, [], true);
}
