using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CoreFirmware.Virtual.Ticker;

/// <summary>
/// A real HTTP/1.1 server on 127.0.0.1 that serves Bitcoin ticker JSON the way public ticker APIs
/// did, and misbehaves on request: every response framing and failure mode in <see cref="TickerMode"/>
/// can be chosen for all requests (<see cref="Mode"/>, settable at runtime) or per request
/// (<c>?mode=chunked</c>). HTTP handling is written by hand over <see cref="TcpListener"/> so that
/// broken framing can be produced on purpose. One request per connection (Connection: close).
/// Bounded: at most <see cref="MaxConnections"/> connections at once (extra ones get 503 and are
/// closed), request heads up to 8 KB, request bodies up to 64 KB, a 10 s limit to read a request.
/// What its handlers did not expect is reported into <see cref="Faults"/> (a client going away is not a fault).
/// <para>Routes: GET /ticker and /v1/ticker (Bitstamp-like and CoinDesk-like documents in turn, or
/// <c>?form=bitstamp|coindesk</c>), GET /v2/ticker/btcusd (Bitstamp-like), GET
/// /v1/bpi/currentprice.json (CoinDesk-like); POST to any of these (or /v1/ack) answers a JSON ack.
/// Query: <c>mode</c>, <c>form</c>, <c>size</c> (huge body bytes), <c>delay</c> (slow, ms),
/// <c>interval</c> (trickle, ms), <c>variant</c> (which malformation), <c>status</c> (status code).</para>
/// </summary>
public sealed class TickerServer : IDisposable
{
    /// <summary>Default bound on simultaneous connections.</summary>
    public const int DefaultMaxConnections = 16;

