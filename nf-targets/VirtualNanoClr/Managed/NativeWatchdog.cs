using System.Runtime.CompilerServices;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>Native independent watchdog (implemented in Native/corefw_hal.cpp).</summary>
    internal static class NativeWatchdog
    {
        /// <summary>Starts the countdown (a second start is ignored by the part).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void Start(int timeoutMilliseconds);

        /// <summary>Restarts the countdown.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void Feed();

        /// <summary>True once started.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern bool IsRunning();

        /// <summary>True when the watchdog caused the last reset.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern bool LastResetWasWatchdog();
    }
}
