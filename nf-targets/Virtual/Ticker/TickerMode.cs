namespace CoreFirmware.Virtual.Ticker;

/// <summary>
/// How <see cref="TickerServer"/> frames (or breaks) a response. Set <see cref="TickerServer.Mode"/>
/// for every request, or per request with the query string: <c>?mode=</c> followed by the name in
/// brackets.
/// </summary>
public enum TickerMode
{
    /// <summary>[length] Content-Length body. The default.</summary>
    ContentLength,
    /// <summary>[chunked] Transfer-Encoding: chunked, chunks of varying sizes, some with chunk extensions, and a trailer field.</summary>
    Chunked,
    /// <summary>[close] No length: the body ends when the server closes the connection.</summary>
    CloseDelimited,
    /// <summary>[slow] Sends the status line, then waits <see cref="TickerServer.SlowDelayMilliseconds"/> before the rest.</summary>
    Slow,
    /// <summary>[trickle] Sends the whole response one byte every <see cref="TickerServer.TrickleIntervalMilliseconds"/>.</summary>
    Trickle,
    /// <summary>[huge] A valid JSON body of at least <see cref="TickerServer.HugeSize"/> bytes (or <c>?size=</c>), Content-Length.</summary>
    Huge,
    /// <summary>[huge-chunked] The huge body, chunked.</summary>
    HugeChunked,
    /// <summary>[huge-close] The huge body, close-delimited.</summary>
    HugeCloseDelimited,
    /// <summary>[truncated] Declares Content-Length N, sends about half of the body, closes.</summary>
    Truncated,
    /// <summary>[truncated-chunked] Chunked, stops in the middle of a chunk, closes.</summary>
    TruncatedChunked,
    /// <summary>[bad-status] A broken status line (variant by <c>?variant=</c> or round robin).</summary>
    MalformedStatusLine,
    /// <summary>[bad-header] A header line without a colon, or a non-numeric Content-Length.</summary>
    MalformedHeader,
    /// <summary>[bad-chunk] Chunked with an invalid chunk-size line.</summary>
    MalformedChunk,
    /// <summary>[bad-json] Valid HTTP whose body is not valid JSON (cut short, missing value, stray brace).</summary>
    InvalidJson,
}
