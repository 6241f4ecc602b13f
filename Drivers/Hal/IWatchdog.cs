namespace CoreFirmware.Drivers.Hal
{
    /// <summary>
    /// The independent hardware watchdog: once started it resets the board unless fed within the timeout.
    /// It cannot be stopped, as on the STM32's IWDG.
    /// </summary>
    public interface IWatchdog
    {
        /// <summary>Starts the watchdog with <paramref name="timeoutMilliseconds"/>; later calls only shorten nothing and are ignored.</summary>
        void Start(int timeoutMilliseconds);

        /// <summary>Restarts the countdown.</summary>
        void Feed();

        /// <summary>True once <see cref="Start"/> was called.</summary>
        bool IsRunning { get; }

        /// <summary>True when the last reset was caused by the watchdog.</summary>
        bool LastResetWasWatchdog { get; }
    }
}
