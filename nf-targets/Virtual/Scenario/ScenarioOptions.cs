using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>How a <see cref="ScenarioRunner"/> runs: cycles, faults, pacing and bounds.</summary>
public sealed class ScenarioOptions
{
    /// <summary>OTA cycles to run (each flashes the next image version once).</summary>
    public int Cycles { get; init; } = 10;

    /// <summary>Faults to inject (see <see cref="FaultMix"/> for which cycles get one).</summary>
    public FaultMix Faults { get; init; } = FaultMix.None;

    /// <summary>Every N-th cycle is idle: the app is paused (not hammering) during that OTA, so OTA time idle vs under load can be compared. 0 = none.</summary>
    public int IdleEvery { get; init; } = 5;

    /// <summary>Pause between the end of one cycle and the start of the next (the app runs at full speed meanwhile).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Fast OTA (stream + ChunkMissed) instead of slow OTA (ack per chunk, spark-cli's default).</summary>
    public bool FastOta { get; init; }

    /// <summary>
    /// Lockup bound: a cycle phase (wait for the app, transfer, reboot, resume) that shows no progress
    /// for this long is a lockup; the cycle ends and is counted.
    /// </summary>
    public TimeSpan LockupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Flash part timing (Realistic: datasheet typicals; Fast: for tests).</summary>
    public Sst25TimingProfile FlashTiming { get; init; } = Sst25TimingProfile.Realistic;

    /// <summary>The power-cut-during-install hook (default: <see cref="InstallPowerCut"/>); null = such cycles run without the fault, with a note.</summary>
    public IPowerCutFault? PowerCut { get; init; } = new InstallPowerCut();

    /// <summary>
    /// Healthy, cloud-connected time after which the device confirms a test image: 2 s here (the
    /// firmware default is 30 s) so each cycle's image is confirmed before the next one.
    /// </summary>
    public int AutoConfirmMilliseconds { get; init; } = 2000;

    /// <summary>Seed for the choices made at random (where a power cut lands).</summary>
    public int Seed { get; init; } = 2014;

    /// <summary>Consecutive lockups after which the run stops (the device is not coming back).</summary>
    public int MaxConsecutiveLockups { get; init; } = 3;

    /// <summary>Which CLR runs the firmware: CoreCLR in this process, or nanoCLR over the native HAL bridge.</summary>
    public ScenarioClr Clr { get; init; } = ScenarioClr.CoreClr;
}
