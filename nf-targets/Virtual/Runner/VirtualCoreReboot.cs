namespace CoreFirmware.Virtual.Runner;

/// <summary>What happened at one reboot: why, and what the boot that ended measured.</summary>
public sealed record VirtualCoreReboot(int Boot, string? Reason, long[] LatencyTicks, int SocketsAborted,
    int PreemptedCalls, int RefusedCalls, bool UserThreadStopped, bool CloudStopped);
