namespace CoreFirmware.Drivers.Cloud
{
    /// <summary>What <see cref="ICloud.Publish(string, string, int, bool)"/> did.</summary>
    public enum PublishResult
    {
        /// <summary>Sent to the cloud.</summary>
        Ok = 0,

        /// <summary>Over the rate limit (about 1 per second, bursts of 4, as the Spark cloud allowed): not sent; try later.</summary>
        RateLimited,

        /// <summary>The cloud link is down: not sent.</summary>
        NotConnected,

        /// <summary>An OTA update is running: the link is the update's (not sent).</summary>
        UpdateInProgress,

        /// <summary>Name empty or longer than 63 bytes, or data longer than 255 bytes: not sent.</summary>
        InvalidArgument,

        /// <summary>The link failed to send it.</summary>
        SendFailed
    }
}
