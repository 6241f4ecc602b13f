#nullable disable
using System;
using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>
    /// A socket layer with a ticker server inside: every connection answers the request with the same
    /// prepared HTTP response (in TCP-sized segments) and then closes. One socket at a time, no
    /// allocation, no waiting: what is timed and weighed is the client's work (RestClient, the JSON
    /// tokenizer, the app), not a network.
    /// </summary>
    public sealed class InMemoryTickerSockets : INetworkSockets
    {
        /// <summary>The address every host name resolves to (10.0.0.1).</summary>
        public const uint ServerAddress = 0x0A000001;

        /// <summary>Bytes per receive at most: one TCP segment of a 576-byte-MTU path, as small links send.</summary>
        public const int SegmentSize = 536;

        private readonly byte[] _response;
        private bool _open;
        private int _position;
        private long _requestBytes;
        private int _connections;

        /// <summary>Serves <paramref name="response"/> (status line, headers, body) on every connection.</summary>
        public InMemoryTickerSockets(byte[] response)
        {
            if (response == null) throw new ArgumentNullException("response");
            _response = response;
        }

        /// <summary>Connections closed so far.</summary>
        public int Connections
        {
            get { return _connections; }
        }

        /// <summary>Request bytes received from clients so far.</summary>
        public long RequestBytes
        {
            get { return _requestBytes; }
        }

        /// <summary>The HTTP/1.1 200 response a ticker API sends, with <paramref name="body"/> (ASCII) as a Content-Length body.</summary>
        public static byte[] TickerResponse(string body)
        {
            string head = "HTTP/1.1 200 OK\r\n"
                + "Date: Thu, 14 Mar 2024 09:41:00 GMT\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.Length.ToString() + "\r\n"
                + "Connection: close\r\n"
                + "Cache-Control: no-cache, max-age=0\r\n"
                + "Server: ticker\r\n"
                + "\r\n";
            return BenchDocuments.Ascii(head + body);
        }

        /// <inheritdoc />
        public int Open(int timeoutMilliseconds)
        {
            if (_open) return (int)SocketError.NoFreeSocket;
            _open = true;
            _position = 0;
            return 0;
        }

        /// <inheritdoc />
        public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds)
        {
            if (!_open || socket != 0) return (int)SocketError.InvalidSocket;
            return ipv4 == ServerAddress ? 0 : (int)SocketError.ConnectionRefused;
        }

        /// <inheritdoc />
        public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            if (!_open || socket != 0) return (int)SocketError.InvalidSocket;
            _requestBytes += count;
            return count;
        }

        /// <inheritdoc />
        public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            if (!_open || socket != 0) return (int)SocketError.InvalidSocket;
            int left = _response.Length - _position;
            if (left <= 0) return 0; // the server closed after its response
            int n = count < left ? count : left;
            if (n > SegmentSize) n = SegmentSize;
            Array.Copy(_response, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        /// <inheritdoc />
        public int Close(int socket)
        {
            if (!_open || socket != 0) return (int)SocketError.InvalidSocket;
            _open = false;
            _connections++;
            return 0;
        }

        /// <inheritdoc />
        public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
        {
            ipv4 = ServerAddress;
            return 0;
        }
    }
}
