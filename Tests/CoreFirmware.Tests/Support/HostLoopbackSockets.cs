using System.Net;
using System.Net.Sockets;
using CoreFirmware.Drivers.Net;
using NetSocketError = System.Net.Sockets.SocketError;
using SocketError = CoreFirmware.Drivers.Net.SocketError;

namespace CoreFirmware.Tests.Support;

/// <summary>
/// A unit-test adapter: <see cref="INetworkSockets"/> over the host's System.Net.Sockets, so
/// firmware network code can talk to real local servers. Like the CC3000 it has a fixed number of
/// socket handles. Name resolution is a local table ("localhost" and names added with
/// <see cref="AddHost"/>); any other name is <see cref="SocketError.HostNotFound"/>, so tests never
/// depend on real DNS. Not allocation-free: System.Net.Sockets allocates a Socket per Open and
/// some state per Connect.
/// </summary>
public sealed class HostLoopbackSockets : INetworkSockets, IDisposable
{
    /// <summary>Handles available at once; the CC3000 offers a handful too.</summary>
    public const int DefaultMaxSockets = 8;

    private readonly object _sync = new();
    private readonly Socket?[] _sockets;
    private readonly bool[] _inUse;
    private readonly Dictionary<string, uint> _hosts = new(StringComparer.OrdinalIgnoreCase);

    public HostLoopbackSockets(int maxSockets = DefaultMaxSockets)
    {
        _sockets = new Socket?[maxSockets];
        _inUse = new bool[maxSockets];
        _hosts["localhost"] = 0x7F000001;
    }

    /// <summary>Makes <paramref name="name"/> resolve to <paramref name="ipv4"/> (host order).</summary>
    public HostLoopbackSockets AddHost(string name, uint ipv4 = 0x7F000001)
    {
        lock (_sync) _hosts[name] = ipv4;
        return this;
    }

    /// <summary>Handles open now.</summary>
    public int OpenCount
    {
        get
        {
            lock (_sync) return _inUse.Count(u => u);
        }
    }

    public int Open(int timeoutMilliseconds)
    {
        lock (_sync)
        {
            for (int i = 0; i < _inUse.Length; i++)
            {
                if (_inUse[i]) continue;
                _inUse[i] = true;
                _sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                return i;
            }
        }
        return (int)SocketError.NoFreeSocket;
    }

    public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds)
    {
        Socket? s = Get(socket);
        if (s is null) return (int)SocketError.InvalidSocket;
        var address = new IPAddress(new[] { (byte)(ipv4 >> 24), (byte)(ipv4 >> 16), (byte)(ipv4 >> 8), (byte)ipv4 });
        using var cts = new CancellationTokenSource(timeoutMilliseconds);
        try
        {
            s.ConnectAsync(new IPEndPoint(address, port), cts.Token).AsTask().GetAwaiter().GetResult();
            return 0;
        }
        catch (OperationCanceledException)
        {
            return (int)SocketError.TimedOut;
        }
        catch (SocketException e)
        {
            return Map(e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
            return (int)SocketError.InvalidSocket;
        }
    }

    public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        Socket? s = Get(socket);
        if (s is null) return (int)SocketError.InvalidSocket;
        try
        {
            s.SendTimeout = timeoutMilliseconds;
            int sent = 0;
            while (sent < count)
            {
                int n = s.Send(buffer, offset + sent, count - sent, SocketFlags.None, out NetSocketError error);
                if (error != NetSocketError.Success) return Map(error);
                sent += n;
            }
            return count;
        }
        catch (ObjectDisposedException)
        {
            return (int)SocketError.InvalidSocket;
        }
    }

    /// <summary>Fault hook: while positive, a Receive waits its timeout out and answers BusUnavailable (a busy SPI bus), counting down.</summary>
    public int BusUnavailableReceives;

    public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        if (Interlocked.Decrement(ref BusUnavailableReceives) >= 0)
        {
            Thread.Sleep(timeoutMilliseconds);
            return (int)SocketError.BusUnavailable;
        }
        Interlocked.CompareExchange(ref BusUnavailableReceives, 0, -1);
        Socket? s = Get(socket);
        if (s is null) return (int)SocketError.InvalidSocket;
        try
        {
            // Poll first: a timed-out blocking Receive would throw (and allocate) on every timeout.
            if (!s.Poll(timeoutMilliseconds * 1000L > int.MaxValue ? int.MaxValue : timeoutMilliseconds * 1000, SelectMode.SelectRead))
            {
                return (int)SocketError.TimedOut;
            }
            int n = s.Receive(buffer, offset, count, SocketFlags.None, out NetSocketError error);
            if (error != NetSocketError.Success) return Map(error);
            return n;
        }
        catch (ObjectDisposedException)
        {
            return (int)SocketError.InvalidSocket;
        }
    }

    public int Close(int socket)
    {
        Socket? s;
        lock (_sync)
        {
            if (socket < 0 || socket >= _inUse.Length || !_inUse[socket]) return (int)SocketError.InvalidSocket;
            s = _sockets[socket];
            _sockets[socket] = null;
            _inUse[socket] = false;
        }
        s?.Dispose();
        return 0;
    }

    public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
    {
        lock (_sync)
        {
            if (hostName is not null && _hosts.TryGetValue(hostName, out ipv4)) return 0;
        }
        ipv4 = 0;
        return (int)SocketError.HostNotFound;
    }

    public void Dispose()
    {
        lock (_sync)
        {
            for (int i = 0; i < _sockets.Length; i++)
            {
                _sockets[i]?.Dispose();
                _sockets[i] = null;
                _inUse[i] = false;
            }
        }
    }

    private Socket? Get(int socket)
    {
        lock (_sync)
        {
            return socket >= 0 && socket < _inUse.Length && _inUse[socket] ? _sockets[socket] : null;
        }
    }

    private static int Map(NetSocketError error) => error switch
    {
        NetSocketError.TimedOut or NetSocketError.WouldBlock => (int)SocketError.TimedOut,
        NetSocketError.ConnectionRefused => (int)SocketError.ConnectionRefused,
        NetSocketError.ConnectionReset or NetSocketError.ConnectionAborted or NetSocketError.Shutdown => (int)SocketError.ConnectionReset,
        NetSocketError.NotConnected => (int)SocketError.NotConnected,
        NetSocketError.HostNotFound or NetSocketError.NoData => (int)SocketError.HostNotFound,
        NetSocketError.NetworkDown or NetSocketError.NetworkUnreachable or NetSocketError.HostUnreachable => (int)SocketError.NetworkDown,
        NetSocketError.TooManyOpenSockets or NetSocketError.NoBufferSpaceAvailable => (int)SocketError.NoFreeSocket,
        _ => (int)SocketError.ModuleError,
    };
}
