namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// Outcome of a CoAP decode or encode step. Decoding hostile bytes only ever yields one of these
    /// values: never an exception, never a read outside the given range.
    /// </summary>
    public enum CoapResult
    {
        /// <summary>Success.</summary>
        Ok = 0,

        /// <summary>A buffer was null or an offset/count lay outside its array.</summary>
        InvalidArgument,

        /// <summary>Fewer bytes than the 4-byte header, the token, or an option header needs.</summary>
        Truncated,

        /// <summary>Version field is not 1.</summary>
        BadVersion,

        /// <summary>Token length 9 to 15 (reserved by RFC 7252), or a token over 8 bytes to encode.</summary>
        BadTokenLength,

        /// <summary>Option delta or length nibble 15 without being the 0xFF payload marker.</summary>
        ReservedOptionNibble,

        /// <summary>An option's value runs past the end of the message.</summary>
        OptionPastEnd,

        /// <summary>An option number above 65535.</summary>
        OptionNumberTooLarge,

        /// <summary>More options than <see cref="CoapMessage.MaxOptions"/>.</summary>
        TooManyOptions,

        /// <summary>A payload marker followed by no payload (RFC 7252: a format error).</summary>
        EmptyPayload,

        /// <summary>A code 0.00 message with options or a payload (only a token is tolerated:
        /// spark-protocol puts a 1-byte token on its empty acknowledgements).</summary>
        EmptyMessageNotEmpty,

        /// <summary>The output buffer is too small for the message being encoded.</summary>
        BufferTooSmall,

        /// <summary>Options added in decreasing number order (the encoding needs ascending order).</summary>
        OptionOutOfOrder,

        /// <summary>An encode step out of sequence (option after the payload, nothing started).</summary>
        InvalidState,

        /// <summary>A protocol-level field is missing or has the wrong size (e.g. a chunk CRC that is
        /// not 4 bytes, an UpdateBegin payload that is not 12 bytes).</summary>
        BadField,

        /// <summary>The message is not the kind the reader expected.</summary>
        WrongMessage
    }
}
