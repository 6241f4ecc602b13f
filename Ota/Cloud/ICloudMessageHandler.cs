using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Ota.Cloud
{
    /// <summary>
    /// What the cloud link hands the device's cloud API (<see cref="DeviceCloud"/>): Describe,
    /// FunctionCall, VariableRequest, events from the cloud and answers to the device's own requests
    /// (GetTime), link up/down, and a poll on every loop slice. Called on the link thread only; an
    /// implementation must return at once (no app code, no blocking).
    /// </summary>
    public interface ICloudMessageHandler
    {
        /// <summary>The session is up (the cloud's Hello arrived).</summary>
        void OnLinkUp();

        /// <summary>The session ended.</summary>
        void OnLinkDown();

        /// <summary>Called on every loop slice (about every 100 ms) while the session is up.</summary>
        void Poll();

        /// <summary>A message of <paramref name="kind"/>; true when handled (answered or consumed).</summary>
        bool OnMessage(MessageKind kind, CoapMessage message);
    }
}
