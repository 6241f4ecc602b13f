using System.Runtime.CompilerServices;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>
    /// The board itself (implemented in Native/corefw_hal.cpp): its configuration, which a device would
    /// keep in its configuration block (the access point, the cloud's address, the firmware's timings), and
    /// the MCU's software reset.
    /// </summary>
    internal static class NativeBoard
    {
        /// <summary>A numeric setting (<see cref="NanoBoardSettings"/> ids); throws for an unknown id.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern int Setting(int id);

        /// <summary>A text setting as ASCII into <paramref name="buffer"/>; returns its length.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern int SettingText(int id, byte[] buffer);

        /// <summary>
        /// Resets the MCU (the firmware's reboot): the interpreter stops at its next scheduling point and the
        /// board boots again. <paramref name="reason"/> is recorded by the board.
        /// </summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void Reset(string reason);
    }
}
