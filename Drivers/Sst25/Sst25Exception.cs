using System;

namespace CoreFirmware.Drivers.Sst25
{
    /// <summary>
    /// The SST25 did not behave as the driver requires: wrong JEDEC id, block protection that
    /// would not clear, a write-enable latch that did not set, a write the part ignored.
    /// </summary>
    public class Sst25Exception : Exception
    {
        /// <summary>Creates the exception; <paramref name="status"/> is the last status register value read (or -1).</summary>
        public Sst25Exception(string message, int status) : base(message)
        {
            Status = status;
        }

        /// <summary>The last status register value the driver read, or -1 when none applies.</summary>
        public int Status { get; private set; }
    }
}
