namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>Error codes a <see cref="NativeHalException"/> carries (the host's and the native side's).</summary>
    public static class NativeHalError
    {
        /// <summary>The board model threw while serving the call.</summary>
        public const int ModelFault = -1;

        /// <summary>The call named something the board does not have (an SPI handle, a pin, a port).</summary>
        public const int NoSuchPart = -2;

        /// <summary>An argument was out of range (offset or count outside the array, a bad mode).</summary>
        public const int BadArgument = -3;

        /// <summary>The board lost power during the call.</summary>
        public const int PowerLost = -4;

        /// <summary>No host is attached to the native bridge (nanoCLR runs without the virtual board).</summary>
        public const int NoHost = -5;
    }
}
