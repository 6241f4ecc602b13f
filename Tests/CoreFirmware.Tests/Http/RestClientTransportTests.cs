using System.Net;
using System.Net.Sockets;
using System.Text;
using CoreFirmware.Application.Http;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.Ticker;
using Xunit;
using SocketError = CoreFirmware.Drivers.Net.SocketError;

namespace CoreFirmware.Tests.Http;

/// <summary>
/// The REST client against a real ticker HTTP server, over a socket transport that a subclass
/// supplies: the host loopback adapter now (<see cref="RestClientLoopbackTests"/>), the virtual
/// CC3000 driver later. A transport must resolve <see cref="TickerHostName"/> to 127.0.0.1 and must
/// not resolve <see cref="UnknownHostName"/>.
/// </summary>
public abstract class RestClientTransportTests : IDisposable
{
    /// <summary>The name the transport resolves to the ticker server's address, 127.0.0.1.</summary>
    public const string TickerHostName = "ticker.local";

    /// <summary>A name that never resolves.</summary>
    public const string UnknownHostName = "no-such-host.invalid";

    private INetworkSockets? _transport;
    private InstrumentedSockets? _sockets;

    protected RestClientTransportTests()
    {
        Server = new TickerServer { SlowDelayMilliseconds = 3_000, TrickleIntervalMilliseconds = 40, HugeSize = 12 * 1024 };
    }

    /// <summary>Creates the transport under test.</summary>
    protected abstract INetworkSockets CreateSockets();

    protected TickerServer Server { get; }

    /// <summary>The transport, wrapped to count calls and inject preemption.</summary>
    protected InstrumentedSockets Sockets => _sockets ??= new InstrumentedSockets(_transport = CreateSockets());

    public virtual void Dispose()
    {
        Server.Dispose();
        (_transport as IDisposable)?.Dispose();
        GC.SuppressFinalize(this);
    }

    protected RestClient NewClient()
    {
        return new RestClient(Sockets, new VirtualClock())
        {
            ConnectTimeoutMilliseconds = 5_000,
            SendTimeoutMilliseconds = 5_000,
            ReceiveTimeoutMilliseconds = 5_000,
            ResponseTimeoutMilliseconds = 10_000,
        };
    }

    protected HttpResult Get(RestClient client, string pathAndQuery) => client.Get("127.0.0.1", Server.Port, pathAndQuery);

    protected static string BodyText(RestClient client) => Encoding.ASCII.GetString(client.Body, client.BodyOffset, client.BodyLength);

    /// <summary>A plain request right after a failure must work, and no socket may be left open.</summary>
    protected void AssertNextRequestWorks(RestClient client)
    {
        Assert.Equal(HttpResult.Ok, Get(client, "/ticker?mode=length"));
        Assert.Equal(200, client.StatusCode);
        Assert.Equal(Server.LastResponseBody, client.Body.AsSpan(0, client.BodyLength).ToArray());
        Assert.Equal(Sockets.Opens, Sockets.Closes);
    }

    private void AssertServed(RestClient client, HttpResult result)
    {
        Assert.Equal(HttpResult.Ok, result);
        Assert.Equal(200, client.StatusCode);
        Assert.Equal(Encoding.ASCII.GetString(Server.LastResponseBody), BodyText(client));
        Assert.True(client.HeaderEquals("content-type", "application/json"));
        Assert.Equal(Sockets.Opens, Sockets.Closes);
    }

    [Fact]
    public void ContentLengthBodiesOfVaryingSizeArriveWhole()
    {
        var client = NewClient();
        var sizes = new HashSet<int>();
        for (int i = 0; i < 12; i++)
        {
            AssertServed(client, Get(client, "/ticker"));
            sizes.Add(client.BodyLength);
            Assert.True(client.FindHeader("CONTENT-LENGTH", out int offset, out int length));
            Assert.Equal(client.BodyLength.ToString(), Encoding.ASCII.GetString(client.HeaderBuffer, offset, length));
        }
        Assert.True(sizes.Count > 3, "the server varies the body size");
        Assert.Equal(12, Server.GetRequests);
    }

