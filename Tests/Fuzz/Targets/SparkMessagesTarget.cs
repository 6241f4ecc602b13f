using CoreFirmware.Fuzz.Engine;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Fuzz.Targets;

/// <summary>
/// The Spark protocol readers over decoded CoAP messages: Classify, the chunk CRC and index, the
/// missed-chunk list, UpdateReady's version, Hello's versions, the UpdateBegin parameters and the
/// chunk CRC-32, then the responses built from a hostile request (UpdateReady, ChunkReceived,
/// GetTimeReturn, DescribeReturn). Invariants: readers give their documented results and values in
/// range; a reader of another kind says WrongMessage; every response decodes and echoes the
/// request's token (and an ACK its message id), as spark-protocol routes them.
/// </summary>
public sealed class SparkMessagesTarget : IFuzzTarget
{
    private readonly CoapMessage _message = new();
    private readonly CoapMessage _reply = new();
    private readonly CoapWriter _writer = new();
    private readonly UpdateParameters _parameters = new();
    private readonly byte[] _out = new byte[1024];
    private static readonly byte[] Json = "{\"f\":[],\"v\":{}}"u8.ToArray();

    public string Name => "spark";

    public int MaxInputLength => 1200;

    public IReadOnlyList<byte[]> Dictionary { get; } =
    [
        [0xFF], [0xB1, (byte)'c'], [0xB1, (byte)'u'], [0xB1, (byte)'h'], [0xB1, (byte)'d'], [0xB1, (byte)'t'], [0xB1, (byte)'e'],
        [0xB1, (byte)'s', 0x09, .. "safe-mode"u8], [0x44], [0x42], [0x41], [0x40], [0x01], [0x02], [0x03], [0x45],
        [0x04, 0, 0, 0, 0], [0x02, 0, 1], [0x42, 0x02], [0xFF, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    ];

    public string Run(byte[] input)
    {
        CoapResult decoded = _message.Decode(input, 0, input.Length);
        if (decoded != CoapResult.Ok) return "coap:" + decoded;
        MessageKind kind = SparkMessages.Classify(_message);

        CoapResult crc = SparkMessages.ReadChunkCrc(_message, out uint _);
        CoapResult index = SparkMessages.ReadChunkIndex(_message, out int chunkIndex);
        if (kind != MessageKind.Chunk)
        {
            FuzzInvariantException.Check(crc == CoapResult.WrongMessage && index == CoapResult.WrongMessage, $"{kind}: chunk readers said {crc}/{index}");
        }
        else
        {
            FuzzInvariantException.Check(crc is CoapResult.Ok or CoapResult.BadField && index is CoapResult.Ok or CoapResult.BadField, $"chunk readers said {crc}/{index}");
            FuzzInvariantException.Check(index != CoapResult.Ok || (chunkIndex >= -1 && chunkIndex <= 0xFFFF), $"chunk index {chunkIndex}");
            _ = Crc32.Compute(_message.Buffer, _message.PayloadOffset, _message.PayloadLength);
        }

        int missed = SparkMessages.ReadMissedChunkCount(_message);
        FuzzInvariantException.Check(missed == -1 || (kind == MessageKind.ChunkMissed && missed * 2 == _message.PayloadLength), $"{kind}: missed count {missed}");
        for (int i = 0; i < missed; i++)
        {
            int chunk = SparkMessages.ReadMissedChunk(_message, i);
            FuzzInvariantException.Check(chunk >= 0 && chunk <= 0xFFFF, $"missed chunk {chunk}");
        }

        int version = SparkMessages.ReadUpdateReadyVersion(_message);
        FuzzInvariantException.Check(version >= -1 && version <= 255, $"update-ready version {version}");
        if (SparkMessages.ReadHelloVersion(_message, out int product, out int firmware))
        {
            FuzzInvariantException.Check(kind == MessageKind.Hello && product is >= 0 and <= 0xFFFF && firmware is >= 0 and <= 0xFFFF, $"hello {product}/{firmware}");
        }

        CoapResult begin = _parameters.Read(_message);
        if (kind != MessageKind.UpdateBegin) FuzzInvariantException.Check(begin == CoapResult.WrongMessage, $"{kind}: UpdateParameters said {begin}");
        if (begin == CoapResult.Ok)
        {
            FuzzInvariantException.Check(_parameters.ChunkSize >= 1 && _parameters.ChunkSize <= SparkProtocol.MaxChunkSize
                && _parameters.Destination >= 0 && _parameters.Destination <= UpdateParameters.DestinationUserMemory, "update parameters out of range");
        }

        // Responses built from this request.
        CheckReply(SparkMessages.UpdateReady(_writer, _out, 0, _out.Length, 7, _message, 1), "UpdateReady");
        CheckReply(SparkMessages.ChunkReceived(_writer, _out, 0, _out.Length, 8, _message, true), "ChunkReceived");
        CheckReply(SparkMessages.GetTimeReturn(_writer, _out, 0, _out.Length, _message, 1400000000), "GetTimeReturn");
        CheckReply(SparkMessages.DescribeReturn(_writer, _out, 0, _out.Length, 9, _message, Json, 0, Json.Length), "DescribeReturn");
        return $"{kind}:{crc}:{index}:{missed >= 0}:{begin}";
    }

    private void CheckReply(CoapResult built, string what)
    {
        if (built != CoapResult.Ok) return;
        CoapResult r = _reply.Decode(_out, 0, _writer.Length);
        FuzzInvariantException.Check(r == CoapResult.Ok, $"{what} built from the request does not decode: {r}");
        FuzzInvariantException.Check(_reply.TokenEquals(_message.Token, 0, _message.TokenLength), $"{what} does not echo the request's token");
        FuzzInvariantException.Check(_reply.Type != CoapType.Acknowledgement || _reply.MessageId == _message.MessageId, $"{what} acknowledges another message id");
    }
}
