using System;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// Thrown by a test flash part once its power was cut: the firmware code on the "board" unwinds
    /// with it, as a real MCU would simply stop. Not derived from any firmware exception, so no
    /// firmware handler mistakes it for a flash error it could recover from.
    /// </summary>
    public sealed class PowerLostException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public PowerLostException(string message) : base(message)
        {
        }
    }
}
