using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Tests.Ota;

/// <summary>
/// A unit-test stand-in for the CC3000's user view: sockets that connect and send at once, and a
/// Receive that blocks until its timeout or until <see cref="Abort"/> wakes it with the reason (what
/// the CC3000 view's ISocketAborter promises). Counts what the broker did to it.
/// </summary>
internal sealed class FakeUserSockets : INetworkSockets, ISocketAborter
{
    private readonly object _sync = new();
    private readonly HashSet<int> _open = new();
    private readonly Dictionary<int, SocketError> _aborted = new();
    private int _next = 3; // handles that are not slot numbers, as the CC3000 gives

    public int OpenCount { get { lock (_sync) return _open.Count; } }
    public int AbortCalls { get; private set; }
    public int InsideReceive { get { lock (_sync) return _insideReceive; } }
    private int _insideReceive;

    public int Open(int timeoutMilliseconds)
    {
        lock (_sync)
        {
            int h = _next++;
            _open.Add(h);
            return h;
        }
    }

    public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds) => Check(socket);

    public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        int r = Check(socket);
        return r < 0 ? r : count;
    }

    public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        lock (_sync)
        {
            _insideReceive++;
            try
            {
                var deadline = Environment.TickCount64 + timeoutMilliseconds;
                while (true)
                {
                    if (!_open.Contains(socket)) return (int)SocketError.InvalidSocket;
                    if (_aborted.TryGetValue(socket, out var why)) return (int)why;
                    long left = deadline - Environment.TickCount64;
                    if (left <= 0) return (int)SocketError.TimedOut;
                    Monitor.Wait(_sync, (int)Math.Min(left, 1000));
                }
            }
            finally
            {
                _insideReceive--;
            }
        }
    }

    public int Close(int socket)
    {
        lock (_sync)
        {
            _aborted.Remove(socket);
            return _open.Remove(socket) ? 0 : (int)SocketError.InvalidSocket;
        }
    }

    public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
    {
        ipv4 = 0x7F000001;
        return 0;
    }

    public void Abort(int socket, SocketError reason)
    {
        lock (_sync)
        {
            AbortCalls++;
            if (!_open.Contains(socket)) return;
            _aborted[socket] = reason;
            Monitor.PulseAll(_sync);
        }
    }

    private int Check(int socket)
    {
        lock (_sync)
        {
            if (!_open.Contains(socket)) return (int)SocketError.InvalidSocket;
            return _aborted.TryGetValue(socket, out var why) ? (int)why : 0;
        }
    }
}
