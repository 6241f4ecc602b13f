using System.Text;
using CoreFirmware.Application.Http;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Tests.Support;
using Xunit;
using SocketError = CoreFirmware.Drivers.Net.SocketError;

namespace CoreFirmware.Tests.Http;

/// <summary>
/// The REST client against canned responses served from memory (<see cref="CannedHttpSockets"/>):
/// exact request bytes, parsing edge cases at every split point, buffer bounds, error mapping,
/// preemption and the zero-allocation promise (this transport allocates nothing, so what is
/// measured is the client's own allocation).
/// </summary>
[Trait("Category", "Http")]
public sealed class RestClientCannedTests
{
    private sealed class ManualClock : IClock
    {
        public long Milliseconds;
        public long UptimeMilliseconds => Milliseconds;
        public long UptimeTicks => Milliseconds * TimeSpan.TicksPerMillisecond;
    }

    private const string Bitstamp = "{\"high\": \"457.00\", \"last\": \"451.10\", \"timestamp\": \"1405021290\", \"bid\": \"451.00\", \"vwap\": \"449.5\", \"volume\": \"7561.06751309\", \"low\": \"441.43\", \"ask\": \"451.10\", \"open\": 452.3}";

    private readonly CannedHttpSockets _sockets = new();
    private readonly ManualClock _clock = new();

    private RestClient NewClient(int requestBuffer = RestClient.DefaultRequestBufferSize, int bodyBuffer = RestClient.DefaultBodyBufferSize) =>
        new(_sockets, _clock, requestBuffer, bodyBuffer);

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static string LengthResponse(string body) =>
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.Length + "\r\nConnection: close\r\n\r\n" + body;

    private static string ChunkedBitstamp()
    {
        string a = Bitstamp[..10], b = Bitstamp[10..100], c = Bitstamp[100..];
        return "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nTrailer: X-Sum\r\n\r\n"
            + a.Length.ToString("x") + "\r\n" + a + "\r\n"
            + b.Length.ToString("X") + ";seq=1\r\n" + b + "\r\n"
            + "00" + c.Length.ToString("x") + " ; note=\"a;b\" ; x\r\n" + c + "\r\n"
            + "0;last\r\nX-Sum: 1234\r\nX-Other: y\r\n\r\n";
    }

    private string Body(RestClient client) => Encoding.ASCII.GetString(client.Body, client.BodyOffset, client.BodyLength);

    private string SentText => Encoding.ASCII.GetString(_sockets.Sent, 0, _sockets.SentLength);

    [Fact]
    public void DefaultBufferSizesAreOneAndFourKilobytes()
    {
        var client = new RestClient(_sockets, _clock);
        Assert.Equal(1024, client.RequestBufferSize);
        Assert.Equal(4096, client.BodyBufferSize);
    }

    [Fact]
    public void GetRequestBytesAreExact()
    {
        _sockets.SetResponse(Bytes(LengthResponse("{}")));
        var client = NewClient();
        Assert.Equal(HttpResult.Ok, client.Get("api.example.com", 8080, "/v2/ticker/btcusd?x=1"));
        Assert.Equal("GET /v2/ticker/btcusd?x=1 HTTP/1.1\r\nHost: api.example.com:8080\r\nUser-Agent: CoreFirmware\r\nAccept: */*\r\nConnection: close\r\n\r\n", SentText);
        Assert.Equal(1, _sockets.Resolves);
        Assert.Equal(8080, _sockets.LastPort);

        Assert.Equal(HttpResult.Ok, client.Get("192.168.1.20", 80, "/"));
        Assert.StartsWith("GET / HTTP/1.1\r\nHost: 192.168.1.20\r\n", SentText);
        Assert.Equal(1, _sockets.Resolves); // a dotted address is not resolved
        Assert.Equal(0xC0A80114u, _sockets.LastAddress);
    }

