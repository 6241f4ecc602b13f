using CoreFirmware.Drivers.Cc3000;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Status;

namespace CoreFirmware.Ota.Runtime
{
    /// <summary>What the board hands the system runtime at boot: its drivers and settings.</summary>
    public sealed class SystemParts
    {
        /// <summary>The external flash driver.</summary>
        public Sst25Flash Flash;

        /// <summary>The external flash's map.</summary>
        public FlashMap FlashMap;

        /// <summary>The WiFi module's driver (the CC3000's <see cref="Cc3000Driver"/> on the Core).</summary>
        public IWifiModule Cc3000;

        /// <summary>Crypto (RSA, AES, hashes) for the cloud link.</summary>
        public ICrypto Crypto;

        /// <summary>The board clock.</summary>
        public IClock Clock;

        /// <summary>The RGB status LED (null: the runtime shows no status).</summary>
        public IRgbLed StatusLed;

        /// <summary>Pin read once at boot: held high, the system starts in safe mode (D0 on the Core; null: never).</summary>
        public IGpioPin SafeModePin;

        /// <summary>
        /// The hardware watchdog (null: none; only for runs that show what a board without one does).
        /// The runtime starts it at boot and feeds it through a <see cref="SystemWatchdog"/> while the
        /// cloud-link thread checks in.
        /// </summary>
        public IWatchdog Watchdog;

        /// <summary>Longest gap between system checkins before feeding stops (SystemWatchdog's default, 15 s).</summary>
        public int WatchdogCheckinTimeoutMilliseconds = SystemWatchdog.DefaultCheckinTimeoutMilliseconds;

        /// <summary>Timeout the hardware watchdog is started with (SystemWatchdog's default, 4 s).</summary>
        public int WatchdogHardwareTimeoutMilliseconds = SystemWatchdog.DefaultHardwareTimeoutMilliseconds;

        /// <summary>How often the supervisor feeds (SystemWatchdog's default, 500 ms; below the hardware timeout).</summary>
        public int WatchdogFeedPeriodMilliseconds = SystemWatchdog.DefaultFeedPeriodMilliseconds;

        /// <summary>Access point name.</summary>
        public string Ssid;

        /// <summary>Access point key (empty for an open network).</summary>
        public string Key;

        /// <summary>The cloud's host name (null to use <see cref="CloudIpv4"/>).</summary>
        public string CloudHost;

        /// <summary>The cloud's address when no host name is given.</summary>
        public uint CloudIpv4 = 0x7F000001;

        /// <summary>The cloud's device port.</summary>
        public int CloudPort = 5683;

        /// <summary>
        /// How the OTA service reaches user networking (null, as on a device: the socket broker itself).
        /// </summary>
        public IUserPreemptionProvider UserPreemptionProvider;

        /// <summary>
        /// The socket view the system side (the cloud link) uses (null, as on a device: the WiFi driver's
        /// view at <see cref="CoreFirmware.Drivers.Spi.BusPriority.SystemNetwork"/>). A board whose system
        /// traffic takes another path supplies it here.
        /// </summary>
        public INetworkSockets SystemSockets;

        /// <summary>
        /// Where the system's threads report an exception that ended them (null: the runtime makes its
        /// own). The board gives the same log to the WiFi driver's event thread; the runtime listens and
        /// reboots on a fault (<see cref="SystemRuntime.ThreadFaults"/>).
        /// </summary>
        public CoreFirmware.Drivers.Diagnostics.ThreadFaultLog ThreadFaults;

        /// <summary>
        /// What the bootloader decided this boot (null: no bootloader ran, the image counts as
        /// confirmed and the app runs). RunApplication false starts the system in safe mode.
        /// </summary>
        public BootDecision BootDecision;

        /// <summary>Healthy, cloud-connected time after which a test image is confirmed (DeploymentControl).</summary>
        public int AutoConfirmMilliseconds = DeploymentControl.DefaultAutoConfirmMilliseconds;

        /// <summary>
        /// The board id signed images must carry (SparkCoreBoard.ImageBoardId on the Core; Ota does not
        /// reference the board project, so the board sets it).
        /// </summary>
        public uint ImageBoardId;

        /// <summary>Firmware version reported in Hello.</summary>
        public int FirmwareVersion = 1;
    }
}
