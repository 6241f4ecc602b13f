using System;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>
    /// A native HAL call failed: the board model behind it threw, or the call was refused (an unknown
    /// SPI handle, a pin that does not exist). Created by the native side of the bridge, with the
    /// host's message, when no more specific firmware exception type was named for the failure.
    /// </summary>
    /// <remarks>The native side fills the fields directly (nanoCLR field 5 is <see cref="ErrorCode"/>,
    /// after System.Exception's four): keep <c>_errorCode</c> the first and only field declared here.</remarks>
    public class NativeHalException : Exception
    {
        private int _errorCode;

        /// <summary>Creates the exception with a reason and the bridge's error code.</summary>
        public NativeHalException(string message, int errorCode) : base(message)
        {
            _errorCode = errorCode;
        }

        /// <summary>The bridge's error code (see <see cref="NativeHalError"/>).</summary>
        public int ErrorCode
        {
            get { return _errorCode; }
        }
    }
}
