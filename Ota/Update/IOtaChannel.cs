namespace CoreFirmware.Ota.Update
{
    /// <summary>
    /// What the OTA service needs from the cloud link to answer the cloud: responses that echo a
    /// request's token, ChunkMissed requests and private events. The link takes the message id,
    /// builds, encrypts and sends under its send lock. Every call returns false (and sends nothing)
    /// when the link is down or the send failed; none blocks longer than the link's send timeout.
    /// </summary>
    public interface IOtaChannel
    {
        /// <summary>True while the session is up (handshake and Hello done).</summary>
        bool IsConnected { get; }

        /// <summary>
        /// Sends a NON response with the next message id, echoing <paramref name="tokenLength"/>
        /// bytes of <paramref name="token"/>, code <paramref name="code"/> (see CoapCode) and an
        /// optional payload (<paramref name="count"/> 0 = none).
        /// </summary>
        bool SendResponse(byte[] token, int tokenLength, int code, byte[] payload, int offset, int count);

        /// <summary>Sends ChunkMissed (GET "c", CON) listing <paramref name="count"/> (1 to 10) chunk indexes.</summary>
        bool SendChunkMissed(int[] indexes, int offset, int count);

        /// <summary>Publishes a private event (POST "E"/name) with an ASCII <paramref name="name"/> and payload.</summary>
        bool Publish(string name, byte[] data, int offset, int count);
    }
}
