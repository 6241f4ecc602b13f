namespace CoreFirmware.Ota.Protocol
{
    /// <summary>CoAP message type (RFC 7252 section 3, the 2-bit T field).</summary>
    public enum CoapType
    {
        /// <summary>Confirmable: the receiver acknowledges it.</summary>
        Confirmable = 0,

        /// <summary>Non-confirmable.</summary>
        NonConfirmable = 1,

        /// <summary>Acknowledgement of a confirmable message; carries the same message id.</summary>
        Acknowledgement = 2,

        /// <summary>Reset.</summary>
        Reset = 3
    }
}