    [Fact]
    public void PostRequestBytesCarryTypeLengthAndBody()
    {
        _sockets.SetResponse(Bytes(LengthResponse("{\"ok\":true}")));
        var client = NewClient();
        Assert.Equal(HttpResult.Ok, client.Post("10.0.0.1", 80, "/v1/ack", "application/json", "{\"a\":1}"));
        Assert.Equal("POST /v1/ack HTTP/1.1\r\nHost: 10.0.0.1\r\nUser-Agent: CoreFirmware\r\nAccept: */*\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}", SentText);

        byte[] content = Bytes("xx{\"b\":22}yy");
        Assert.Equal(HttpResult.Ok, client.Post("10.0.0.1", 80, "/v1/ack", "application/json", content, 2, 8));
        Assert.EndsWith("Content-Length: 8\r\n\r\n{\"b\":22}", SentText);
        Assert.Equal("{\"ok\":true}", Body(client));
    }

    [Theory]
    [InlineData("host", "/path with space")]
    [InlineData("host\r\nX-Evil: 1", "/")]
    [InlineData("", "/")]
    [InlineData("host", "")]
    [InlineData("höst", "/")]
    public void UnsafeOrEmptyRequestPartsAreRefused(string host, string path)
    {
        _sockets.SetResponse(Bytes(LengthResponse("{}")));
        var client = NewClient();
        Assert.Equal(HttpResult.InvalidRequest, client.Get(host, 80, path));
        Assert.Equal(0, _sockets.Opens);
    }

