namespace CoreFirmware.Ota.Cloud
{
    /// <summary>
    /// Takes the cloud's safe-mode request (POST "s"/"safe-mode", a CoreFirmware extension; see
    /// Ota/Protocol/PROTOCOL-NOTES.md). The cloud link calls both methods on its own thread:
    /// first <see cref="OnSafeModeRequest"/>, then answers the cloud with the returned code, then,
    /// when that code was 2.04, <see cref="OnSafeModeAcknowledged"/>.
    /// </summary>
    public interface ISafeModeRequestHandler
    {
        /// <summary>
        /// Records the request so that the next boot is a safe-mode boot. Returns the CoAP code to
        /// answer with: CoapCode.Changed when recorded, CoapCode.ServiceUnavailable when it cannot be
        /// taken now (an update is in progress), CoapCode.InternalServerError when the write failed.
        /// </summary>
        int OnSafeModeRequest();

        /// <summary>The answer went out (or <paramref name="answerSent"/> false: it could not); now reboot.</summary>
        void OnSafeModeAcknowledged(bool answerSent);
    }
}
