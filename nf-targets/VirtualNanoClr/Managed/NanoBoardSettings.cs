using System;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>
    /// The virtual Core's configuration as its firmware reads it on nanoCLR (a device keeps these in its
    /// configuration block): the access point, the cloud, and the system's timings.
    /// </summary>
    public sealed class NanoBoardSettings
    {
        /// <summary>Setting ids (NativeBoard.Setting / SettingText); the host's NanoBoardSetting mirrors them.</summary>
        public const int CloudIpv4 = 0;
        public const int CloudPort = 1;
        public const int AutoConfirmMilliseconds = 2;
        public const int UserPreemption = 3;
        public const int WatchdogEnabled = 4;
        public const int WatchdogCheckinTimeoutMilliseconds = 5;
        public const int WatchdogHardwareTimeoutMilliseconds = 6;
        public const int WatchdogFeedPeriodMilliseconds = 7;
        public const int FirmwareVersion = 8;
        public const int TestBootEnabled = 9;
        public const int AccessPointSsid = 100;
        public const int AccessPointKey = 101;

        private NanoBoardSettings()
        {
        }

        /// <summary>Reads every setting from the board.</summary>
        public static NanoBoardSettings Read()
        {
            NanoBoardSettings s = new NanoBoardSettings();
            s.CloudAddress = (uint)NativeBoard.Setting(CloudIpv4);
            s.Port = NativeBoard.Setting(CloudPort);
            s.AutoConfirm = NativeBoard.Setting(AutoConfirmMilliseconds);
            s.Preemption = NativeBoard.Setting(UserPreemption) != 0;
            s.Watchdog = NativeBoard.Setting(WatchdogEnabled) != 0;
            s.CheckinTimeout = NativeBoard.Setting(WatchdogCheckinTimeoutMilliseconds);
            s.HardwareTimeout = NativeBoard.Setting(WatchdogHardwareTimeoutMilliseconds);
            s.FeedPeriod = NativeBoard.Setting(WatchdogFeedPeriodMilliseconds);
            s.Version = NativeBoard.Setting(FirmwareVersion);
            s.TestBoot = NativeBoard.Setting(TestBootEnabled) != 0;
            s.Ssid = Text(AccessPointSsid);
            s.Key = Text(AccessPointKey);
            return s;
        }

        /// <summary>The cloud's IPv4 address, host order.</summary>
        public uint CloudAddress { get; private set; }

        /// <summary>The cloud's TCP port.</summary>
        public int Port { get; private set; }

        /// <summary>Test boot: confirm after this long connected.</summary>
        public int AutoConfirm { get; private set; }

        /// <summary>User networking is preempted during an update.</summary>
        public bool Preemption { get; private set; }

        /// <summary>The system feeds the hardware watchdog.</summary>
        public bool Watchdog { get; private set; }

        /// <summary>System thread check-in bound.</summary>
        public int CheckinTimeout { get; private set; }

        /// <summary>Hardware watchdog timeout.</summary>
        public int HardwareTimeout { get; private set; }

        /// <summary>Watchdog feed period.</summary>
        public int FeedPeriod { get; private set; }

        /// <summary>Firmware version reported to the cloud.</summary>
        public int Version { get; private set; }

        /// <summary>The bootloader boots a new image in test mode.</summary>
        public bool TestBoot { get; private set; }

        /// <summary>The access point's SSID.</summary>
        public string Ssid { get; private set; }

        /// <summary>The access point's key.</summary>
        public string Key { get; private set; }

        private static string Text(int id)
        {
            byte[] buffer = new byte[64];
            int n = NativeBoard.SettingText(id, buffer);
            char[] chars = new char[n];
            for (int i = 0; i < n; i++) chars[i] = (char)buffer[i];
            return new string(chars);
        }
    }
}
