namespace CoreFirmware.Nano.Repros
{
    /// <summary>
    /// Runs every repro: <c>nanoclr mscorlib.pe CoreFirmware.Nano.Repros.pe</c> prints one "@@repro"
    /// line per check and "@@repros &lt;defects&gt;" (README.md here says what each means).
    /// </summary>
    public static class ReproProgram
    {
        /// <summary>Runs all checks.</summary>
        public static void Main()
        {
            RunAll();
        }

        /// <summary>Runs all checks; the number that showed a defect.</summary>
        public static int RunAll()
        {
            Repro.Defects = 0;
            NulEndsAString.Run();
            LowSurrogateLost.Run();
            CallBeforeTry.Run();
            System.Console.WriteLine("@@repros " + Repro.Defects.ToString());
            return Repro.Defects;
        }
    }
}
