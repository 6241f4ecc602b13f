using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>A watchdog that never bites; the test says whether the last reset was its doing.</summary>
    public sealed class TestWatchdog : IWatchdog
    {
        private bool _running;
        private bool _lastResetWasWatchdog;
        private int _feeds;

        /// <summary>What <see cref="LastResetWasWatchdog"/> answers.</summary>
        public bool WatchdogCausedReset
        {
            set { _lastResetWasWatchdog = value; }
        }

        /// <summary>Feeds so far.</summary>
        public int Feeds
        {
            get { return _feeds; }
        }

        /// <inheritdoc />
        public void Start(int timeoutMilliseconds)
        {
            _running = true;
        }

        /// <inheritdoc />
        public void Feed()
        {
            _feeds++;
        }

        /// <inheritdoc />
        public bool IsRunning
        {
            get { return _running; }
        }

        /// <inheritdoc />
        public bool LastResetWasWatchdog
        {
            get { return _lastResetWasWatchdog; }
        }
    }
}
