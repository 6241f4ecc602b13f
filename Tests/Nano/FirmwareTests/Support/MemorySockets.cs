using System;
using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// One in-memory server behind the <see cref="INetworkSockets"/> a REST client uses: each
    /// connection gets <see cref="Response"/>, handed out <see cref="PieceSize"/> bytes per Receive,
    /// then a close (Receive returns 0) or, with <see cref="CloseAfterResponse"/> false,
    /// <see cref="AfterResponse"/> (a timeout, a reset). What the client sent is kept. Every failure
    /// a socket call can give is injectable. No threads: every call answers at once.
    /// </summary>
    public sealed class MemorySockets : INetworkSockets
    {
        /// <summary>The bytes a client's request may take (the tests' requests are far smaller).</summary>
        public const int SentCapacity = 8192;

        private readonly byte[] _sent = new byte[SentCapacity];
        private int _sentLength;
        private int _delivered;
        private int _openSocket = -1;
        private int _nextHandle = 5;

        /// <summary>What the server answers (null: nothing, then <see cref="AfterResponse"/> or close).</summary>
        public byte[] Response;

        /// <summary>Bytes per Receive (at most what the caller asks for); 0 or less: all that fits.</summary>
        public int PieceSize;

        /// <summary>True (default): after the response the server closes (Receive gives 0).</summary>
        public bool CloseAfterResponse = true;

        /// <summary>What Receive gives after the response when the server does not close (default TimedOut).</summary>
        public SocketError AfterResponse = SocketError.TimedOut;

        /// <summary>Non-zero: ResolveHost fails with it.</summary>
        public SocketError ResolveError;

        /// <summary>Non-zero: Open fails with it.</summary>
        public SocketError OpenError;

        /// <summary>Non-zero: Connect fails with it.</summary>
        public SocketError ConnectError;

        /// <summary>Non-zero: Send fails with it.</summary>
        public SocketError SendError;

        /// <summary>The address ResolveHost gives.</summary>
        public uint ResolvedAddress = 0x0A000001;

        /// <summary>Sockets opened so far.</summary>
        public int Opens;

        /// <summary>Sockets closed so far.</summary>
        public int Closes;

        /// <summary>Host names resolved so far.</summary>
        public int Resolves;

        /// <summary>The last host name asked for.</summary>
        public string LastHostName;

        /// <summary>The address and port of the last Connect.</summary>
        public uint ConnectedAddress;

        /// <summary>The port of the last Connect.</summary>
        public int ConnectedPort;

        /// <summary>The response as ASCII text.</summary>
        public string ResponseText
        {
            set { Response = value == null ? null : Bytes.Ascii(value); }
        }

        /// <summary>Sockets open now (0 or 1).</summary>
        public int OpenSockets
        {
            get { return _openSocket >= 0 ? 1 : 0; }
        }

        /// <summary>Everything the client sent on the last connection, as ASCII.</summary>
        public string SentText
        {
            get { return Bytes.Text(_sent, 0, _sentLength); }
        }

        /// <inheritdoc />
        public int Open(int timeoutMilliseconds)
        {
            if (OpenError != SocketError.None) return (int)OpenError;
            if (_openSocket >= 0) return (int)SocketError.NoFreeSocket;
            Opens++;
            _openSocket = _nextHandle++;
            _sentLength = 0;
            _delivered = 0;
            return _openSocket;
        }

        /// <inheritdoc />
        public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds)
        {
            if (socket != _openSocket) return (int)SocketError.InvalidSocket;
            if (ConnectError != SocketError.None) return (int)ConnectError;
            ConnectedAddress = ipv4;
            ConnectedPort = port;
            return 0;
        }

        /// <inheritdoc />
        public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            if (socket != _openSocket) return (int)SocketError.InvalidSocket;
            if (SendError != SocketError.None) return (int)SendError;
            if (_sentLength + count > _sent.Length) throw new InvalidOperationException("MemorySockets: request larger than " + SentCapacity.ToString() + " bytes");
            Array.Copy(buffer, offset, _sent, _sentLength, count);
            _sentLength += count;
            return count;
        }

        /// <inheritdoc />
        public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            if (socket != _openSocket) return (int)SocketError.InvalidSocket;
            if (timeoutMilliseconds <= 0) throw new ArgumentOutOfRangeException("timeoutMilliseconds");
            int left = Response == null ? 0 : Response.Length - _delivered;
            if (left == 0) return CloseAfterResponse ? 0 : (int)AfterResponse;
            int n = left < count ? left : count;
            if (PieceSize > 0 && n > PieceSize) n = PieceSize;
            Array.Copy(Response, _delivered, buffer, offset, n);
            _delivered += n;
            return n;
        }

        /// <inheritdoc />
        public int Close(int socket)
        {
            if (socket != _openSocket) return (int)SocketError.InvalidSocket;
            _openSocket = -1;
            Closes++;
            return 0;
        }

        /// <inheritdoc />
        public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
        {
            Resolves++;
            LastHostName = hostName;
            ipv4 = 0;
            if (ResolveError != SocketError.None) return (int)ResolveError;
            ipv4 = ResolvedAddress;
            return 0;
        }
    }
}
