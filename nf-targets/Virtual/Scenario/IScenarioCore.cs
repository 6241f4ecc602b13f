using System.Net;
using CoreFirmware.Ota.Runtime;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// The virtual Core as the scenario drives and measures it, whichever CLR runs its firmware: CoreCLR in
/// this process (<see cref="CoreClrScenarioCore"/>, the runner's VirtualCore: the firmware's objects are
/// read directly) or nanoCLR over the HAL bridge (NanoClr.NanoScenarioCore: the firmware's own status
/// reports and boot lines). Counters "this boot" start over at each boot; totals fold every boot in.
/// </summary>
public interface IScenarioCore
{
    /// <summary>"CoreCLR" or "nanoCLR".</summary>
    string Clr { get; }

    VirtualBoard Board { get; }

    /// <summary>Keys into the keys region, the factory image into the factory slot (before <see cref="Start"/>).</summary>
    void Provision(DeviceKeys keys, byte[] factoryImage);

    /// <summary>Boots the firmware; it connects to <paramref name="cloud"/> and runs the application slot's app.</summary>
    void Start(IPEndPoint cloud);

    /// <summary>Stops the firmware and its boot loop; true when they ended in time.</summary>
    bool Stop(int timeoutMilliseconds);

    int Boots { get; }

    /// <summary>Reboots the firmware asked for.</summary>
    int Reboots { get; }

    int BootFailures { get; }

    string? LastBootError { get; }

    int Installs { get; }

    int Rollbacks { get; }

    int WatchdogResets { get; }

    /// <summary>User threads a reset left behind (CoreCLR only: on nanoCLR a reset ends every thread).</summary>
    int StuckUserThreads { get; }

    /// <summary>This boot's runtime is up (booted, reporting).</summary>
    bool Running { get; }

    /// <summary>This boot's bootloader decision: does an application run, in test mode, and why (null before it decided).</summary>
    (bool RunApplication, bool TestBoot, string Reason)? Decision { get; }

    /// <summary>This boot's cloud link is connected (the firmware's own view).</summary>
    bool CloudConnected { get; }

    int CloudSessions { get; }

    int CloudConnectAttempts { get; }

    /// <summary>
    /// Reads the preemptions of user networking of the boot running now, and the last one's latency in clock
    /// ticks, whenever it is called: after that boot ended too (the update landed and the device rebooted).
    /// </summary>
    Func<(int Count, long LastTicks)> PreemptionProbe();

    bool UpdatesPending { get; }

    int ChunksReceived { get; }

    /// <summary>The longest SPI bus hold any boot's arbiter measured (clock ticks; sampled).</summary>
    long LongestBusHoldTicks { get; }

    /// <summary>
    /// The longest, over every boot: gap between the system's watchdog check-ins (as its supervisor saw
    /// it, to within a feed period), cloud session start (connect attempt to the cloud's Hello) and
    /// keep-alive ping round trip; milliseconds, 0 when none was measured.
    /// </summary>
    (int CheckinGapMs, int SessionStartMs, int PingRoundTripMs) LongestTimings { get; }

    /// <summary>CC3000 recoveries over every boot.</summary>
    int ModuleRecoveries { get; }

    /// <summary>Something that changes when a new boot's app runs (null: no app with counters).</summary>
    object? AppToken { get; }

    /// <summary>This boot's app: requests answered and parsed.</summary>
    int AppCompleted { get; }

    /// <summary>The app's requests and failures over every boot.</summary>
    (int Requests, int Failures) AppTotals { get; }

    /// <summary>Pauses the user app's Loop (an idle OTA cycle).</summary>
    bool AppPaused { get; set; }

    /// <summary>True while the app is inside its Loop.</summary>
    bool AppInLoop { get; }

    /// <summary>The heap the high-water mark follows: the host process's (CoreCLR) or nanoCLR's managed heap.</summary>
    long HeapBytes { get; }

    /// <summary>What <see cref="HeapBytes"/> measures, for the summary.</summary>
    string HeapSource { get; }

    /// <summary>Folds in what a boot about to end counted (the runner calls it at every poll).</summary>
    void Sample();
}
