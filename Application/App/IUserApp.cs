namespace CoreFirmware.Application.App
{
    /// <summary>
    /// What a user writes, Wiring-style: <see cref="Setup"/> runs once on the user thread, then
    /// <see cref="Loop"/> runs again and again on it, for as long as the device is up. The system
    /// thread (cloud link, OTA) runs beside it and never waits for it.
    /// </summary>
    public interface IUserApp
    {
        /// <summary>Called once, before the first <see cref="Loop"/>, with what the app may use.</summary>
        void Setup(UserAppContext context);

        /// <summary>Called repeatedly. It may block on network calls; those all have timeouts.</summary>
        void Loop();
    }
}
