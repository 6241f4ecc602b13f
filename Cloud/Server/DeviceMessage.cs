using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Cloud;

/// <summary>
/// A message received from a device, copied out of the receive buffer (the connection reuses it)
/// so it can be handed to the OTA flasher.
/// </summary>
/// <param name="Kind">How spark-protocol would route it.</param>
/// <param name="Type">CoAP type.</param>
/// <param name="Code">CoAP code byte.</param>
/// <param name="MessageId">CoAP message id.</param>
/// <param name="Token">The 1-byte token, or -1 when the message has none (or a longer one).</param>
/// <param name="Payload">The payload (empty when none).</param>
/// <param name="EventName">For events: the name (second Uri-Path segment); null otherwise.</param>
public sealed record DeviceMessage(MessageKind Kind, CoapType Type, int Code, int MessageId, int Token, byte[] Payload, string? EventName)
{
    /// <summary>An event's Max-Age (its TTL in seconds), 0 when absent.</summary>
    public int TtlSeconds { get; init; }

    /// <summary>The payload as ASCII text (reasons, event data).</summary>
    public string PayloadText => System.Text.Encoding.ASCII.GetString(Payload);

    /// <summary>Copies a decoded message.</summary>
    public static DeviceMessage From(CoapMessage m, MessageKind kind)
    {
        byte[] payload = new byte[m.PayloadLength];
        Array.Copy(m.Buffer, m.PayloadOffset, payload, 0, m.PayloadLength);
        int token = m.TokenLength == 1 ? m.Token[0] : -1;
        string? name = null;
        if (kind == MessageKind.PublicEvent || kind == MessageKind.PrivateEvent)
        {
            // Uri-Path "e"/"E" then the name; spark-protocol joins further segments with '/'.
            var parts = new List<string>();
            for (int i = 1; ; i++)
            {
                int at = m.FindOption(CoapOption.UriPath, i);
                if (at < 0)
                {
                    break;
                }

                parts.Add(System.Text.Encoding.ASCII.GetString(m.Buffer, m.GetOptionOffset(at), m.GetOptionLength(at)));
            }

            name = string.Join('/', parts);
        }

        int ttl = 0;
        int maxAge = m.FindOption(CoapOption.MaxAge, 0);
        if (maxAge >= 0)
        {
            ttl = (int)m.GetOptionUInt32(maxAge);
        }

        return new DeviceMessage(kind, m.Type, m.Code, m.MessageId, token, payload, name) { TtlSeconds = ttl };
    }
}
