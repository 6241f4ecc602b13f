namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// Tells a waiter at the <see cref="Cc3000CommandGate"/> that it no longer needs the gate (its
    /// socket was aborted). Asked only when the gate is nudged or the waiter wakes, never under the gate's lock.
    /// </summary>
    internal interface ICc3000WaitCancellation
    {
        /// <summary>True when the wait made for <paramref name="token"/> should end now.</summary>
        bool IsCancelled(int token);
    }
}
