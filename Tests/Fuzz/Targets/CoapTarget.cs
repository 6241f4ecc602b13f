using CoreFirmware.Fuzz.Engine;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Fuzz.Targets;

/// <summary>
/// The CoAP decoder. Invariants: the same result for the bytes alone and placed inside a larger
/// buffer; on Ok, token, options and payload lie within the message, option numbers ascend, and
/// encoding the decoded message with CoapWriter gives back exactly the input (CoAP's option
/// encoding has one form per value, so decode then encode is the identity); otherwise the message
/// is left cleared.
/// </summary>
public sealed class CoapTarget : IFuzzTarget
{
    private const int Margin = 5;

    private readonly CoapMessage _message = new();
    private readonly CoapMessage _inner = new();
    private readonly CoapWriter _writer = new();
    private readonly byte[] _framed = new byte[2048 + 2 * Margin];
    private readonly byte[] _encoded = new byte[2048];

    public string Name => "coap";

    public int MaxInputLength => 2048;

    public IReadOnlyList<byte[]> Dictionary { get; } =
    [
        [0xFF], [0x40], [0x50], [0x41, 0x02], [0xB1, (byte)'c'], [0xD0, 0x00], [0xE0, 0xFF, 0xFF], [0x0D, 0xFF], [0x0E, 0x01, 0x00],
        [0x4F], [0xF0], [0x0F], [0x48], [0x44, 0x01, 0x12, 0x34, 1, 2, 3, 4], [0x41, 0x00, 0x00, 0x00, 0x00],
    ];

    public string Run(byte[] input)
    {
        CoapResult r = _message.Decode(input, 0, input.Length);
        _framed.AsSpan().Fill(0xA5);
        input.CopyTo(_framed, Margin);
        CoapResult inner = _inner.Decode(_framed, Margin, input.Length);
        FuzzInvariantException.Check(inner == r, $"decoded {r} alone, {inner} at offset {Margin}");
        if (r != CoapResult.Ok)
        {
            FuzzInvariantException.Check(_message.OptionCount == 0 && _message.PayloadLength == 0 && _message.Buffer == null, $"{r} left a message behind");
            return r.ToString();
        }

        CheckWithin(_message, 0, input.Length);
        CheckWithin(_inner, Margin, input.Length);
        for (int i = 0; i < _message.OptionCount; i++)
        {
            FuzzInvariantException.Check(_inner.GetOptionNumber(i) == _message.GetOptionNumber(i) && _inner.GetOptionOffset(i) == _message.GetOptionOffset(i) + Margin,
                $"option {i} differs at an offset");
        }

        byte[] encoded = Encode(_message, _writer, _encoded, out CoapResult w);
        FuzzInvariantException.Check(w == CoapResult.Ok, $"re-encoding a decoded message failed: {w}");
        FuzzInvariantException.Check(encoded.AsSpan().SequenceEqual(input), $"re-encoded to {Convert.ToHexString(encoded)}");
        return $"Ok:{_message.Type}:{_message.Code >> 5}:{Math.Min(_message.OptionCount, 4)}:{(_message.PayloadLength > 0 ? "p" : "")}";
    }

    private static void CheckWithin(CoapMessage m, int offset, int count)
    {
        int end = offset + count;
        FuzzInvariantException.Check(m.TokenLength <= CoapMessage.MaxTokenLength, $"token length {m.TokenLength}");
        int last = 0;
        for (int i = 0; i < m.OptionCount; i++)
        {
            int number = m.GetOptionNumber(i);
            int at = m.GetOptionOffset(i);
            int length = m.GetOptionLength(i);
            FuzzInvariantException.Check(number >= last && number <= CoapOption.MaxNumber, $"option {i} number {number} after {last}");
            FuzzInvariantException.Check(at >= offset + CoapMessage.HeaderLength && length >= 0 && at + length <= end, $"option {i} value {at}+{length} outside {offset}..{end}");
            last = number;
            _ = m.GetOptionUInt(i);
            _ = m.GetOptionUInt32(i);
        }

        FuzzInvariantException.Check(m.PayloadLength >= 0 && m.PayloadOffset >= offset && m.PayloadOffset + m.PayloadLength <= end, $"payload {m.PayloadOffset}+{m.PayloadLength}");
    }

    /// <summary>Writes <paramref name="m"/> again with CoapWriter; the bytes, or empty on failure.</summary>
    internal static byte[] Encode(CoapMessage m, CoapWriter writer, byte[] buffer, out CoapResult result)
    {
        writer.Start(buffer, 0, buffer.Length, m.Type, m.Code, m.MessageId, m.Token, 0, m.TokenLength);
        for (int i = 0; i < m.OptionCount; i++) writer.AddOption(m.GetOptionNumber(i), m.Buffer, m.GetOptionOffset(i), m.GetOptionLength(i));
        writer.SetPayload(m.Buffer, m.PayloadOffset, m.PayloadLength);
        result = writer.Result;
        return result == CoapResult.Ok ? buffer.AsSpan(0, writer.Length).ToArray() : [];
    }
}
