namespace CoreFirmware.Application.Json
{
    /// <summary>Outcome of <see cref="JsonParser.Parse"/> (jsmn's return codes, as an enum).</summary>
    public enum JsonResult
    {
        /// <summary>
        /// One complete JSON value was read, with nothing but whitespace around it.
        /// <see cref="JsonParser.TokenCount"/> is the number of tokens written (or needed, in
        /// count-only mode).
        /// </summary>
        Complete = 0,

        /// <summary>
        /// The token array is full (jsmn's JSMN_ERROR_NOMEM). The parser stopped before the token
        /// that did not fit; call Parse again with a larger array that holds a copy of the tokens
        /// written so far, and it goes on from there.
        /// </summary>
        NotEnoughTokens = 1,

        /// <summary>
        /// The input is not valid JSON (jsmn's JSMN_ERROR_INVAL). <see cref="JsonParser.Position"/> is
        /// the offending byte. Final: the parser answers this until <see cref="JsonParser.Reset"/>.
        /// </summary>
        Invalid = 2,

        /// <summary>
        /// The input ended before the value did, and what there is is a valid beginning of a JSON
        /// document (jsmn's JSMN_ERROR_PART). Call Parse again with the same array and offset and a
        /// larger count once more bytes have arrived; the parser resumes where it stopped.
        /// </summary>
        Partial = 3,

        /// <summary>
        /// Objects and arrays are nested deeper than <see cref="JsonParser.MaxDepth"/>. Final, like
        /// <see cref="Invalid"/>.
        /// </summary>
        TooDeep = 4
    }
}
