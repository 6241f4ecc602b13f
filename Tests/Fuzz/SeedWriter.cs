using System.Text;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Fuzz;

/// <summary>
/// Writes the seed corpus (`write-seeds`): a few valid and a few just-invalid inputs per target.
/// The image seeds are signed with a new throw-away key whose public point goes to
/// Corpus/image.pub.bin (the private key is not kept); re-running replaces them all.
/// </summary>
public static class SeedWriter
{
    public static void WriteAll(string corpus)
    {
        Text(corpus, "json",
            "{\"high\": \"457.00\", \"last\": \"451.10\", \"timestamp\": \"1405021290\", \"bid\": \"451.00\", \"vwap\": \"449.5\", \"volume\": \"7561.06751309\", \"low\": \"441.43\", \"ask\": \"451.10\", \"open\": 452.3}",
            "{\"time\":{\"updated\":\"Jul 10, 2014 19:41:00 UTC\"},\"bpi\":{\"USD\":{\"code\":\"USD\",\"rate\":\"621.5683\",\"rate_float\":621.5683}}}",
            "[0, -0, 1.5e3, -2.25E-7, 123456789012345678901234567890, 1e400, 0.0000000000000000000000000000000000001, 9223372036854775807, -9223372036854775809, 4.9406564584124654e-324, 1.7976931348623157e308]",
            "{\"esc\": \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\", \"utf8\": \"caf\u00e9 \u4e2d \U0001F600\", \"empty\": \"\", \"k\": {\"k\": [[], {}, [null, true, false]]}}",
            "  [1, [2, [3, [4, [5, [6, [7, [8]]]]]]]]  ",
            "42",
            "\"lone \\ud800 surrogate\"",
            "{\"a\":1,}",
            "[1 2]",
            "{\"a\" 1}",
            "-",
            "\"\u0001\"");
        string bitstamp = "{\"last\": \"451.10\", \"bid\": \"451.00\"}";
        Text(corpus, "http-head",
            $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bitstamp.Length}\r\nConnection: close\r\n\r\n{bitstamp}",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
            "HTTP/1.0 204 No Content\nX-A: b\n\n",
            "HTTP/1.1 304\r\nETag: \"x\"\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\nnope!",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nclose-delimited body",
            "HTTP/1.1 200 OK\r\n\rTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nx",
            "HTTP/1.1 200 OK\r\n folded: x\r\n\r\n");
        // http-body: the first byte picks the head (see HttpBodyTarget), the rest is the body.
        Text(corpus, "http-body",
            "\u00005\r\nhello\r\n0\r\n\r\n",
            "\u0000A;name=value;q=\"quoted \\\" ;\"\r\n0123456789\r\n0;last\r\nX-Sum: 12\r\n\r\n",
            "\u00001\n!\n0\n\n",
            "\u0001{\"last\": \"451.10\"}",
            "\u000212345",
            "\u0003anything until the close",
            "\u00045\r\nhello\r\n0\r\n\r\n",
            "\u00055\r\nhello\r\n0\r\n\r\n",
            "\u00005;a=\u0001\r\nhello\r\n0\r\n\r\n",
            "\u00005\r\nhello\r\n0\r\nX: a\rb\r\n\r\n",
            "\u0000FFFFFFFFF\r\n");

        var coap = new List<(string, byte[])>();
        var spark = new List<(string, byte[])>();
        var w = new CoapWriter();
        var buffer = new byte[700];
        byte[] Built(CoapResult r) => r == CoapResult.Ok ? buffer[..w.Length] : throw new InvalidOperationException($"seed did not build: {r}");
        var begin = new UpdateParameters { HasPayload = true, ChunkSize = 512, FileSize = 30000, Destination = 0 };
        byte[] data = Enumerable.Range(0, 512).Select(i => (byte)i).ToArray();
        spark.Add(("hello", Built(SparkMessages.Hello(w, buffer, 0, buffer.Length, 1, -1, 6, 42))));
        spark.Add(("ping", Built(SparkMessages.Ping(w, buffer, 0, buffer.Length, 2))));
        spark.Add(("describe", Built(SparkMessages.Describe(w, buffer, 0, buffer.Length, 3, 7))));
        spark.Add(("update-begin", Built(SparkMessages.UpdateBegin(w, buffer, 0, buffer.Length, 4, 8, begin))));
        spark.Add(("chunk", Built(SparkMessages.Chunk(w, buffer, 0, buffer.Length, 5, 9, Crc32.Compute(data, 0, 512), -1, data, 0, 512))));
        spark.Add(("chunk-fast", Built(SparkMessages.Chunk(w, buffer, 0, buffer.Length, 6, 10, Crc32.Compute(data, 0, 16), 3, data, 0, 16))));
        spark.Add(("chunk-missed", Built(SparkMessages.ChunkMissed(w, buffer, 0, buffer.Length, 7, [1, 5, 300], 0, 3))));
        spark.Add(("update-done", Built(SparkMessages.UpdateDone(w, buffer, 0, buffer.Length, 8, 11))));
        spark.Add(("safe-mode", Built(SparkMessages.SafeModeRequest(w, buffer, 0, buffer.Length, 9, 12))));
        spark.Add(("get-time", Built(SparkMessages.GetTime(w, buffer, 0, buffer.Length, 10))));
        spark.Add(("event", Built(SparkMessages.Event(w, buffer, 0, buffer.Length, 11, true, "temp"u8.ToArray(), 0, 4, 60, "21.5"u8.ToArray(), 0, 4))));
        foreach (var (name, bytes) in spark.Take(6)) coap.Add((name, bytes));
        coap.Add(("empty-ack-token", [0x61, 0x00, 0x12, 0x34, 0x00]));
        coap.Add(("extended-options", [0x40, 0x01, 0x00, 0x01, 0xD1, 0x02, 0x41, 0xE2, 0x00, 0x10, 0x61, 0x62, 0xFF, 0x01]));
        coap.Add(("long-option", [0x42, 0x02, 0x00, 0x02, 0xAB, 0xBD, 0x05, .. Enumerable.Repeat((byte)'x', 18), 0xFF, 0x00]));
        coap.Add(("empty-payload-marker", [0x40, 0x02, 0x00, 0x03, 0xFF]));
        coap.Add(("reserved-nibble", [0x40, 0x02, 0x00, 0x03, 0xF1, 0x00]));
        Binary(corpus, "coap", coap);
        Binary(corpus, "spark", spark);

