using System;

namespace CoreFirmware.Application.App
{
    /// <summary>The application slot's deployment could not be turned into a running app (<see cref="UserAppLoader"/>).</summary>
    public class UserAppLoadException : Exception
    {
        /// <summary>Creates the exception with the reason.</summary>
        public UserAppLoadException(string message) : base(message)
        {
        }
    }
}
