using CoreFirmware.Application.Http;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Fuzz.Engine;

namespace CoreFirmware.Fuzz.Targets;

/// <summary>
/// Runs one response through the firmware's REST client (head parser and body decoder) in one
/// piece and split into small receives, and checks: only the results a response can cause; the
/// same verdict, status and body for every split; a body within the body buffer; and agreement
/// with <see cref="HttpReference"/>: every response the client takes is one the RFC reading takes,
/// with the same status and body, and every response the RFC reading takes that fits the buffers
/// the client takes too.
/// </summary>
internal sealed class HttpResponseCheck
{
    public const int HeadBuffer = 1024;
    public const int BodyBuffer = 512;

    private static readonly int[][] Splits = [[int.MaxValue], [1], [3, 1, 7], [64, 2]];

    private sealed class StillClock : IClock
    {
        public long UptimeMilliseconds => 0;
        public long UptimeTicks => 0;
    }

    private readonly FuzzSockets _sockets = new();
    private readonly RestClient _client;

    public HttpResponseCheck()
    {
        _client = new RestClient(_sockets, new StillClock(), HeadBuffer, BodyBuffer);
    }

    public string Run(byte[] response)
    {
        HttpResult first = default;
        int status = 0;
        byte[] body = [];
        foreach (int[] split in Splits)
        {
            _sockets.Serve(response, split);
            HttpResult r = _client.Get("10.0.0.2", 80, "/");
            FuzzInvariantException.Check(r is HttpResult.Ok or HttpResult.TooLarge or HttpResult.HeadersTooLarge or HttpResult.Truncated or HttpResult.MalformedResponse,
                $"result {r} from a canned response");
            FuzzInvariantException.Check(_client.BodyLength >= 0 && _client.BodyLength <= BodyBuffer, $"body length {_client.BodyLength}");
            byte[] b = _client.Body.AsSpan(_client.BodyOffset, _client.BodyLength).ToArray();
            if (split == Splits[0])
            {
                first = r;
                status = _client.StatusCode;
                body = b;
                continue;
            }

            FuzzInvariantException.Check(r == first && _client.StatusCode == status && b.AsSpan().SequenceEqual(body),
                $"split [{string.Join(",", split)}] gave {r}/{_client.StatusCode}/{b.Length} bytes, one piece {first}/{status}/{body.Length} bytes");
        }

        HttpReference.Response reference = HttpReference.Read(response, BodyBuffer);
        if (first == HttpResult.Ok)
        {
            FuzzInvariantException.Check(reference.Ok, $"the client took a response the RFC reading refuses ({reference.Why})");
            FuzzInvariantException.Check(reference.Status == status && reference.Body.AsSpan().SequenceEqual(body),
                $"client {status} with {body.Length} body bytes, RFC reading {reference.Status} with {reference.Body.Length}");
            FuzzInvariantException.Check(status >= 200 && status <= 599, $"final status {status}");
        }
        else if (reference.Ok && reference.WithinFirmwareBounds && response.Length <= HeadBuffer)
        {
            throw new FuzzInvariantException($"the client said {first} to a response the RFC reading takes ({reference.Status}, {reference.Body.Length} body bytes)");
        }

        return $"{first}:{status / 100}:{(reference.Ok ? "ok" : reference.Why)}:{Math.Min(body.Length, 8)}";
    }
}
