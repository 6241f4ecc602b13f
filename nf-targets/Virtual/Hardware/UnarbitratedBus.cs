using CoreFirmware.Drivers.Spi;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// The arbiter switched off: every request is granted at once, whoever else is on the bus. Only
/// the negative runs use it, to show that the bus stress test fails without arbitration (the
/// firmware has no way to turn its arbiter off).
/// </summary>
public sealed class UnarbitratedBus : IBusArbiter
{
    public int MaxHoldMilliseconds => SpiBusArbiter.DefaultMaxHoldMilliseconds;

    public int RemainingHoldMilliseconds => SpiBusArbiter.DefaultMaxHoldMilliseconds;

    public bool TryAcquire(BusPriority priority, int timeoutMilliseconds) => true;

    public void Acquire(BusPriority priority, int timeoutMilliseconds) { }

    public void Release() { }
}
