namespace CoreFirmware.Ota.Protocol
{
    /// <summary>CoAP option numbers (RFC 7252 section 5.10) that the Spark protocol uses.</summary>
    public static class CoapOption
    {
        /// <summary>Uri-Path (11): one option per path segment ("e", event name).</summary>
        public const int UriPath = 11;

        /// <summary>Max-Age (14): an event's time to live in seconds (uint, minimal big-endian).</summary>
        public const int MaxAge = 14;

        /// <summary>Uri-Query (15): opaque bytes here (an OTA chunk's CRC32 and index are binary).</summary>
        public const int UriQuery = 15;

        /// <summary>Largest option number the encoding can carry (2-byte extended delta).</summary>
        public const int MaxNumber = 65535;
    }
}
