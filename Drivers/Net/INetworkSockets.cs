namespace CoreFirmware.Drivers.Net
{
    /// <summary>
    /// TCP sockets as firmware code uses them: handles are small integers, buffers are byte[] +
    /// offset + count, every call takes a timeout, and every result is a count or a negative
    /// <see cref="SocketError"/>. No call allocates. The CC3000 driver provides one view of this per
    /// bus priority (system or user); the socket broker (Ota) puts its preemption in front of the user view.
    /// </summary>
    public interface INetworkSockets
    {
        /// <summary>Opens a TCP socket. Returns its handle (&gt;= 0) or a negative <see cref="SocketError"/>.</summary>
        int Open(int timeoutMilliseconds);

        /// <summary>Connects to <paramref name="ipv4"/> (host order, a.b.c.d = a &lt;&lt; 24 | ...) : <paramref name="port"/>. Returns 0 or a negative <see cref="SocketError"/>.</summary>
        int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds);

        /// <summary>Sends all <paramref name="count"/> bytes. Returns <paramref name="count"/> or a negative <see cref="SocketError"/>.</summary>
        int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds);

        /// <summary>
        /// Receives up to <paramref name="count"/> bytes. Returns the number received (&gt; 0), 0 when
        /// the peer closed the connection, or a negative <see cref="SocketError"/>
        /// (<see cref="SocketError.TimedOut"/> when nothing came in time).
        /// </summary>
        int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds);

        /// <summary>Closes the socket. Returns 0 or a negative <see cref="SocketError"/>; the handle is invalid afterwards either way.</summary>
        int Close(int socket);

        /// <summary>Resolves <paramref name="hostName"/>. Returns 0 and the address, or a negative <see cref="SocketError"/>.</summary>
        int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds);
    }
}
