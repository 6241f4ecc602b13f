namespace CoreFirmware.Ota.Cloud
{
    /// <summary>Where the cloud link is.</summary>
    public enum CloudLinkState
    {
        /// <summary>No socket; waiting for the next attempt (backoff).</summary>
        Disconnected = 0,

        /// <summary>Resolving, opening and connecting the socket.</summary>
        Connecting = 1,

        /// <summary>Nonce, device reply, session key.</summary>
        Handshake = 2,

        /// <summary>The device's Hello is sent; waiting for the cloud's.</summary>
        AwaitingHello = 3,

        /// <summary>Session up: messages flow.</summary>
        Connected = 4
    }
}
