using System;

namespace CoreFirmware.Nano.TestFramework
{
    /// <summary>Writes the runner's lines to the console (nanoCLR prints Console.WriteLine to its stdout).</summary>
    public sealed class ConsoleTestOutput : ITestOutput
    {
        /// <inheritdoc />
        public void WriteLine(string line)
        {
            Console.WriteLine(line);
        }
    }
}
