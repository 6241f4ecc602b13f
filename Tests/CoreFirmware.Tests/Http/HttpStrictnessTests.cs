using System.Text;
using CoreFirmware.Application.Http;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Http;

/// <summary>
/// The response parser is as strict as RFC 9112 where leniency would let framing be misread
/// (issue 12, item 4): a bare CR in the head, Content-Length values that disagree, control bytes
/// or a bare CR in chunk extensions and trailer lines, a Transfer-Encoding whose last coding is
/// not chunked, Transfer-Encoding beside Content-Length, and Content-Length values past 2^31 and 2^63. Each case was seen to fail before the fix.
/// </summary>
[Trait("Category", "Http")]
public sealed class HttpStrictnessTests
{
    private sealed class StillClock : IClock
    {
        public long UptimeMilliseconds => 0;
        public long UptimeTicks => 0;
    }

    private readonly CannedHttpSockets _sockets = new();

    private (HttpResult Result, string Body) Get(string response, int pieceSize = int.MaxValue)
    {
        _sockets.SetResponse(Encoding.Latin1.GetBytes(response));
        _sockets.PieceSize = pieceSize;
        var client = new RestClient(_sockets, new StillClock(), 512, 256);
        HttpResult r = client.Get("10.0.0.2", 80, "/");
        return (r, Encoding.Latin1.GetString(client.Body, client.BodyOffset, client.BodyLength));
    }

    // Every split of the response gives the same verdict: the head parser and the body decoder
    // resume across receives.
    private void AssertResult(HttpResult expected, string response, string? body = null)
    {
        foreach (int piece in new[] { int.MaxValue, 1, 2, 3, 7 })
        {
            var (r, b) = Get(response, piece);
            Assert.True(expected == r, $"piece {piece}: expected {expected}, got {r} (body \"{b}\")");
            if (body != null) Assert.Equal(body, b);
        }
    }

