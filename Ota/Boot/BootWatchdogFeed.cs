using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Image;

namespace CoreFirmware.Ota.Boot
{
    /// <summary>
    /// The bootloader's progress hook: feeds the hardware watchdog directly when it is running (there
    /// is no system watchdog supervisor before the system boots). On an STM32 the IWDG runs through the
    /// bootloader when the option bytes start it in hardware; a verification of a 640 KB slot (15-45 s
    /// on a 168 MHz Cortex-M4) or a copy into the application slot would otherwise outlast its timeout.
    /// </summary>
    public sealed class BootWatchdogFeed : IWorkProgress
    {
        private readonly IWatchdog _watchdog;
        private int _feeds;

        /// <summary>Creates the hook over the hardware watchdog.</summary>
        public BootWatchdogFeed(IWatchdog watchdog)
        {
            _watchdog = watchdog;
        }

        /// <summary>Feeds done so far.</summary>
        public int Feeds
        {
            get { return _feeds; }
        }

        /// <inheritdoc />
        public void Progress(int bytesDone, int bytesTotal)
        {
            if (_watchdog == null || !_watchdog.IsRunning) return;
            _watchdog.Feed();
            _feeds++;
        }
    }
}
