using CoreFirmware.Ota.Update;

namespace CoreFirmware.Ota.Cloud
{
    /// <summary>
    /// The sends <see cref="DeviceCloud"/> needs from the cloud link, besides the OTA channel's
    /// responses: events with visibility and TTL, GetTime and Subscribe. Any thread; each returns
    /// false (nothing sent) when the session is down or the send failed.
    /// </summary>
    public interface ICloudChannel : IOtaChannel
    {
        /// <summary>POST "e"/name (public) or "E"/name (private), NON; Max-Age = <paramref name="ttlSeconds"/> when positive.</summary>
        bool PublishEvent(bool isPublic, byte[] name, int nameLength, int ttlSeconds, byte[] data, int offset, int count);

        /// <summary>GetTime (GET "t", CON); <paramref name="messageId"/> is the id the answer (an ACK) carries.</summary>
        bool SendGetTime(out int messageId);

        /// <summary>Subscribe (GET "e"/prefix, CON); the cloud acknowledges it and forwards matching events.</summary>
        bool SendSubscribe(byte[] prefix, int length, out int messageId);
    }
}
