using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Virtual;

/// <summary>How to build a <see cref="VirtualBoard"/>.</summary>
public sealed class VirtualBoardOptions
{
    /// <summary>File backing the SST25's 2 MB; null = a fresh temporary file, deleted with the board.</summary>
    public string? FlashImagePath { get; init; }

    /// <summary>Busy times of the flash model.</summary>
    public Sst25TimingProfile FlashTiming { get; init; } = Sst25TimingProfile.Realistic;

    /// <summary>
    /// Take the shared arbiter away: each driver gets an arbiter of its own, so it still serialises
    /// its own transactions (as a driver written for a bus of its own would) but nothing keeps the
    /// flash and the CC3000 apart. Only for negative runs that show what the arbiter prevents.
    /// </summary>
    public bool BypassArbiter { get; init; }

    /// <summary>Bound on one bus hold, in milliseconds.</summary>
    public int MaxBusHoldMilliseconds { get; init; } = CoreFirmware.Drivers.Spi.SpiBusArbiter.DefaultMaxHoldMilliseconds;

    /// <summary>The access point the CC3000 model offers.</summary>
    public string AccessPointSsid { get; init; } = "CoreNet";

    public string AccessPointKey { get; init; } = "core-firmware";

    /// <summary>
    /// Build the CoreCLR firmware's drivers (arbiter, flash driver, CC3000 driver) at every boot. False
    /// when the firmware runs elsewhere (on nanoCLR over the HAL bridge): then nothing of the host's
    /// watches the pins or clocks the bus, and <see cref="VirtualBoard.Arbiter"/>, <see cref="VirtualBoard.Flash"/>
    /// and <see cref="VirtualBoard.Cc3000Driver"/> stay null.
    /// </summary>
    public bool HostDrivers { get; init; } = true;

    /// <summary>Echo Serial1 lines to the console.</summary>
    public bool EchoSerialToConsole { get; init; }
}
