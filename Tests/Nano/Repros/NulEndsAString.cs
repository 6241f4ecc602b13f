namespace CoreFirmware.Nano.Repros
{
    /// <summary>
    /// nanoCLR stores strings as NUL-terminated UTF-8: a U+0000 ends the string, in a literal and in a
    /// string built at run time. CoreCLR keeps it as a character like any other.
    /// </summary>
    public static class NulEndsAString
    {
        /// <summary>Runs the checks.</summary>
        public static void Run()
        {
            string literal = "a\u0000b";
            Repro.Check("nul.literal.length", "3", literal.Length.ToString());
            string built = new string(new char[] { 'a', (char)0, 'b' });
            Repro.Check("nul.built.length", "3", built.Length.ToString());
            Repro.Check("nul.concat.length", "5", ("x" + built + "y").Length.ToString());
            // The workaround: text that may hold U+0000 stays in char[] / byte[] (the tokenizer, the
            // unescaper and the HTTP client all work on bytes).
            char[] chars = new char[] { 'a', (char)0, 'b' };
            Repro.Check("nul.chars.length (workaround)", "3", chars.Length.ToString());
        }
    }
}
