namespace CoreFirmware.Drivers.Spi
{
    /// <summary>
    /// Grants the shared SPI bus to one owner for a whole logical transaction. Drivers talk to
    /// this interface so that tests can put a pass-through in its place and prove the arbiter is
    /// needed; the firmware itself always uses <see cref="SpiBusArbiter"/>.
    /// </summary>
    public interface IBusArbiter
    {
        /// <summary>
        /// Waits up to <paramref name="timeoutMilliseconds"/> (0 = do not wait) for the bus.
        /// Returns false when the time ran out; the caller then does not own the bus.
        /// </summary>
        bool TryAcquire(BusPriority priority, int timeoutMilliseconds);

        /// <summary>As <see cref="TryAcquire"/>, but throws <see cref="SpiBusTimeoutException"/> when the time runs out.</summary>
        void Acquire(BusPriority priority, int timeoutMilliseconds);

        /// <summary>Ends the calling thread's transaction and hands the bus to the next waiter.</summary>
        void Release();

        /// <summary>
        /// Milliseconds the current holder may still keep the bus (may be negative once over).
        /// Drivers bound every wait inside a transaction by it.
        /// </summary>
        int RemainingHoldMilliseconds { get; }

        /// <summary>The longest a holder may keep the bus, in milliseconds.</summary>
        int MaxHoldMilliseconds { get; }
    }
}
