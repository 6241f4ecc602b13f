using CoreFirmware.Application.App;
using CoreFirmware.Drivers.Net;

namespace CoreFirmware.TestApps.SocketHog
{
    /// <summary>
    /// The most network-hungry user code the 2014 report's spirit allows: it opens as many TCP sockets
    /// as the system gives it, connects them all to one server, and with no delay streams on every one
    /// of them (send a block, read back whatever came), reopening any socket that fails. It never
    /// looks at <see cref="UserAppContext.Updates"/>: it is the app that must not be able to lock the
    /// device out of an update. After <see cref="Setup"/> a loop allocates nothing.
    /// </summary>
    public sealed class SocketHogApp : IUserApp
    {
        /// <summary>Socket slots tried: the CC3000 driver's descriptor table has 8 (Cc3000SocketTable.Slots).</summary>
        public const int MaxSockets = 8;

        /// <summary>Bytes sent per socket per loop: one CC3000 buffer's worth of payload (1460 B fits one module buffer).</summary>
        public const int BlockSize = 1460;

        // Timeouts of the calls: long enough to hold the module's attention, short enough to keep streaming.
        private const int OpenTimeoutMilliseconds = 1000;
        private const int ConnectTimeoutMilliseconds = 2000;
        private const int SendTimeoutMilliseconds = 2000;
        private const int ReceiveTimeoutMilliseconds = 5;

        private readonly uint _ipv4;
        private readonly int _port;
        private readonly int[] _sockets = new int[MaxSockets];
        private readonly byte[] _block = new byte[BlockSize];
        private readonly byte[] _receive = new byte[BlockSize];
        private INetworkSockets _net;
        private int _open;
        private int _opened;
        private int _failures;
        private long _bytesSent;
        private long _bytesReceived;

        /// <summary>Creates the app streaming to <paramref name="ipv4"/> (host order) : <paramref name="port"/>.</summary>
        public SocketHogApp(uint ipv4, int port)
        {
            _ipv4 = ipv4;
            _port = port;
            for (int i = 0; i < MaxSockets; i++) _sockets[i] = -1;
            for (int i = 0; i < BlockSize; i++) _block[i] = (byte)i;
        }

        /// <summary>Sockets open now.</summary>
        public int OpenSockets { get { return _open; } }

        /// <summary>Sockets opened and connected since start.</summary>
        public int Opened { get { return _opened; } }

        /// <summary>Calls that failed (open, connect, send or receive).</summary>
        public int Failures { get { return _failures; } }

        /// <summary>Bytes sent.</summary>
        public long BytesSent { get { return _bytesSent; } }

        /// <summary>Bytes received back.</summary>
        public long BytesReceived { get { return _bytesReceived; } }

        /// <inheritdoc />
        public void Setup(UserAppContext context)
        {
            _net = context.Network;
        }

        /// <inheritdoc />
        public void Loop()
        {
            for (int i = 0; i < MaxSockets; i++)
            {
                if (_sockets[i] < 0 && !OpenOne(i)) break; // no more sockets for now: stream on those held
            }

            for (int i = 0; i < MaxSockets; i++)
            {
                int s = _sockets[i];
                if (s < 0) continue;
                int r = _net.Send(s, _block, 0, BlockSize, SendTimeoutMilliseconds);
                if (r < 0)
                {
                    Drop(i);
                    continue;
                }
                _bytesSent += r;
                r = _net.Receive(s, _receive, 0, BlockSize, ReceiveTimeoutMilliseconds);
                if (r > 0)
                {
                    _bytesReceived += r;
                }
                else if (r == 0 || r != (int)SocketError.TimedOut)
                {
                    Drop(i);
                }
            }
        }

        private bool OpenOne(int slot)
        {
            int s = _net.Open(OpenTimeoutMilliseconds);
            if (s < 0)
            {
                _failures++;
                return false;
            }
            if (_net.Connect(s, _ipv4, _port, ConnectTimeoutMilliseconds) != 0)
            {
                _failures++;
                _net.Close(s);
                return false;
            }
            _sockets[slot] = s;
            _open++;
            _opened++;
            return true;
        }

        private void Drop(int slot)
        {
            _failures++;
            _net.Close(_sockets[slot]);
            _sockets[slot] = -1;
            _open--;
        }
    }
}
