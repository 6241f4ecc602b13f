using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Ota.Update
{
    /// <summary>
    /// How the cloud link hands OTA traffic to the OTA service. Every method is called on the link's
    /// (system) thread only, and returns quickly (at most one flash erase or chunk write).
    /// </summary>
    public interface IUpdateMessageHandler
    {
        /// <summary>The session is up (after the cloud's Hello).</summary>
        void OnLinkUp();

        /// <summary>The session was dropped (any reason).</summary>
        void OnLinkDown();

        /// <summary>
        /// An UpdateBegin, Chunk or UpdateDone arrived. <paramref name="message"/> and its buffer
        /// are valid only during the call.
        /// </summary>
        void OnMessage(MessageKind kind, CoapMessage message);

        /// <summary>Called at least every few hundred milliseconds while the link thread runs: timeouts, fast-OTA gap requests.</summary>
        void Poll();
    }
}