    [Fact]
    public void BitstampAndCoinDeskRoutesServeTheirForms()
    {
        var client = NewClient();
        AssertServed(client, Get(client, "/v2/ticker/btcusd"));
        Assert.Contains("\"last\": \"", BodyText(client));
        AssertServed(client, Get(client, "/v1/bpi/currentprice.json"));
        Assert.Contains("\"bpi\":{\"USD\":{", BodyText(client));
    }

    [Fact]
    public void HostNameIsResolvedThroughTheSocketLayer()
    {
        var client = NewClient();
        AssertServed(client, client.Get(TickerHostName, Server.Port, "/ticker"));
    }

    [Fact]
    public void ChunkedBodiesWithExtensionsAndTrailersAreDecoded()
    {
        var client = NewClient();
        for (int i = 0; i < 8; i++)
        {
            AssertServed(client, Get(client, "/ticker?mode=chunked&form=" + (i % 2 == 0 ? "coindesk" : "bitstamp")));
            Assert.True(client.HeaderEquals("Transfer-Encoding", "chunked"));
        }
    }

    [Fact]
    public void CloseDelimitedBodyEndsWhenThePeerCloses()
    {
        var client = NewClient();
        AssertServed(client, Get(client, "/ticker?mode=close"));
        Assert.False(client.FindHeader("Content-Length", out _, out _));
    }

    [Fact]
    public void ModeSetOnTheServerAtRuntimeApplies()
    {
        var client = NewClient();
        Server.Mode = TickerMode.Chunked;
        AssertServed(client, Get(client, "/ticker"));
        Assert.True(client.HeaderEquals("transfer-encoding", "chunked"));
        Server.Mode = TickerMode.ContentLength;
        AssertServed(client, Get(client, "/ticker"));
        Assert.Equal(2, Server.RequestsServed);
    }

    [Theory]
    [InlineData("huge")]
    [InlineData("huge-chunked")]
    [InlineData("huge-close")]
    public void BodyLargerThanTheBufferIsTooLarge(string mode)
    {
        var client = NewClient();
        Assert.Equal(HttpResult.TooLarge, Get(client, "/ticker?mode=" + mode));
        Assert.Equal(200, client.StatusCode);
        Assert.Equal(0, client.BodyLength);
        Assert.True(Server.LastResponseBody.Length > client.BodyBufferSize);
        AssertNextRequestWorks(client);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("truncated-chunked")]
    public void PeerClosingEarlyIsTruncated(string mode)
    {
        var client = NewClient();
        Assert.Equal(HttpResult.Truncated, Get(client, "/ticker?mode=" + mode));
        AssertNextRequestWorks(client);
    }

    [Fact]
    public void SlowHeadersTimeOut()
    {
        var client = NewClient();
        client.ReceiveTimeoutMilliseconds = 300;
        Assert.Equal(HttpResult.TimedOut, Get(client, "/ticker?mode=slow"));
        Assert.Equal(SocketError.TimedOut, client.SocketError);
        client.ReceiveTimeoutMilliseconds = 5_000;
        AssertNextRequestWorks(client);
    }

    [Fact]
    public void TricklingServerHitsTheResponseDeadline()
    {
        // Every gap (40 ms) is well inside the receive timeout; only the whole-response limit stops it.
        var client = NewClient();
        client.ResponseTimeoutMilliseconds = 400;
        Assert.Equal(HttpResult.TimedOut, Get(client, "/ticker?mode=trickle"));
        client.ResponseTimeoutMilliseconds = 10_000;
        AssertNextRequestWorks(client);
    }

