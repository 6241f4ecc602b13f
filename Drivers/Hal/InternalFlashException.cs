using System;

namespace CoreFirmware.Drivers.Hal
{
    /// <summary>An internal-flash operation failed (bad alignment, a program over bytes that are not erased, a part error).</summary>
    public class InternalFlashException : Exception
    {
        /// <summary>Creates the exception with a reason.</summary>
        public InternalFlashException(string message) : base(message)
        {
        }
    }
}
