namespace CoreFirmware.Drivers.Hal
{
    /// <summary>
    /// The RGB status LED: three PWM channels. Patterns (breathing, flashing, SOS) are made by
    /// whoever drives it, by changing the duty cycles over time.
    /// </summary>
    public interface IRgbLed
    {
        /// <summary>Sets the three channels' duty cycles, 0 (off) to 255 (full).</summary>
        void SetColor(byte red, byte green, byte blue);
    }
}
