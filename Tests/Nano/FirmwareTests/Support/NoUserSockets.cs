using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>A user socket view with no network behind it (the OTA tests open no user socket): every call says NetworkDown; aborts are counted.</summary>
    public sealed class NoUserSockets : INetworkSockets, ISocketAborter
    {
        /// <summary>Abort calls so far.</summary>
        public int Aborts;

        /// <inheritdoc />
        public int Open(int timeoutMilliseconds) { return (int)SocketError.NetworkDown; }

        /// <inheritdoc />
        public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds) { return (int)SocketError.InvalidSocket; }

        /// <inheritdoc />
        public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds) { return (int)SocketError.InvalidSocket; }

        /// <inheritdoc />
        public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds) { return (int)SocketError.InvalidSocket; }

        /// <inheritdoc />
        public int Close(int socket) { return (int)SocketError.InvalidSocket; }

        /// <inheritdoc />
        public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
        {
            ipv4 = 0;
            return (int)SocketError.NetworkDown;
        }

        /// <inheritdoc />
        public void Abort(int socket, SocketError reason) { Aborts++; }
    }
}
