namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// What a decoded message is, as spark-protocol routes it: requests by code plus the first
    /// character of the first Uri-Path segment (Messages.getRouteKey), empty messages by type,
    /// everything else is a response matched to its request by token.
    /// </summary>
    public enum MessageKind
    {
        /// <summary>A request the protocol does not define.</summary>
        Unknown = 0,

        /// <summary>POST "h" (NON): first message of each side after the handshake.</summary>
        Hello,

        /// <summary>Empty CON: keep-alive, answered by an empty ACK with the same id.</summary>
        Ping,

        /// <summary>Empty ACK (PingAck, EventAck, ChunkMissedAck, SubscribeAck).</summary>
        EmptyAck,

        /// <summary>Empty RST.</summary>
        Reset,

        /// <summary>A non-empty response code (2.xx, 4.xx, 5.xx): match it by token.</summary>
        Response,

        /// <summary>GET "d" (CON): the cloud asks for the function/variable description.</summary>
        Describe,

        /// <summary>POST "u" (CON): the cloud starts an OTA update.</summary>
        UpdateBegin,

        /// <summary>POST "c" (CON): one OTA chunk, CRC32 in the first Uri-Query.</summary>
        Chunk,

        /// <summary>GET "c" (CON): the device asks for chunks again (fast OTA).</summary>
        ChunkMissed,

        /// <summary>PUT "u" (CON): the cloud has sent every chunk.</summary>
        UpdateDone,

        /// <summary>POST "f" (CON): call a user function.</summary>
        FunctionCall,

        /// <summary>GET "v" (CON): read a user variable.</summary>
        VariableRequest,

        /// <summary>POST "e" (NON): public event.</summary>
        PublicEvent,

        /// <summary>POST "E" (NON): private event.</summary>
        PrivateEvent,

        /// <summary>GET "e" (CON): the device subscribes to events.</summary>
        Subscribe,

        /// <summary>GET "t" (CON): the device asks for the time.</summary>
        GetTime,

        /// <summary>PUT "k" (CON): the cloud changes the AES credentials.</summary>
        KeyChange,

        /// <summary>PUT "s" (CON): the cloud asks the device to signal (Uri-Query 1 byte: on/off).</summary>
        RaiseYourHand,

        /// <summary>POST "s"/"safe-mode" (CON, token): the cloud asks for safe mode on the next boot (CoreFirmware extension, PROTOCOL-NOTES.md).</summary>
        SafeModeRequest
    }
}