    [Theory]
    [InlineData("bad-status", 0)]
    [InlineData("bad-status", 1)]
    [InlineData("bad-status", 2)]
    [InlineData("bad-status", 3)]
    [InlineData("bad-header", 0)]
    [InlineData("bad-header", 1)]
    [InlineData("bad-header", 2)]
    [InlineData("bad-chunk", 0)]
    [InlineData("bad-chunk", 1)]
    public void MalformedResponsesAreReported(string mode, int variant)
    {
        var client = NewClient();
        Assert.Equal(HttpResult.MalformedResponse, Get(client, "/ticker?mode=" + mode + "&variant=" + variant));
        AssertNextRequestWorks(client);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void InvalidJsonIsStillAValidHttpResponse(int variant)
    {
        // HTTP framing is fine; judging the JSON is the tokenizer's job.
        var client = NewClient();
        AssertServed(client, Get(client, "/ticker?mode=bad-json&variant=" + variant));
    }

    [Fact]
    public void ErrorStatusCodesAreOkResponses()
    {
        var client = NewClient();
        Assert.Equal(HttpResult.Ok, Get(client, "/ticker?status=500"));
        Assert.Equal(500, client.StatusCode);
        Assert.Equal(HttpResult.Ok, Get(client, "/nothing-here"));
        Assert.Equal(404, client.StatusCode);
        Assert.Contains("not found", BodyText(client));
        AssertNextRequestWorks(client);
    }

    [Fact]
    public void ClosedPortIsConnectionRefused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var client = NewClient();
        Assert.Equal(HttpResult.ConnectionRefused, client.Get("127.0.0.1", port, "/ticker"));
        Assert.Equal(SocketError.ConnectionRefused, client.SocketError);
        AssertNextRequestWorks(client);
    }

    [Fact]
    public void UnknownHostIsHostNotFound()
    {
        var client = NewClient();
        Assert.Equal(HttpResult.HostNotFound, client.Get(UnknownHostName, Server.Port, "/ticker"));
        Assert.Equal(SocketError.HostNotFound, client.SocketError);
        Assert.Equal(0, Sockets.Opens);
        AssertNextRequestWorks(client);
    }

    [Fact]
    public void PostSendsTheBodyAndReadsTheAck()
    {
        var client = NewClient();
        byte[] reading = Encoding.ASCII.GetBytes("{\"device\":\"core\",\"last\":\"43250.12\"}");
        Assert.Equal(HttpResult.Ok, client.Post("127.0.0.1", Server.Port, "/v1/ack", "application/json", reading, 0, reading.Length));
        Assert.Equal(200, client.StatusCode);
        Assert.Equal(reading, Server.LastPostBody);
        Assert.Contains("\"received\":" + reading.Length, BodyText(client));

        Assert.Equal(HttpResult.Ok, client.Post(TickerHostName, Server.Port, "/ticker?mode=chunked", "application/json", "{\"n\":1}"));
        Assert.Equal("{\"n\":1}", Encoding.ASCII.GetString(Server.LastPostBody));
        Assert.Contains("\"received\":7", BodyText(client));
        Assert.Equal(2, Server.PostRequests);
    }

    [Fact]
    public void PreemptionMidReceiveEndsTheRequestAtOnce()
    {
        var client = NewClient();
        Sockets.PreemptOnReceive = 0;
        Assert.Equal(HttpResult.Preempted, Get(client, "/ticker?mode=trickle"));
        Assert.Equal(SocketError.Preempted, client.SocketError);
        Assert.Equal(0, Sockets.ReceivesAfterPreemption);
        Assert.Equal(Sockets.Opens, Sockets.Closes);

        // Later in the body too.
        Sockets.EndPreemption();
        Sockets.PreemptOnReceive = 2;
        Assert.Equal(HttpResult.Preempted, Get(client, "/ticker?mode=trickle"));
        Assert.Equal(0, Sockets.ReceivesAfterPreemption);

        Sockets.EndPreemption();
        AssertNextRequestWorks(client);
    }

    [Fact]
    public void ManyRequestsInARowLeaveNothingOpen()
    {
        var client = NewClient();
        string[] modes = { "length", "chunked", "close", "truncated", "bad-status", "huge" };
        for (int i = 0; i < 30; i++)
        {
            Get(client, "/ticker?mode=" + modes[i % modes.Length]);
        }
        Assert.Equal(30, Sockets.Opens);
        Assert.Equal(Sockets.Opens, Sockets.Closes);
        AssertNextRequestWorks(client);
    }
}
