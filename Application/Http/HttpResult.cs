namespace CoreFirmware.Application.Http
{
    /// <summary>
    /// How a <see cref="RestClient"/> request ended. <see cref="Ok"/> means a complete HTTP response
    /// arrived, whatever its status code (read <see cref="RestClient.StatusCode"/>); every other value
    /// says why there is no complete response. When a socket call was the cause,
    /// <see cref="RestClient.SocketError"/> keeps the underlying error for diagnosis.
    /// </summary>
    public enum HttpResult
    {
        /// <summary>A complete response was received; status, headers and body are valid.</summary>
        Ok = 0,
        /// <summary>Connecting, sending or the response took longer than its timeout.</summary>
        TimedOut = 1,
        /// <summary>The server refused the connection (nothing listens on that port).</summary>
        ConnectionRefused = 2,
        /// <summary>The host name did not resolve.</summary>
        HostNotFound = 3,
        /// <summary>
        /// The response body is larger than the body buffer. The connection was closed without
        /// reading the rest; status and headers are valid, the body is not.
        /// </summary>
        TooLarge = 4,
        /// <summary>The status line and headers did not fit in the header buffer.</summary>
        HeadersTooLarge = 5,
        /// <summary>The peer closed the connection before the response was complete.</summary>
        Truncated = 6,
        /// <summary>The response is not valid HTTP/1.x (status line, header line, length or chunk framing).</summary>
        MalformedResponse = 7,
        /// <summary>
        /// An OTA update took user networking (<see cref="CoreFirmware.Drivers.Net.SocketError.Preempted"/>
        /// or <see cref="CoreFirmware.Drivers.Net.SocketError.UpdateInProgress"/>). The request was
        /// abandoned at once; try again after the update.
        /// </summary>
        Preempted = 8,
        /// <summary>Any other socket failure (reset, module reset, network down, no free socket, ...).</summary>
        NetworkError = 9,
        /// <summary>The request could not be built: an argument is empty, not printable ASCII, or does not fit in the request buffer.</summary>
        InvalidRequest = 10,
    }
}
