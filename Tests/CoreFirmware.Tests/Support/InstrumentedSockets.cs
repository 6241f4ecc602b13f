using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Tests.Support;

/// <summary>
/// Wraps any <see cref="INetworkSockets"/> to count calls and to inject the OTA preemption the
/// socket broker produces: when armed, the n-th Receive of a connection closes the real socket and
/// answers <see cref="SocketError.Preempted"/>, as the broker does when an update takes user networking.
/// Works over any transport (host loopback now, the virtual CC3000 later).
/// </summary>
public sealed class InstrumentedSockets : INetworkSockets
{
    private readonly INetworkSockets _inner;
    private int _receivesThisConnection;

    public InstrumentedSockets(INetworkSockets inner)
    {
        _inner = inner;
    }

    /// <summary>When &gt;= 0: Receive number <c>PreemptOnReceive</c> (0-based) of each connection answers Preempted.</summary>
    public int PreemptOnReceive { get; set; } = -1;

    public int Opens { get; private set; }
    public int Closes { get; private set; }
    public int Receives { get; private set; }
    public int ReceivesAfterPreemption { get; private set; }
    public int CallsAfterPreemption { get; private set; }
    public bool Preempted { get; private set; }

    /// <summary>Clears the preemption flag and counters after it (the update ended).</summary>
    public void EndPreemption()
    {
        PreemptOnReceive = -1;
        Preempted = false;
        ReceivesAfterPreemption = 0;
        CallsAfterPreemption = 0;
    }

    public int Open(int timeoutMilliseconds)
    {
        if (Preempted) CallsAfterPreemption++;
        int s = _inner.Open(timeoutMilliseconds);
        if (s >= 0)
        {
            Opens++;
            _receivesThisConnection = 0;
        }
        return s;
    }

    public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds)
    {
        if (Preempted) CallsAfterPreemption++;
        return _inner.Connect(socket, ipv4, port, timeoutMilliseconds);
    }

    public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        if (Preempted) CallsAfterPreemption++;
        return _inner.Send(socket, buffer, offset, count, timeoutMilliseconds);
    }

    public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        Receives++;
        if (Preempted)
        {
            ReceivesAfterPreemption++;
            CallsAfterPreemption++;
            return (int)SocketError.Preempted;
        }
        if (PreemptOnReceive >= 0 && _receivesThisConnection++ == PreemptOnReceive)
        {
            Preempted = true;
            return (int)SocketError.Preempted;
        }
        return _inner.Receive(socket, buffer, offset, count, timeoutMilliseconds);
    }

    public int Close(int socket)
    {
        Closes++;
        return _inner.Close(socket);
    }

    public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
    {
        if (Preempted) CallsAfterPreemption++;
        return _inner.ResolveHost(hostName, out ipv4, timeoutMilliseconds);
    }
}