    [Fact]
    public void AFailedRequestLeavesNothingOfThePreviousResponse()
    {
        _sockets.SetResponse(Bytes(LengthResponse(Bitstamp)));
        var client = NewClient();
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(HttpResult.InvalidRequest, client.Post("10.0.0.1", 80, "/", "application/json", null!, 0, 0));
        Assert.Equal(0, client.StatusCode);
        Assert.Equal(0, client.BodyLength);
        Assert.False(client.FindHeader("Content-Length", out _, out _));

        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
        _sockets.ConnectResult = (int)SocketError.ConnectionRefused;
        Assert.Equal(HttpResult.ConnectionRefused, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(0, client.StatusCode);
        Assert.False(client.FindHeader("Content-Length", out _, out _));
    }

    [Fact]
    public void RequestThatDoesNotFitTheBufferIsRefused()
    {
        _sockets.SetResponse(Bytes(LengthResponse("{}")));
        var client = NewClient(requestBuffer: 128);
        Assert.Equal(HttpResult.InvalidRequest, client.Get("10.0.0.1", 80, "/" + new string('a', 200)));
        Assert.Equal(HttpResult.InvalidRequest, client.Post("10.0.0.1", 80, "/", "application/json", new string('b', 100)));
        Assert.Equal(0, _sockets.Opens);
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(int.MaxValue)]
    public void ContentLengthAndChunkedDecodeAtEverySplit(int pieceSize)
    {
        var client = NewClient();
        _sockets.PieceSize = pieceSize;
        _sockets.HoldOpenAtEnd = true; // a complete body must not wait for the peer to close

        _sockets.SetResponse(Bytes(LengthResponse(Bitstamp)));
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/ticker"));
        Assert.Equal(Bitstamp, Body(client));

        _sockets.SetResponse(Bytes(ChunkedBitstamp()));
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/ticker"));
        Assert.Equal(Bitstamp, Body(client));
        Assert.True(client.HeaderEquals("trailer", "X-Sum"));
        Assert.False(client.FindHeader("X-Sum", out _, out _)); // trailers are read past, not kept
    }

    [Fact]
    public void CloseDelimitedBodyEndsAtPeerClose()
    {
        _sockets.SetResponse(Bytes("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + Bitstamp));
        _sockets.PieceSize = 5;
        var client = NewClient();
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(Bitstamp, Body(client));
    }

    [Fact]
    public void TransferCodingNotEndingInChunkedIsCloseDelimited()
    {
        _sockets.SetResponse(Bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw-bytes"));
        var client = NewClient();
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal("raw-bytes", Body(client));
    }

    [Fact]
    public void BareLineFeedsAndInterimResponsesAreAccepted()
    {
        _sockets.SetResponse(Bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\nLink: </a>\n\nHTTP/1.1 201 Created\nContent-Length: 2\nX-A:  padded value \t\n\n{}"));
        _sockets.PieceSize = 4;
        var client = NewClient();
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(201, client.StatusCode);
        Assert.Equal("{}", Body(client));
        Assert.True(client.FindHeader("x-a", out int offset, out int length));
        Assert.Equal("padded value", Encoding.ASCII.GetString(client.HeaderBuffer, offset, length));
        Assert.False(client.FindHeader("link", out _, out _));
    }

    [Fact]
    public void NoContentNeedsNoBody()
    {
        _sockets.SetResponse(Bytes("HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n"));
        _sockets.HoldOpenAtEnd = true;
        var client = NewClient();
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(204, client.StatusCode);
        Assert.Equal(0, client.BodyLength);
    }

    [Fact]
    public void HeaderLookupIgnoresCaseAndNeedsTheWholeName()
    {
        _sockets.SetResponse(Bytes("HTTP/1.1 200 OK\r\nX-RateLimit-Remaining: 599\r\nx-ratelimit: 7\r\nEmpty:\r\nContent-Length: 0\r\n\r\n"));
        var client = NewClient();
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
        Assert.True(client.FindHeader("X-RATELIMIT", out int offset, out int length));
        Assert.Equal("7", Encoding.ASCII.GetString(client.HeaderBuffer, offset, length));
        Assert.True(client.FindHeader("x-ratelimit-remaining", out offset, out length));
        Assert.Equal("599", Encoding.ASCII.GetString(client.HeaderBuffer, offset, length));
        Assert.True(client.FindHeader("empty", out _, out length));
        Assert.Equal(0, length);
        Assert.False(client.FindHeader("X-Rate", out _, out _));
        Assert.False(client.FindHeader("", out _, out _));
        Assert.True(client.HeaderEquals("X-RateLimit-Remaining", "599"));
        Assert.False(client.HeaderEquals("X-RateLimit-Remaining", "59"));
    }

    [Fact]
    public void BodyExactlyTheBufferSizeFitsOneMoreByteIsTooLarge()
    {
        var client = NewClient(bodyBuffer: Bitstamp.Length);
        _sockets.HoldOpenAtEnd = true;
        _sockets.SetResponse(Bytes(LengthResponse(Bitstamp)));
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(Bitstamp, Body(client));

        // Chunked: the last chunk and trailers arrive after the buffer is full (scratch path).
        _sockets.SetResponse(Bytes(ChunkedBitstamp()));
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(Bitstamp, Body(client));

        var small = NewClient(bodyBuffer: Bitstamp.Length - 1);
        _sockets.SetResponse(Bytes(LengthResponse(Bitstamp)));
        Assert.Equal(HttpResult.TooLarge, small.Get("10.0.0.1", 80, "/"));
        Assert.Equal(200, small.StatusCode);
        Assert.Equal(0, small.BodyLength);
        _sockets.SetResponse(Bytes(ChunkedBitstamp()));
        Assert.Equal(HttpResult.TooLarge, small.Get("10.0.0.1", 80, "/"));
        _sockets.HoldOpenAtEnd = false;
        _sockets.SetResponse(Bytes("HTTP/1.1 200 OK\r\n\r\n" + Bitstamp));
        Assert.Equal(HttpResult.TooLarge, small.Get("10.0.0.1", 80, "/"));
        Assert.Equal(_sockets.Opens, _sockets.Closes);
    }

    [Fact]
    public void TooLargeContentLengthStopsWithoutReadingTheBody()
    {
        _sockets.SetResponse(Bytes("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"));
        _sockets.HoldOpenAtEnd = true;
        var client = NewClient();
        Assert.Equal(HttpResult.TooLarge, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(1, _sockets.Receives);
    }

    [Fact]
    public void HeadLargerThanTheBufferIsHeadersTooLarge()
    {
        _sockets.SetResponse(Bytes("HTTP/1.1 200 OK\r\nSet-Cookie: " + new string('c', 300) + "\r\nContent-Length: 2\r\n\r\n{}"));
        var client = NewClient(requestBuffer: 256);
        Assert.Equal(HttpResult.HeadersTooLarge, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(_sockets.Opens, _sockets.Closes);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"a\":")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Le")]
    [InlineData("")]
    public void PeerClosingEarlyIsTruncated(string response)
    {
        _sockets.SetResponse(Bytes(response));
        var client = NewClient();
        Assert.Equal(HttpResult.Truncated, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(0, client.BodyLength);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n{}")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n{}")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Header\r\n\r\n{}")]
    [InlineData("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n{}")]
    [InlineData("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n{}")]
    [InlineData("HTTP/1.1 99 OK\r\n\r\n{}")]
    [InlineData("HTTP/1.1 600 OK\r\n\r\n{}")]
    [InlineData("HTTP/1.1 200\tOK\r\n\r\n{}")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\ng\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\rX")]
    public void MalformedResponsesAreReported(string response)
    {
        _sockets.SetResponse(Bytes(response));
        _sockets.HoldOpenAtEnd = true;
        var client = NewClient();
        Assert.Equal(HttpResult.MalformedResponse, client.Get("10.0.0.1", 80, "/"));
    }

    [Theory]
    [InlineData("<html>")]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n")]
    [InlineData("HTTP/2 200\r\n")]
    public void GarbageIsMalformedAtOnceWithoutWaitingForATimeout(string response)
    {
        _sockets.SetResponse(Bytes(response));
        _sockets.HoldOpenAtEnd = true; // would be TimedOut if the client kept waiting for a head end
        var client = NewClient();
        Assert.Equal(HttpResult.MalformedResponse, client.Get("10.0.0.1", 80, "/"));
    }

    [Fact]
    public void TheWholeResponseHasADeadline()
    {
        // Each receive "takes" 100 ms of a 1000 ms limit: the response trickles one byte at a time.
        _sockets.SetResponse(Bytes(LengthResponse(Bitstamp)));
        _sockets.PieceSize = 1;
        _sockets.OnReceive = () => _clock.Milliseconds += 100;
        var client = NewClient();
        client.ResponseTimeoutMilliseconds = 1000;
        Assert.Equal(HttpResult.TimedOut, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(SocketError.TimedOut, client.SocketError);
        Assert.True(_sockets.Receives <= 11);
        Assert.Equal(_sockets.Opens, _sockets.Closes);
    }

    [Theory]
    [InlineData(SocketError.Preempted, 0)]
    [InlineData(SocketError.Preempted, 3)]
    [InlineData(SocketError.UpdateInProgress, 1)]
    public void PreemptedReceiveEndsTheRequestAtOnce(SocketError error, int receiveIndex)
    {
        _sockets.SetResponse(Bytes(ChunkedBitstamp()));
        _sockets.PieceSize = 8;
        _sockets.FailReceiveAt = receiveIndex;
        _sockets.FailReceiveWith = (int)error;
        var client = NewClient();
        Assert.Equal(HttpResult.Preempted, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(error, client.SocketError);
        Assert.Equal(receiveIndex + 1, _sockets.Receives); // no retry, no further receive
        Assert.Equal(1, _sockets.Opens);
        Assert.Equal(1, _sockets.Closes);
        Assert.Equal(0, client.BodyLength);

        _sockets.FailReceiveAt = -1;
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(Bitstamp, Body(client));
    }

    [Fact]
    public void SocketErrorsMapToResultsAndAreKept()
    {
        _sockets.SetResponse(Bytes(LengthResponse("{}")));
        var client = NewClient();

        _sockets.ResolveResult = (int)SocketError.HostNotFound;
        Assert.Equal(HttpResult.HostNotFound, client.Get("nowhere.invalid", 80, "/"));
        Assert.Equal(SocketError.HostNotFound, client.SocketError);
        _sockets.ResolveResult = 0;

        _sockets.OpenResult = (int)SocketError.UpdateInProgress;
        Assert.Equal(HttpResult.Preempted, client.Get("10.0.0.1", 80, "/"));
        _sockets.OpenResult = (int)SocketError.NoFreeSocket;
        Assert.Equal(HttpResult.NetworkError, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(SocketError.NoFreeSocket, client.SocketError);
        _sockets.OpenResult = 0;

        _sockets.ConnectResult = (int)SocketError.ConnectionRefused;
        Assert.Equal(HttpResult.ConnectionRefused, client.Get("10.0.0.1", 80, "/"));
        _sockets.ConnectResult = (int)SocketError.TimedOut;
        Assert.Equal(HttpResult.TimedOut, client.Get("10.0.0.1", 80, "/"));
        _sockets.ConnectResult = (int)SocketError.Preempted;
        Assert.Equal(HttpResult.Preempted, client.Get("10.0.0.1", 80, "/"));
        _sockets.ConnectResult = 0;

        _sockets.SendResult = (int)SocketError.ModuleReset;
        Assert.Equal(HttpResult.NetworkError, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(SocketError.ModuleReset, client.SocketError);
        _sockets.SendResult = 0;

        _sockets.FailReceiveAt = 0;
        _sockets.FailReceiveWith = (int)SocketError.ConnectionReset;
        Assert.Equal(HttpResult.NetworkError, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(SocketError.ConnectionReset, client.SocketError);
        _sockets.FailReceiveAt = -1;

        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/"));
        Assert.Equal(SocketError.None, client.SocketError);
        Assert.Equal(_sockets.Opens, _sockets.Closes);
    }

    [Fact]
    public void SteadyStateRequestsAllocateNothing()
    {
        byte[] plain = Bytes(LengthResponse(Bitstamp));
        byte[] chunked = Bytes(ChunkedBitstamp());
        byte[] closeDelimited = Bytes("HTTP/1.1 200 OK\r\n\r\n" + Bitstamp);
        byte[] huge = Bytes(LengthResponse(new string('x', 5000)));
        byte[] malformed = Bytes("HTTP/1.1 2x0 OK\r\n\r\n");
        byte[] post = Bytes("{\"device\":\"core\"}");
        var client = NewClient();
        _sockets.PieceSize = 37;

        void Round(int i)
        {
            _sockets.SetResponse(plain);
            client.Get("api.example.com", 80, "/v2/ticker/btcusd");
            _sockets.SetResponse(chunked);
            client.Get("10.0.0.1", 8080, "/ticker");
            _sockets.SetResponse(closeDelimited);
            client.Post("10.0.0.1", 80, "/v1/ack", "application/json", "{\"n\":1}");
            client.Post("10.0.0.1", 80, "/v1/ack", "application/json", post, 0, post.Length);
            _sockets.SetResponse(huge);
            client.Get("10.0.0.1", 80, "/ticker");
            _sockets.SetResponse(malformed);
            client.Get("10.0.0.1", 80, "/ticker");
            _sockets.SetResponse(plain);
            _sockets.FailReceiveAt = i % 3;
            _sockets.FailReceiveWith = (int)SocketError.Preempted;
            client.Get("10.0.0.1", 80, "/ticker");
            _sockets.FailReceiveAt = -1;
            client.FindHeader("content-length", out _, out _);
        }

        for (int i = 0; i < 20; i++) Round(i);
        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 200; i++) Round(i);
        });

        Assert.Equal(0, allocated);
        Assert.Equal(HttpResult.Preempted, client.Result);
        _sockets.SetResponse(plain);
        Assert.Equal(HttpResult.Ok, client.Get("10.0.0.1", 80, "/ticker"));
        Assert.Equal(Bitstamp, Body(client));
    }
}
