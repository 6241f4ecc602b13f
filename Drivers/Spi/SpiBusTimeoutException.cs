using System;

namespace CoreFirmware.Drivers.Spi
{
    /// <summary>Thrown when the SPI bus could not be had within the caller's timeout.</summary>
    public sealed class SpiBusTimeoutException : Exception
    {
        /// <summary>Creates the exception with a message naming the requester and the wait.</summary>
        public SpiBusTimeoutException(string message) : base(message)
        {
        }
    }
}
