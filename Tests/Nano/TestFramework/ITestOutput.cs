namespace CoreFirmware.Nano.TestFramework
{
    /// <summary>Where the <see cref="TestRunner"/> writes its lines: the console on nanoCLR, a collector in an xunit test.</summary>
    public interface ITestOutput
    {
        /// <summary>Writes one line (no line break inside).</summary>
        void WriteLine(string line);
    }
}
