#nullable disable
#if NANOFRAMEWORK
using System;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>
    /// The device benchmark's entry point on nanoCLR:
    /// <c>nanoclr mscorlib.pe CoreFirmware.Drivers.pe CoreFirmware.SparkCore.pe CoreFirmware.Ota.pe CoreFirmware.Application.pe CoreFirmware.Apps.BitcoinTicker.pe CoreFirmware.Benchmarks.Device.pe</c>
    /// Prints the lines of <see cref="ConsoleBenchSink"/>, then "@@end", or "@@error" with what went wrong.
    /// On the heap-instrumented nanoCLR (NANOCLR_HEAP=1, run with a 512 KB heap) it runs the heap
    /// sections; on the plain one, the timed sections (the heap build's marks would cost time, and the
    /// 64 KB documents want a large heap). It tells the two apart by a first "@@heap" mark: only the heap
    /// build collects there.
    /// </summary>
    public static class DeviceBenchProgram
    {
        /// <summary>Runs <see cref="DeviceBench"/> on the console sink.</summary>
        public static void Main()
        {
            try
            {
                GcWatch watch = new GcWatch();
                Console.WriteLine("@@heap probe");
                ConsoleBenchSink sink = new ConsoleBenchSink();
                if (watch.Check())
                {
                    Console.WriteLine("@@mode heap");
                    DeviceBench.RunHeap(sink);
                }
                else
                {
                    Console.WriteLine("@@mode timing");
                    DeviceBench.RunThroughput(sink);
                }
                Console.WriteLine("@@end");
            }
            catch (Exception e)
            {
                Console.WriteLine("@@error " + e.GetType().FullName + ": " + e.Message);
            }
        }
    }
}
#endif
