using CoreFirmware.Drivers.Spi;

namespace CoreFirmware.Drivers.Net
{
    /// <summary>
    /// What the system runtime needs of the WiFi module's driver: start it, join the access point,
    /// sockets per bus priority, whether the network is up, stop it. The Core's driver is
    /// <see cref="CoreFirmware.Drivers.Cc3000.Cc3000Driver"/>; a test may hand the runtime another
    /// (the 2014-style driver of the negative run lives with the tests).
    /// </summary>
    public interface IWifiModule
    {
        /// <summary>Powers the module up and starts it. Returns 0 or a negative <see cref="SocketError"/>.</summary>
        int Start(int timeoutMilliseconds);

        /// <summary>Joins access point <paramref name="ssid"/> and waits for an address. Returns 0 or a negative <see cref="SocketError"/>.</summary>
        int ConnectToAccessPoint(string ssid, string key, int timeoutMilliseconds);

        /// <summary>True while associated and addressed.</summary>
        bool IsNetworkUp { get; }

        /// <summary>
        /// Sockets whose bus requests carry <paramref name="priority"/>; the object also implements
        /// <see cref="ISocketAborter"/> (the socket broker aborts user sockets through it).
        /// </summary>
        INetworkSockets CreateSocketView(BusPriority priority);

        /// <summary>Stops the driver and powers the module off.</summary>
        void Stop();
    }
}