        // HCI: frames, each a big-endian u16 SPI length and the packet (see HciEventTarget).
        static byte[] Frames(params byte[][] packets) => packets.SelectMany(p => (byte[])[(byte)(p.Length >> 8), (byte)p.Length, .. p]).ToArray();
        byte[] freeBuffers = [0x04, 0x00, 0x41, 0x0B, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01, 0x00];
        byte[] connect = [0x04, 0x01, 0x80, 0x01, 0x00];
        byte[] dhcp = [0x04, 0x10, 0x80, 0x05, 0x00, 0x0A, 0x00, 0x00, 0x01];
        byte[] disconnect = [0x04, 0x02, 0x80, 0x01, 0x00];
        byte[] closeWait = [0x04, 0x0C, 0x80, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00];
        byte[] recvAnswer = [0x04, 0x04, 0x10, 0x0D, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
        byte[] dataPacket = [0x02, 0x85, 0x08, 0x0C, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, (byte)'d', (byte)'a', (byte)'t', (byte)'a'];
        Binary(corpus, "hci",
        [
            ("free-buffers", Frames(freeBuffers)),
            ("join", Frames(connect, dhcp)),
            ("drop", Frames(connect, dhcp, disconnect, closeWait)),
            ("stray-answer-and-data", Frames(recvAnswer, dataPacket)),
            ("bad-lengths", [0x00, 0x00, 0x07, 0xD0, 0x04, 0x00, 0x41, 0xFF, 0x00]),
            ("short-event", Frames([0x04, 0x01, 0x80], [0x04, 0x00, 0x41, 0x00, 0x00], [0x02, 0x85, 0x09, 0x04, 0x00])),
        ]);

        // Images signed with a throw-away key for this board.
        using var key = ImageSigner.GenerateKey();
        File.WriteAllBytes(Path.Combine(corpus, "image.pub.bin"), ImageSigner.PublicKeyPoint(key));
        byte[] small = Encoding.ASCII.GetBytes("a tiny payload");
        byte[] larger = Enumerable.Range(0, 700).Select(i => (byte)(i * 7)).ToArray();
        byte[] signedSmall = ImageSigner.Sign(small, new ImageVersion(1, 2, 3, 4), SparkCoreBoard.ImageBoardId, key);
        byte[] signedLarger = ImageSigner.Sign(larger, new ImageVersion(2, 0, 0, 0), SparkCoreBoard.ImageBoardId, key, flags: 1);
        byte[] otherBoard = ImageSigner.Sign(small, new ImageVersion(1, 0, 0, 0), 0x12345678, key);
        byte[] badHash = (byte[])signedSmall.Clone();
        badHash[ImageFormat.HeaderSize] ^= 1;
        Binary(corpus, "image",
        [
            ("signed-small", signedSmall),
            ("signed-larger", signedLarger),
            ("other-board", otherBoard),
            ("bad-hash", badHash),
            ("trailer-cut", signedSmall[..^10]),
            ("tail-bytes", [.. signedSmall, 0, 1, 2, 3]),
            ("header-only", signedSmall[..ImageFormat.HeaderSize]),
        ]);
        Console.WriteLine($"seeds written to {Path.GetFullPath(corpus)}");
    }

    private static void Text(string corpus, string target, params string[] seeds) =>
        Binary(corpus, target, seeds.Select(s => ("", Encoding.UTF8.GetBytes(s))).ToList());

    private static void Binary(string corpus, string target, IReadOnlyList<(string Name, byte[] Bytes)> seeds)
    {
        string folder = Path.Combine(corpus, target);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        for (int i = 0; i < seeds.Count; i++) File.WriteAllBytes(Path.Combine(folder, $"{i:00}{(seeds[i].Name.Length > 0 ? "-" + seeds[i].Name : "")}.bin"), seeds[i].Bytes);
    }
}
