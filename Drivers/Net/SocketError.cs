namespace CoreFirmware.Drivers.Net
{
    /// <summary>
    /// Why a socket call failed. Socket calls return a count (or 0 for success) when they work and
    /// the negative value of one of these when they do not, so nothing is allocated on failure.
    /// </summary>
    public enum SocketError
    {
        /// <summary>The call worked.</summary>
        None = 0,
        /// <summary>The call's timeout ran out first.</summary>
        TimedOut = -1,
        /// <summary>The peer refused the connection.</summary>
        ConnectionRefused = -2,
        /// <summary>The connection was reset.</summary>
        ConnectionReset = -3,
        /// <summary>The host name did not resolve.</summary>
        HostNotFound = -4,
        /// <summary>Every socket the module has is in use.</summary>
        NoFreeSocket = -5,
        /// <summary>The handle is not an open socket.</summary>
        InvalidSocket = -6,
        /// <summary>The WiFi module stopped answering and was power-cycled; this socket is gone.</summary>
        ModuleReset = -7,
        /// <summary>The socket is not connected.</summary>
        NotConnected = -8,
        /// <summary>An OTA update preempted user networking; the socket was closed for it.</summary>
        Preempted = -9,
        /// <summary>The shared SPI bus could not be had in time.</summary>
        BusUnavailable = -10,
        /// <summary>The module is not associated with an access point or has no address.</summary>
        NetworkDown = -11,
        /// <summary>A new user socket was refused while an update is in progress.</summary>
        UpdateInProgress = -12,
        /// <summary>The module answered with an error this driver does not map.</summary>
        ModuleError = -13,
    }
}
