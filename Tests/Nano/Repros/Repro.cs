namespace CoreFirmware.Nano.Repros
{
    /// <summary>
    /// One line per check: "@@repro &lt;name&gt; expected=&lt;CoreCLR's answer&gt; got=&lt;this runtime's&gt; DEFECT|ok".
    /// </summary>
    public static class Repro
    {
        /// <summary>Checks written so far that showed the defect.</summary>
        public static int Defects;

        /// <summary>Prints one check's line.</summary>
        public static void Check(string name, string expected, string got)
        {
            bool same = expected == got;
            if (!same) Defects++;
            System.Console.WriteLine("@@repro " + name + " expected=" + expected + " got=" + got + (same ? " ok" : " DEFECT"));
        }
    }
}
