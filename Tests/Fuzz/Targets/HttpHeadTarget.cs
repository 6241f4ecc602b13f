using System.Text;
using CoreFirmware.Fuzz.Engine;

namespace CoreFirmware.Fuzz.Targets;

/// <summary>
/// HTTP response heads (status line, fields, framing choice, interim responses), each input a
/// whole response; see <see cref="HttpResponseCheck"/> for the invariants.
/// </summary>
public sealed class HttpHeadTarget : IFuzzTarget
{
    private readonly HttpResponseCheck _check = new();

    public string Name => "http-head";

    public int MaxInputLength => 1400;

    public IReadOnlyList<byte[]> Dictionary { get; } = HttpDictionary.Head;

    public string Run(byte[] input) => _check.Run(input);
}

/// <summary>
/// HTTP message bodies: the first input byte picks a head (chunked, Content-Length of the body's
/// length, Content-Length from the second byte, close-delimited, Transfer-Encoding not chunked),
/// the rest is the body, so mutations land on the framing; see <see cref="HttpResponseCheck"/>.
/// </summary>
public sealed class HttpBodyTarget : IFuzzTarget
{
    private static readonly byte[][] Heads = HttpDictionary.Bytes(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: {0}\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: {1}\r\n\r\n",
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        "HTTP/1.0 200 OK\nTransfer-Encoding: gzip\nTransfer-Encoding: chunked\n\n");

    private readonly HttpResponseCheck _check = new();

    public string Name => "http-body";

    public int MaxInputLength => 1200;

    public IReadOnlyList<byte[]> Dictionary { get; } = HttpDictionary.Body;

    public string Run(byte[] input)
    {
        if (input.Length == 0) return "empty";
        byte[] body = input[1..];
        string head = Encoding.Latin1.GetString(Heads[input[0] % Heads.Length])
            .Replace("{0}", body.Length.ToString())
            .Replace("{1}", body.Length > 0 ? body[0].ToString() : "0");
        return (input[0] % Heads.Length) + ":" + _check.Run([.. Encoding.Latin1.GetBytes(head), .. body]);
    }
}

internal static class HttpDictionary
{
    public static byte[][] Bytes(params string[] texts) => texts.Select(Encoding.Latin1.GetBytes).ToArray();

    public static readonly byte[][] Head = Bytes(
        "\r\n", "\r", "\n", "\r\n\r\n", ":", ": ", " ", "\t", ",", ";", "\"", "HTTP/1.1 ", "HTTP/1.0 ", "200 OK", "100 Continue\r\n\r\n",
        "101", "204", "304", "199", "600", "Content-Length: ", "Content-Length: 5\r\n", "content-length:0\r\n", "Transfer-Encoding: ",
        "Transfer-Encoding: chunked\r\n", "chunked", "gzip", "identity", "X-A: b\r\n", "0", "5", "99999999999999999999", "2147483648",
        "5\r\nhello\r\n0\r\n\r\n", "\x7F", "\x80", "\x00");

    public static readonly byte[][] Body = Bytes(
        "\r\n", "\r", "\n", "0\r\n\r\n", "0\n\n", ";", "=", "\"", "\\", " ", "\t", "a", "ext", "5\r\nhello\r\n", "F", "ff",
        "0000000", "FFFFFFFF", "10000000", ";a=b", ";a=\"x\"", "X: y\r\n", ":", "\x01", "\x7F", "\x80");
}
