using System.Runtime.CompilerServices;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>Native PWM channels of the RGB LED (implemented in Native/corefw_hal.cpp).</summary>
    internal static class NativeRgbLed
    {
        /// <summary>Sets the three duty cycles, 0 to 255 each.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        internal static extern void SetColor(int red, int green, int blue);
    }
}
