using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Tests.Support;

/// <summary>
/// A system thread stuck in a driver, for the watchdog's tests: wraps the socket view the cloud link
/// uses (wired in through VirtualCoreOptions.SystemSockets, i.e. SystemParts.SystemSockets) and, once
/// armed with <see cref="StallNextReceive"/>, holds the next Receive (the cloud link's loop receives on
/// every iteration) for the given time without returning: no checkin, no link service. The stall ends
/// after that time or at <see cref="Release"/> (what a board reset does to a stuck thread). Everything
/// else passes straight through.
/// </summary>
public sealed class StallingSockets(INetworkSockets inner) : INetworkSockets
{
    private readonly ManualResetEventSlim _released = new(false);
    private int _stallMs;
    private int _stalled;

    /// <summary>True while a Receive is held.</summary>
    public bool IsStalled => Volatile.Read(ref _stalled) != 0;

    /// <summary>Arms the stall: the next Receive is held up to <paramref name="milliseconds"/>.</summary>
    public void StallNextReceive(int milliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(milliseconds, 1);
        _released.Reset();
        Volatile.Write(ref _stallMs, milliseconds);
    }

    /// <summary>Ends a stall (armed or in progress) at once.</summary>
    public void Release()
    {
        Volatile.Write(ref _stallMs, 0);
        _released.Set();
    }

    public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        int stall = Interlocked.Exchange(ref _stallMs, 0);
        if (stall > 0)
        {
            Volatile.Write(ref _stalled, 1);
            _released.Wait(stall);
            Volatile.Write(ref _stalled, 0);
        }

        return inner.Receive(socket, buffer, offset, count, timeoutMilliseconds);
    }

    public int Open(int timeoutMilliseconds) => inner.Open(timeoutMilliseconds);

    public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds) => inner.Connect(socket, ipv4, port, timeoutMilliseconds);

    public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds) => inner.Send(socket, buffer, offset, count, timeoutMilliseconds);

    public int Close(int socket) => inner.Close(socket);

    public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds) => inner.ResolveHost(hostName, out ipv4, timeoutMilliseconds);
}
