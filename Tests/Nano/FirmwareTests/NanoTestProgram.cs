using System;
using CoreFirmware.Nano.TestFramework;

namespace CoreFirmware.Nano.FirmwareTests
{
    /// <summary>
    /// The entry point on nanoCLR:
    /// <c>nanoclr mscorlib.pe CoreFirmware.Drivers.pe CoreFirmware.SparkCore.pe CoreFirmware.Ota.pe CoreFirmware.Application.pe CoreFirmware.Nano.TestFramework.pe CoreFirmware.Nano.FirmwareTests.pe</c>
    /// runs every test of this assembly and prints the runner's "@@" lines (.ci/nanoclr-tests reads them).
    /// </summary>
    public static class NanoTestProgram
    {
        /// <summary>Runs all tests on the console.</summary>
        public static void Main()
        {
            TestRunner runner = new TestRunner(new ConsoleTestOutput());
            runner.Run(typeof(NanoTestProgram).Assembly);
        }
    }
}
