using CoreFirmware.Drivers.Cc3000;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Sst25;

namespace CoreFirmware.Ota.Runtime
{
    /// <summary>What the board hands the system runtime at boot: its drivers and settings.</summary>
    public sealed class SystemParts
    {
        /// <summary>The external flash driver.</summary>
        public Sst25Flash Flash;

        /// <summary>The external flash's map.</summary>
        public FlashMap FlashMap;

        /// <summary>The WiFi module's driver.</summary>
        public Cc3000Driver Cc3000;

        /// <summary>Crypto (RSA, AES, hashes) for the cloud link.</summary>
        public ICrypto Crypto;

        /// <summary>The board clock.</summary>
        public IClock Clock;

        /// <summary>The RGB status LED (null: the runtime shows no status).</summary>
        public IRgbLed StatusLed;

        /// <summary>Pin read once at boot: held high, the system starts in safe mode (D0 on the Core; null: never).</summary>
        public IGpioPin SafeModePin;

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
        /// Whether an OTA update preempts user networking (SocketBroker.PreemptionEnabled). Always true
        /// on a device; false exists only for the negative end-to-end run (the virtual core's switch).
        /// </summary>
        public bool UserPreemption = true;

        /// <summary>
        /// The board id signed images must carry (SparkCoreBoard.ImageBoardId on the Core; Ota does not
        /// reference the board project, so the board sets it).
        /// </summary>
        public uint ImageBoardId;

        /// <summary>Firmware version reported in Hello.</summary>
        public int FirmwareVersion = 1;
    }
}
