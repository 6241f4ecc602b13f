using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary><see cref="IWatchdog"/> over the board's native independent watchdog.</summary>
    public sealed class NanoWatchdog : IWatchdog
    {
        /// <inheritdoc />
        public void Start(int timeoutMilliseconds)
        {
            NativeWatchdog.Start(timeoutMilliseconds);
        }

        /// <inheritdoc />
        public void Feed()
        {
            NativeWatchdog.Feed();
        }

        /// <inheritdoc />
        public bool IsRunning
        {
            get { return NativeWatchdog.IsRunning(); }
        }

        /// <inheritdoc />
        public bool LastResetWasWatchdog
        {
            get { return NativeWatchdog.LastResetWasWatchdog(); }
        }
    }
}
