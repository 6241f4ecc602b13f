using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary><see cref="IRgbLed"/> over the native PWM channels.</summary>
    public sealed class NanoRgbLed : IRgbLed
    {
        /// <inheritdoc />
        public void SetColor(byte red, byte green, byte blue)
        {
            NativeRgbLed.SetColor(red, green, blue);
        }
    }
}
