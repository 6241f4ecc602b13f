using System.Runtime.CompilerServices;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>Native monotonic clock of the board (implemented in Native/corefw_hal.cpp).</summary>
    internal static class NativeClock
    {
        /// <summary>100-nanosecond ticks since the board powered up.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern long UptimeTicks();
    }
}
