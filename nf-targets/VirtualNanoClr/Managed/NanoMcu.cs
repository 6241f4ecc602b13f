namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>The MCU of the virtual Core on nanoCLR.</summary>
    public static class NanoMcu
    {
        /// <summary>
        /// The software reset (a device's NVIC_SystemReset): the interpreter stops at its next scheduling
        /// point and the board boots again; the board records <paramref name="reason"/>. Returns; the caller
        /// should do nothing more.
        /// </summary>
        public static void Reset(string reason)
        {
            NativeBoard.Reset(reason);
        }
    }
}
