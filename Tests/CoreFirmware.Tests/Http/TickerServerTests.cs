using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CoreFirmware.Virtual.Ticker;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Http;

/// <summary>
/// The ticker server checked by independent clients (.NET's HttpClient and raw sockets): its
/// documents are valid JSON that change per request, its chunked framing and trailers are right,
/// it bounds its connections and it stops cleanly.
/// </summary>
[Trait("Category", "Http")]
public sealed class TickerServerTests : IDisposable
{
    private readonly TickerServer _server = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
        _server.Faults.AssertNone("ticker server");
    }

    private string Url(string pathAndQuery) => "http://127.0.0.1:" + _server.Port + pathAndQuery;

    [Fact(Timeout = TestTimeouts.Host)]
    public async Task TickerDocumentsAreValidJsonAndChangePerRequest()
    {
        string first = await _http.GetStringAsync(Url("/ticker?form=bitstamp"));
        string second = await _http.GetStringAsync(Url("/v2/ticker/btcusd"));
        Assert.NotEqual(first, second);
        foreach (string doc in new[] { first, second })
        {
            using var json = JsonDocument.Parse(doc);
            foreach (string key in new[] { "high", "last", "timestamp", "bid", "vwap", "volume", "low", "ask", "open" })
            {
                Assert.True(json.RootElement.TryGetProperty(key, out _), key);
            }
        }

        string index = await _http.GetStringAsync(Url("/v1/bpi/currentprice.json"));
        using (var json = JsonDocument.Parse(index))
        {
            Assert.True(json.RootElement.GetProperty("bpi").GetProperty("USD").GetProperty("rate_float").GetDouble() > 0);
            Assert.Equal("Bitcoin", json.RootElement.GetProperty("chartName").GetString());
        }
        Assert.True(index.Length > first.Length);
        Assert.Equal(3, _server.GetRequests);
    }

    [Fact(Timeout = TestTimeouts.Host)]
    public async Task ChunkedFramingAndTrailerAreUnderstoodByHttpClient()
    {
        using var response = await _http.GetAsync(Url("/ticker?mode=chunked&form=coindesk"));
        Assert.True(response.Headers.TransferEncodingChunked);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(_server.LastResponseBody, body);
        using var json = JsonDocument.Parse(body);
        Assert.True(response.TrailingHeaders.Contains("X-Ticker-Checksum"));
    }

    [Theory(Timeout = TestTimeouts.Host)]
    [InlineData("huge", 12_000)]
    [InlineData("huge-chunked", 20_000)]
    [InlineData("huge-close", 9_000)]
    public async Task HugeDocumentsAreValidJsonOfTheAskedSize(string mode, int size)
    {
        byte[] body = await _http.GetByteArrayAsync(Url("/ticker?mode=" + mode + "&size=" + size));
        Assert.True(body.Length >= size);
        using var json = JsonDocument.Parse(body);
    }

    [Fact(Timeout = TestTimeouts.Host)]
    public async Task PostIsAcknowledgedWithJson()
    {
        using var content = new StringContent("{\"a\":1}", Encoding.ASCII, "application/json");
        using var response = await _http.PostAsync(Url("/v1/ack"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(7, json.RootElement.GetProperty("received").GetInt32());
        Assert.Equal(1, _server.PostRequests);
    }

    [Fact]
    public void ConnectionsBeyondTheBoundAreTurnedAway()
    {
        using var server = new TickerServer(maxConnections: 2);
        using var idle1 = new TcpClient();
        using var idle2 = new TcpClient();
        idle1.Connect(IPAddress.Loopback, server.Port);
        idle2.Connect(IPAddress.Loopback, server.Port);
        Eventually.Until(() => server.ActiveConnections == 2, Eventually.Short, () => $"both idle connections accepted ({server.ActiveConnections})");

        using var third = new TcpClient();
        third.Connect(IPAddress.Loopback, server.Port);
        third.ReceiveTimeout = 5_000;
        string reply = new StreamReader(third.GetStream(), Encoding.ASCII).ReadToEnd();
        Assert.StartsWith("HTTP/1.1 503 ", reply);
        Assert.Equal(1, server.ConnectionsRejected);
        Assert.Equal(2, server.ActiveConnections);
    }

    [Fact]
    public void DisposeStopsMidResponseAndReleasesThePort()
    {
        var server = new TickerServer { SlowDelayMilliseconds = 60_000 };
        int port = server.Port;
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, port);
        client.ReceiveTimeout = 10_000;
        var stream = client.GetStream();
        stream.Write("GET /ticker?mode=slow HTTP/1.1\r\nHost: x\r\n\r\n"u8);
        byte[] buffer = new byte[256];
        int n = stream.Read(buffer, 0, buffer.Length);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, n));

        server.Dispose();
        Assert.Equal(0, server.ActiveConnections);
        int rest;
        try
        {
            rest = stream.Read(buffer, 0, buffer.Length);
        }
        catch (IOException)
        {
            rest = 0; // reset instead of FIN: closed either way
        }
        Assert.Equal(0, rest);
        using var late = new TcpClient();
        Assert.Throws<SocketException>(() => late.Connect(IPAddress.Loopback, port));
        server.Dispose(); // twice is harmless
    }
}
