using System;
using System.Collections;
using CoreFirmware.VirtualNanoClr;

namespace CoreFirmware.DevicePrograms
{
    /// <summary>
    /// Keeps allocating 16 KB arrays, after one native call, until the heap runs out. With a small managed
    /// heap (NANOCLR_HEAP_SIZE) this nanoCLR build crashes inside its garbage collector instead of throwing
    /// OutOfMemoryException (a known defect: ../shared/nanoframework/README.md); the tests use it to check
    /// that the bridge reports a nanoCLR crash with the last native call.
    /// </summary>
    public static class HeapExhaustion
    {
        /// <summary>Allocates until the end.</summary>
        public static void Main()
        {
            NanoRgbLed led = new NanoRgbLed();
            led.SetColor(255, 0, 0);
            ArrayList kept = new ArrayList();
            int blocks = 0;
            try
            {
                while (true)
                {
                    kept.Add(new byte[16 * 1024]);
                    blocks++;
                }
            }
            catch (OutOfMemoryException)
            {
                Console.WriteLine("heap-exhaustion: OutOfMemoryException after " + blocks.ToString() + " blocks");
            }
        }
    }
}