    private const int MaxRequestHeadBytes = 8 * 1024;
    private const int MaxRequestBodyBytes = 64 * 1024;
    private const int RequestReadTimeoutMilliseconds = 10_000;
    private const int DisposeWaitMilliseconds = 5_000;

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, (TcpClient Client, Task Task)> _connections = new();
    private readonly TickerQuotes _quotes;
    private readonly Task _acceptLoop;
    private readonly object _lastSync = new();
    private long _connectionIds;
    private int _active;
    private long _requests;
    private long _gets;
    private long _posts;
    private long _accepted;
    private long _rejected;
    private long _badRequests;
    private int _disposed;
    private byte[] _lastBody = Array.Empty<byte>();
    private byte[] _lastPostBody = Array.Empty<byte>();
    private string _lastTarget = "";

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/> (0: an ephemeral port).</summary>
    public TickerServer(int port = 0, int maxConnections = DefaultMaxConnections, int seed = 2014, BackgroundFaults? faults = null)
    {
        if (maxConnections < 1) throw new ArgumentOutOfRangeException(nameof(maxConnections));
        Faults = faults ?? new BackgroundFaults();
        MaxConnections = maxConnections;
        _quotes = new TickerQuotes(seed);
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start(backlog: 64);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopReportedAsync);
    }

    /// <summary>What the accept loop and the connection handlers did not expect (empty on a healthy run).</summary>
    public BackgroundFaults Faults { get; }

    /// <summary>Most bodies kept while <see cref="RecordServedBodies"/> is on.</summary>
    public const int MaxRecordedBodies = 20_000;

    private readonly Queue<byte[]> _served = new();

    /// <summary>Keep every GET body served (up to <see cref="MaxRecordedBodies"/>) so a test can check what a client printed.</summary>
    public bool RecordServedBodies { get; set; }

    /// <summary>Takes the bodies recorded so far, oldest first.</summary>
    public byte[][] TakeServedBodies()
    {
        lock (_lastSync)
        {
            var all = _served.ToArray();
            _served.Clear();
            return all;
        }
    }

    /// <summary>The port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The most connections served at once.</summary>
    public int MaxConnections { get; }

    /// <summary>Mode for requests that do not name one in the query string.</summary>
    public TickerMode Mode { get; set; } = TickerMode.ContentLength;

    /// <summary>How long <see cref="TickerMode.Slow"/> waits after the status line.</summary>
    public int SlowDelayMilliseconds { get; set; } = 2_000;

    /// <summary>The gap between bytes in <see cref="TickerMode.Trickle"/>.</summary>
    public int TrickleIntervalMilliseconds { get; set; } = 50;

    /// <summary>Smallest body in the huge modes (bytes).</summary>
    public int HugeSize { get; set; } = 16 * 1024;

    /// <summary>Requests answered (any route, any mode).</summary>
    public long RequestsServed => Interlocked.Read(ref _requests);

    /// <summary>GET requests answered.</summary>
    public long GetRequests => Interlocked.Read(ref _gets);

    /// <summary>POST requests answered.</summary>
    public long PostRequests => Interlocked.Read(ref _posts);

    /// <summary>Connections accepted (including rejected ones).</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>Connections turned away with 503 because <see cref="MaxConnections"/> were open.</summary>
    public long ConnectionsRejected => Interlocked.Read(ref _rejected);

    /// <summary>Requests that could not be read (bad request line, too big, too slow).</summary>
    public long BadRequests => Interlocked.Read(ref _badRequests);

    /// <summary>Connections open now.</summary>
    public int ActiveConnections => Volatile.Read(ref _active);

    /// <summary>The body (payload, before any framing) of the last response started.</summary>
    public byte[] LastResponseBody { get { lock (_lastSync) return _lastBody; } }

    /// <summary>The body of the last POST request.</summary>
    public byte[] LastPostBody { get { lock (_lastSync) return _lastPostBody; } }

    /// <summary>The request-target of the last request (path and query).</summary>
    public string LastRequestTarget { get { lock (_lastSync) return _lastTarget; } }

    /// <summary>The query-string name of a mode ("chunked" for <see cref="TickerMode.Chunked"/>, ...).</summary>
    public static string ModeName(TickerMode mode) => mode switch
    {
        TickerMode.ContentLength => "length",
        TickerMode.Chunked => "chunked",
        TickerMode.CloseDelimited => "close",
        TickerMode.Slow => "slow",
        TickerMode.Trickle => "trickle",
        TickerMode.Huge => "huge",
        TickerMode.HugeChunked => "huge-chunked",
        TickerMode.HugeCloseDelimited => "huge-close",
        TickerMode.Truncated => "truncated",
        TickerMode.TruncatedChunked => "truncated-chunked",
        TickerMode.MalformedStatusLine => "bad-status",
        TickerMode.MalformedHeader => "bad-header",
        TickerMode.MalformedChunk => "bad-chunk",
        TickerMode.InvalidJson => "bad-json",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    private static bool TryParseMode(string name, out TickerMode mode)
    {
        foreach (TickerMode m in Enum.GetValues<TickerMode>())
        {
            if (string.Equals(ModeName(m), name, StringComparison.OrdinalIgnoreCase))
            {
                mode = m;
                return true;
            }
        }
        mode = default;
        return false;
    }

    /// <summary>Stops listening, closes every connection and waits (bounded) for the handlers to end.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _listener.Stop();
        foreach (var entry in _connections.Values)
        {
            entry.Client.Dispose();
        }
        var tasks = new List<Task> { _acceptLoop };
        foreach (var entry in _connections.Values)
        {
            if (entry.Task is not null) tasks.Add(entry.Task);
        }
        try
        {
            Task.WaitAll(tasks.ToArray(), DisposeWaitMilliseconds);
        }
        catch (AggregateException)
        {
            // Handlers end by exceptions when their sockets are closed under them; that is the point.
        }
        _stop.Dispose();
    }

    // The accept loop, with what it did not expect reported (a task's exception would otherwise go unseen).
    private async Task AcceptLoopReportedAsync()
    {
        try
        {
            await AcceptLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Faults.Report("ticker accept", e);
        }
    }

    private async Task AcceptLoopAsync()
    {
        CancellationToken token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException)
            {
                if (token.IsCancellationRequested) break;
                continue;
            }

            Interlocked.Increment(ref _accepted);
            if (Interlocked.Increment(ref _active) > MaxConnections)
            {
                Interlocked.Decrement(ref _active);
                Interlocked.Increment(ref _rejected);
                Reject(client);
                continue;
            }

            long id = Interlocked.Increment(ref _connectionIds);
            _connections[id] = (client, Task.CompletedTask);
            var task = Task.Run(() => HandleAsync(client, id));
            // Gone already when the handler finished first; then there is nothing to record.
            _connections.TryUpdate(id, (client, task), (client, Task.CompletedTask));
        }
    }

    private static void Reject(TcpClient client)
    {
        try
        {
            byte[] busy = Encoding.ASCII.GetBytes(
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 17\r\nConnection: close\r\n\r\n{\"error\":\"busy\"}\n");
            client.Client.Send(busy);
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        finally
        {
            client.Dispose();
        }
    }

    private async Task HandleAsync(TcpClient client, long id)
    {
        try
        {
            client.NoDelay = true;
            NetworkStream stream = client.GetStream();
            Request? request;
            using (var readLimit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                readLimit.CancelAfter(RequestReadTimeoutMilliseconds);
                request = await ReadRequestAsync(stream, readLimit.Token).ConfigureAwait(false);
            }
            if (request is null)
            {
                Interlocked.Increment(ref _badRequests);
                await WriteAsync(stream, Encoding.ASCII.GetBytes(
                    "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token).ConfigureAwait(false);
            }
            else
            {
                await RespondAsync(stream, request, _stop.Token).ConfigureAwait(false);
            }
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away, or the server is stopping: this connection is done.
        }
        catch (Exception e)
        {
            Faults.Report("ticker connection " + id.ToString(CultureInfo.InvariantCulture), e);
        }
        finally
        {
            client.Dispose();
            _connections.TryRemove(id, out _);
            Interlocked.Decrement(ref _active);
        }
    }

    private sealed record Request(string Method, string Target, string Path, Dictionary<string, string> Query, string ContentType, byte[] Body);

    private static async Task<Request?> ReadRequestAsync(NetworkStream stream, CancellationToken token)
    {
        byte[] buffer = new byte[MaxRequestHeadBytes];
        int length = 0;
        int headEnd = -1;
        while (headEnd < 0)
        {
            if (length == buffer.Length) return null;
            int n = await stream.ReadAsync(buffer.AsMemory(length), token).ConfigureAwait(false);
            if (n == 0) return null;
            int scanFrom = Math.Max(0, length - 3);
            length += n;
            for (int i = scanFrom; i + 3 < length; i++)
            {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
                {
                    headEnd = i + 4;
                    break;
                }
            }
        }

        string head = Encoding.ASCII.GetString(buffer, 0, headEnd - 4);
        string[] lines = head.Split("\r\n");
        string[] requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal)) return null;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(':');
            if (colon <= 0) return null;
            headers[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
        }

        byte[] body = Array.Empty<byte>();
        if (headers.TryGetValue("Content-Length", out string? lengthText))
        {
            if (!int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out int contentLength)
                || contentLength > MaxRequestBodyBytes)
            {
                return null;
            }
            body = new byte[contentLength];
            int have = Math.Min(contentLength, length - headEnd);
            Array.Copy(buffer, headEnd, body, 0, have);
            while (have < contentLength)
            {
                int n = await stream.ReadAsync(body.AsMemory(have), token).ConfigureAwait(false);
                if (n == 0) return null;
                have += n;
            }
        }

        string target = requestLine[1];
        int q = target.IndexOf('?');
        string path = q < 0 ? target : target[..q];
        var query = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (q >= 0)
        {
            foreach (string pair in target[(q + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                int eq = pair.IndexOf('=');
                string key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
                query[key] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }
        headers.TryGetValue("Content-Type", out string? contentType);
        return new Request(requestLine[0], target, path, query, contentType ?? "", body);
    }

    private async Task RespondAsync(NetworkStream stream, Request request, CancellationToken token)
    {
        long number = Interlocked.Increment(ref _requests);
        TickerMode mode = Mode;
        if (request.Query.TryGetValue("mode", out string? modeName) && !TryParseMode(modeName, out mode))
        {
            mode = TickerMode.ContentLength;
        }
        int variant = QueryInt(request, "variant", (int)(number % 4));

        int status = 200;
        string body;
        bool isPost = request.Method == "POST";
        bool knownPath = request.Path is "/ticker" or "/v1/ticker" or "/v2/ticker/btcusd" or "/v1/bpi/currentprice.json" or "/v1/ack";
        if (isPost && knownPath)
        {
            Interlocked.Increment(ref _posts);
            lock (_lastSync) _lastPostBody = request.Body;
            body = "{\"ok\":true,\"id\":" + number.ToString(CultureInfo.InvariantCulture)
                + ",\"received\":" + request.Body.Length.ToString(CultureInfo.InvariantCulture)
                + ",\"contentType\":\"" + JsonEscape(request.ContentType) + "\"}";
        }
        else if (request.Method == "GET" && knownPath && request.Path != "/v1/ack")
        {
            Interlocked.Increment(ref _gets);
            body = mode is TickerMode.Huge or TickerMode.HugeChunked or TickerMode.HugeCloseDelimited
                ? _quotes.Huge(QueryInt(request, "size", HugeSize))
                : FormFor(request, number) == "coindesk" ? _quotes.NextCoinDesk() : _quotes.NextBitstamp();
        }
        else
        {
            status = knownPath ? 405 : 404;
            body = status == 404 ? "{\"error\":\"not found\"}" : "{\"error\":\"method not allowed\"}";
        }
        status = QueryInt(request, "status", status);

        if (mode == TickerMode.InvalidJson)
        {
            body = (variant % 3) switch
            {
                0 => body[..(body.Length * 3 / 5)],
                1 => "{\"high\": \"43250.00\", \"last\": , \"timestamp\": \"1700000000\"}",
                _ => body + "}",
            };
        }

        byte[] payload = Encoding.ASCII.GetBytes(body);
        lock (_lastSync)
        {
            _lastBody = payload;
            _lastTarget = request.Target;
            if (RecordServedBodies && _served.Count < MaxRecordedBodies) _served.Enqueue(payload);
        }

        var random = new Random((int)number);
        string statusLine = "HTTP/1.1 " + status.ToString(CultureInfo.InvariantCulture) + " " + Reason(status) + "\r\n";
        string common = "Date: " + DateTime.UtcNow.ToString("R", CultureInfo.InvariantCulture) + "\r\n"
            + "Server: CoreFirmware-TickerServer/1.0\r\n"
            + "Content-Type: application/json\r\n"
            + "Cache-Control: no-cache, no-store, must-revalidate\r\n"
            + "Access-Control-Allow-Origin: *\r\n"
            + "X-Request-Id: " + number.ToString(CultureInfo.InvariantCulture) + "\r\n"
            + "Connection: close\r\n";
        string lengthHeader = "Content-Length: " + payload.Length.ToString(CultureInfo.InvariantCulture) + "\r\n";
        const string ChunkedHeader = "Transfer-Encoding: chunked\r\nTrailer: X-Ticker-Checksum\r\n";

        switch (mode)
        {
            case TickerMode.Chunked:
            case TickerMode.HugeChunked:
                await WriteAsync(stream, Ascii(statusLine + common + ChunkedHeader + "\r\n"), token).ConfigureAwait(false);
                await WriteAsync(stream, Chunked(payload, random, payload.Length), token).ConfigureAwait(false);
                return;
            case TickerMode.CloseDelimited:
            case TickerMode.HugeCloseDelimited:
                await WriteAsync(stream, Concat(Ascii(statusLine + common + "\r\n"), payload), token).ConfigureAwait(false);
                return;
            case TickerMode.Slow:
                await WriteAsync(stream, Ascii(statusLine), token).ConfigureAwait(false);
                await Task.Delay(QueryInt(request, "delay", SlowDelayMilliseconds), token).ConfigureAwait(false);
                await WriteAsync(stream, Concat(Ascii(common + lengthHeader + "\r\n"), payload), token).ConfigureAwait(false);
                return;
            case TickerMode.Trickle:
                {
                    byte[] all = Concat(Ascii(statusLine + common + lengthHeader + "\r\n"), payload);
                    int interval = QueryInt(request, "interval", TrickleIntervalMilliseconds);
                    for (int i = 0; i < all.Length; i++)
                    {
                        await stream.WriteAsync(all.AsMemory(i, 1), token).ConfigureAwait(false);
                        await Task.Delay(interval, token).ConfigureAwait(false);
                    }
                    return;
                }
            case TickerMode.Truncated:
                await WriteAsync(stream, Concat(Ascii(statusLine + common + lengthHeader + "\r\n"), payload.AsSpan(0, payload.Length / 2).ToArray()), token).ConfigureAwait(false);
                return;
            case TickerMode.TruncatedChunked:
                {
                    byte[] chunked = Chunked(payload, random, payload.Length);
                    // Stop part-way into the data: at least one chunk header has gone out, the last chunk has not.
                    int cut = Math.Min(chunked.Length - 8, Math.Max(payload.Length / 2, 8));
                    await WriteAsync(stream, Concat(Ascii(statusLine + common + ChunkedHeader + "\r\n"), chunked.AsSpan(0, cut).ToArray()), token).ConfigureAwait(false);
                    return;
                }
            case TickerMode.MalformedStatusLine:
                {
                    string badStatus = (variant % 4) switch
                    {
                        0 => "HTP/1.1 200 OK\r\n",
                        1 => "HTTP/1.1 2O0 OK\r\n",
                        2 => "HTTP/1.1 200OK\r\n",
                        _ => "<html><body>Bad Gateway</body></html>\r\n",
                    };
                    await WriteAsync(stream, Concat(Ascii(badStatus + common + lengthHeader + "\r\n"), payload), token).ConfigureAwait(false);
                    return;
                }
            case TickerMode.MalformedHeader:
                {
                    string badHeaders = (variant % 3) switch
                    {
                        0 => common + "X-Broken header without colon\r\n" + lengthHeader,
                        1 => common + "Content-Length: 12abc\r\n",
                        _ => common + lengthHeader + " folded continuation line\r\n",
                    };
                    await WriteAsync(stream, Concat(Ascii(statusLine + badHeaders + "\r\n"), payload), token).ConfigureAwait(false);
                    return;
                }
            case TickerMode.MalformedChunk:
                {
                    byte[] bad = (variant % 2) == 0
                        ? Concat(Ascii("zz\r\n"), payload)
                        : Concat(Ascii("4\r\n"), Ascii(body.Length >= 8 ? body[..8] : body + "xxxxxxxx"));
                    await WriteAsync(stream, Concat(Ascii(statusLine + common + ChunkedHeader + "\r\n"), bad), token).ConfigureAwait(false);
                    return;
                }
            default:
                await WriteAsync(stream, Concat(Ascii(statusLine + common + lengthHeader + "\r\n"), payload), token).ConfigureAwait(false);
                return;
        }
    }

    private string FormFor(Request request, long number)
    {
        if (request.Query.TryGetValue("form", out string? form)) return form.ToLowerInvariant();
        if (request.Path == "/v2/ticker/btcusd") return "bitstamp";
        if (request.Path == "/v1/bpi/currentprice.json") return "coindesk";
        return number % 3 == 0 ? "coindesk" : "bitstamp";
    }

    /// <summary>
    /// Chunked encoding with varying chunk sizes (1 to 80 bytes, so even a small ticker spans several chunks), a chunk extension on every third
    /// chunk (plain, with a token value, with a quoted value) and a trailer field after the last chunk.
    /// </summary>
    private static byte[] Chunked(byte[] payload, Random random, int length)
    {
        var output = new MemoryStream(length + length / 4 + 64);
        int position = 0;
        int index = 0;
        uint checksum = 0;
        while (position < length)
        {
            int size = Math.Min(length - position, 1 + random.Next(80));
            string sizeLine = (index % 2 == 0 ? size.ToString("x", CultureInfo.InvariantCulture) : size.ToString("X", CultureInfo.InvariantCulture))
                + (index % 3) switch
                {
                    1 => ";seq=" + index.ToString(CultureInfo.InvariantCulture),
                    2 => "; note=\"tick; tock\"",
                    _ => "",
                } + "\r\n";
            output.Write(Ascii(sizeLine));
            output.Write(payload, position, size);
            output.Write("\r\n"u8);
            for (int i = position; i < position + size; i++) checksum = checksum * 31 + payload[i];
            position += size;
            index++;
        }
        output.Write(Ascii("0\r\nX-Ticker-Checksum: " + checksum.ToString("x8", CultureInfo.InvariantCulture) + "\r\n\r\n"));
        return output.ToArray();
    }

    private static int QueryInt(Request request, string key, int fallback) =>
        request.Query.TryGetValue(key, out string? text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
            ? value
            : fallback;

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };

    private static string JsonEscape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c == '"' || c == '\\') sb.Append('\\').Append(c);
            else if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Concat(byte[] a, byte[] b)
    {
        var all = new byte[a.Length + b.Length];
        a.CopyTo(all, 0);
        b.CopyTo(all, a.Length);
        return all;
    }

    private static async Task WriteAsync(NetworkStream stream, byte[] data, CancellationToken token)
    {
        await stream.WriteAsync(data, token).ConfigureAwait(false);
        await stream.FlushAsync(token).ConfigureAwait(false);
    }
}