    [Fact]
    public void TransferEncodingAndContentLengthTogetherAreMalformed()
    {
        // RFC 9112 6.3 item 3: Transfer-Encoding overrides, but the message "ought to be handled as an
        // error". Before: Ok, the chunked body taken and the Content-Length ignored.
        AssertResult(HttpResult.MalformedResponse,
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        AssertResult(HttpResult.MalformedResponse,
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello");
        AssertResult(HttpResult.Ok, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "hello");
    }

    [Fact]
    public void BareCrStartingAHeaderLineIsMalformedNotTheEndOfTheHead()
    {
        // The case: the CR used to end the header block, so Transfer-Encoding was never
        // seen and the chunk framing came back as the body with Ok.
        AssertResult(HttpResult.MalformedResponse,
            "HTTP/1.1 200 OK\r\n\rTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        AssertResult(HttpResult.MalformedResponse,
            "HTTP/1.1 200 OK\r\nX-A: 1\r\n\rContent-Length: 2\r\n\r\nhi");
        AssertResult(HttpResult.MalformedResponse,
            "HTTP/1.1 200 OK\n\rX: y\n\nhi");
    }

    [Fact]
    public void BareCrInsideTheHeadIsMalformed()
    {
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nX-A: b\rc\r\nContent-Length: 2\r\n\r\nhi");
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 O\rK\r\nContent-Length: 2\r\n\r\nhi");
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\r\n\r\nhi");
    }

    [Fact]
    public void ConflictingContentLengthsAreMalformed()
    {
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX: y\r\ncontent-length: 5\r\n\r\nhello!");
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!");
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: x\r\n\r\nhello");
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\nhello");
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nhello");
    }

    [Fact]
    public void RepeatedIdenticalContentLengthsAreAccepted()
    {
        // RFC 9110 8.6: identical duplicates (as field lines or as a list) may be taken as one value.
        AssertResult(HttpResult.Ok, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", "hello");
        AssertResult(HttpResult.Ok, "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello", "hello");
        AssertResult(HttpResult.Ok, "HTTP/1.1 200 OK\r\nContent-Length: 005 ,5\r\n\r\nhello", "hello");
    }

    [Fact]
    public void ControlBytesAndBareCrInChunkExtensionsAreMalformed()
    {
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\x01\r\nhello\r\n0\r\n\r\n");
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n");
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\x7F\"\r\nhello\r\n0\r\n\r\n");
        AssertResult(HttpResult.MalformedResponse, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0;\x00\r\n\r\n");
    }

    [Fact]
    public void ChunkExtensionsFollowTheGrammar()
    {
        const string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string
        AssertResult(HttpResult.Ok, head + "5 ; a = b ;c;d=\"q \\\" ;x\"\t\r\nhello\r\n0;last\r\n\r\n", "hello");
        AssertResult(HttpResult.Ok, head + "5;a=\"\x80\xff\"\nhello\n0\n\n", "hello");
        foreach (string bad in new[] { "5;\r\n", "5;=b\r\n", "5;a=\r\n", "5;a b\r\n", "5;a=\"x\r\n", "5;a=b c\r\n", "5 x\r\n", "5;a=\"x\"y\r\n", "5;a@b\r\n" })
        {
            AssertResult(HttpResult.MalformedResponse, head + bad + "hello\r\n0\r\n\r\n");
        }
    }

    [Fact]
    public void TrailerLinesAreCheckedLikeHeaderLines()
    {
        const string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n";
        AssertResult(HttpResult.Ok, head + "X-Sum: 1\r\nY:\r\n\r\n", "hello");
        AssertResult(HttpResult.MalformedResponse, head + "X: a\rb\r\n\r\n");
        AssertResult(HttpResult.MalformedResponse, head + "\rX: y\r\n\r\n");
        AssertResult(HttpResult.MalformedResponse, head + "X: \x01\r\n\r\n");
        AssertResult(HttpResult.MalformedResponse, head + "no colon\r\n\r\n");
        AssertResult(HttpResult.MalformedResponse, head + " folded: x\r\n\r\n");
    }

    [Fact]
    public void OnlyAFinalChunkedCodingMeansChunked()
    {
        // RFC 9110 5.3: field lines combine into one list in order; RFC 9112 6.3: chunked that is not
        // the final coding means the body runs until the server closes.
        const string body = "5\r\nhello\r\n0\r\n\r\n";
        AssertResult(HttpResult.Ok, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n" + body, body);
        AssertResult(HttpResult.Ok, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + body, "hello");
    }

    [Fact]
    public void ContentLengthParsingDoesNotOverflow()
    {
        byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);
        long Parse(string s, long limit) => HttpHeaderParser.ParseContentLength(Ascii(s), 0, s.Length, limit);

        // Past 2^31 when the limit allows it: the value used to wrap to a negative int.
        Assert.Equal(2147483647L, Parse("2147483647", int.MaxValue));
        Assert.Equal(-2L, Parse("2147483648", int.MaxValue));
        Assert.Equal(-2L, Parse("21474836470", int.MaxValue));
        Assert.Equal(4294967296L, Parse("4294967296", long.MaxValue));
        // Past 2^63.
        Assert.Equal(long.MaxValue, Parse("9223372036854775807", long.MaxValue));
        Assert.Equal(-2L, Parse("9223372036854775808", long.MaxValue));
        Assert.Equal(-2L, Parse("99999999999999999999999999", long.MaxValue));
        Assert.Equal(-2L, Parse("18446744073709551617", 1000));
        // Exact limits and syntax.
        Assert.Equal(1000L, Parse("1000", 1000));
        Assert.Equal(-2L, Parse("1001", 1000));
        Assert.Equal(0L, Parse("0", 0));
        Assert.Equal(-2L, Parse("1", 0));
        Assert.Equal(-1L, Parse("1x", long.MaxValue));
        Assert.Equal(-1L, Parse("99999999999999999999x", 10));

        AssertResult(HttpResult.TooLarge, "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nhello");
        AssertResult(HttpResult.TooLarge, "HTTP/1.1 200 OK\r\nContent-Length: 4294967301\r\n\r\nhello");
    }
}
