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

        /// <summary>
        /// Reports status counters to the board (a test harness's debug channel; nothing allocated):
        /// the meaning of each index is the caller's and the host's contract (Firmware/NanoCoreStatus).
        /// </summary>
        public static void ReportStatus(int[] values, int count)
        {
            NativeBoard.Status(values, count);
        }
    }
}
