namespace CoreFirmware.Drivers.Spi
{
    /// <summary>
    /// Who asks for the shared SPI bus. Lower values win: a waiting flash/OTA request is granted
    /// before any waiting network request, system network before user network.
    /// </summary>
    public enum BusPriority
    {
        /// <summary>External flash operations and the OTA service's writes.</summary>
        Flash = 0,
        /// <summary>CC3000 traffic of the system (cloud link, OTA transfer).</summary>
        SystemNetwork = 1,
        /// <summary>CC3000 traffic on behalf of user code.</summary>
        UserNetwork = 2,
    }
}
