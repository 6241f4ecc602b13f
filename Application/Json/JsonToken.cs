namespace CoreFirmware.Application.Json
{
    /// <summary>What a <see cref="JsonToken"/> stands for.</summary>
    public enum JsonTokenType
    {
        /// <summary>Not filled in (a token the parser has not written).</summary>
        Undefined = 0,

        /// <summary>An object: <c>{</c> ... <c>}</c>. Its children are its keys.</summary>
        Object = 1,

        /// <summary>An array: <c>[</c> ... <c>]</c>. Its children are its elements.</summary>
        Array = 2,

        /// <summary>
        /// A string, as a value or as an object key. The span excludes the quotes and is the raw
        /// (still escaped) UTF-8 text; <see cref="JsonTokenReader.Unescape"/> decodes it. A key has one
        /// child: its value.
        /// </summary>
        String = 3,

        /// <summary>A number, <c>true</c>, <c>false</c> or <c>null</c>; the span is the literal text.</summary>
        Primitive = 4
    }

    /// <summary>
    /// One token of a JSON document, as written by <see cref="JsonParser"/> into an array the caller
    /// allocates once (a struct array: one allocation, no per-token objects).
    /// </summary>
    /// <remarks>
    /// Tokens appear in document order. The tree is the one of jsmn: an object's children are its key
    /// tokens (strings), each key's only child is its value, an array's children are its elements.
    /// The next sibling of a token is the token after its whole subtree
    /// (<see cref="JsonTokenReader.Skip"/>).
    /// </remarks>
    public struct JsonToken
    {
        /// <summary>The kind of token.</summary>
        public JsonTokenType Type;

        /// <summary>
        /// Index in the input byte array of the token's first byte (for a string: the byte after the
        /// opening quote; for an object or array: the bracket).
        /// </summary>
        public int Start;

        /// <summary>
        /// Index in the input byte array just past the token's last byte (for a string: the closing
        /// quote; for an object or array: the byte after the closing bracket), or -1 while an object
        /// or array is still open (input ended early).
        /// </summary>
        public int End;

        /// <summary>
        /// Number of children: members of an object, elements of an array, 1 for a key that has its
        /// value, 0 otherwise.
        /// </summary>
        public int Size;

        /// <summary>
        /// Index of the parent token (the object for a key, the key for an object member's value, the
        /// array for an element), or -1 for the top-level value.
        /// </summary>
        public int Parent;
    }
}
