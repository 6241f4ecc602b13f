namespace CoreFirmware.Virtual.NanoClr;

/// <summary>
/// What the firmware on nanoCLR reads as the board's configuration (NativeBoard.Setting / SettingText,
/// ids of CoreFirmware.VirtualNanoClr.NanoBoardSettings): a device keeps these in its configuration block.
/// </summary>
public sealed class NanoBoardConfiguration
{
    public uint CloudIpv4 { get; init; } = 0x7F000001;
    public int CloudPort { get; init; } = 5683;
    public int AutoConfirmMilliseconds { get; init; } = 30_000;
    public bool UserPreemption { get; init; } = true;
    public bool WatchdogEnabled { get; init; } = true;
    public int WatchdogCheckinTimeoutMilliseconds { get; init; } = CoreFirmware.Ota.Status.SystemWatchdog.DefaultCheckinTimeoutMilliseconds;
    public int WatchdogHardwareTimeoutMilliseconds { get; init; } = CoreFirmware.Ota.Status.SystemWatchdog.DefaultHardwareTimeoutMilliseconds;
    public int WatchdogFeedPeriodMilliseconds { get; init; } = CoreFirmware.Ota.Status.SystemWatchdog.DefaultFeedPeriodMilliseconds;
    public int FirmwareVersion { get; init; } = 1;
    public bool TestBootEnabled { get; init; } = true;
    public string AccessPointSsid { get; init; } = "CoreNet";
    public string AccessPointKey { get; init; } = "core-firmware";

    /// <summary>A numeric setting by id.</summary>
    public int Number(int id) => id switch
    {
        0 => unchecked((int)CloudIpv4),
        1 => CloudPort,
        2 => AutoConfirmMilliseconds,
        3 => UserPreemption ? 1 : 0,
        4 => WatchdogEnabled ? 1 : 0,
        5 => WatchdogCheckinTimeoutMilliseconds,
        6 => WatchdogHardwareTimeoutMilliseconds,
        7 => WatchdogFeedPeriodMilliseconds,
        8 => FirmwareVersion,
        9 => TestBootEnabled ? 1 : 0,
        _ => throw new KeyNotFoundException($"no numeric setting {id}"),
    };

    /// <summary>A text setting by id.</summary>
    public string Text(int id) => id switch
    {
        100 => AccessPointSsid,
        101 => AccessPointKey,
        _ => throw new KeyNotFoundException($"no text setting {id}"),
    };
}
