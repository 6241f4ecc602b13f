namespace CoreFirmware.Drivers.Net
{
    /// <summary>
    /// What the OTA service needs of user networking during an update (OTA-DESIGN.md, "Preemption"):
    /// take it away, wait (bounded) until it is quiet, give it back. <see cref="SocketBroker"/> is the
    /// firmware's implementation; the OTA service depends only on this contract.
    /// </summary>
    public interface IUserNetworkPreemption
    {
        /// <summary>
        /// Takes user networking away: blocked user calls return, open user sockets are aborted and
        /// new ones refused until <see cref="EndPreemption"/>. Returns at once; a second call does nothing.
        /// </summary>
        void BeginPreemption();

        /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for user networking to go quiet; true when it is.</summary>
        bool WaitQuiet(int timeoutMilliseconds);

        /// <summary>Gives user networking back.</summary>
        void EndPreemption();
    }
}
