namespace CoreFirmware.Nano.Repros
{
    /// <summary>
    /// A supplementary character (a surrogate pair) in a string: which of its two UTF-16 units survive
    /// on nanoCLR, in a literal and built at run time.
    /// </summary>
    public static class LowSurrogateLost
    {
        /// <summary>Runs the checks.</summary>
        public static void Run()
        {
            string literal = "\uD83D\uDE00";
            Repro.Check("surrogate.literal.length", "2", literal.Length.ToString());
            Repro.Check("surrogate.literal.units", "D83D DE00", Units(literal));
            string built = new string(new char[] { (char)0xD83D, (char)0xDE00 });
            Repro.Check("surrogate.built.length", "2", built.Length.ToString());
            Repro.Check("surrogate.built.units", "D83D DE00", Units(built));
            char[] back = built.ToCharArray();
            Repro.Check("surrogate.built.toCharArray", "2", back.Length.ToString());
        }

        private static string Units(string s)
        {
            string r = "";
            for (int i = 0; i < s.Length; i++) r += (i == 0 ? "" : " ") + ((int)s[i]).ToString("X4");
            return r;
        }
    }
}
