using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Tests.Support;

/// <summary>
/// A unit-test transport that serves a canned response from memory: every connection replays the
/// same bytes, at most <see cref="PieceSize"/> per Receive, then reports the peer closed (or, with
/// <see cref="HoldOpenAtEnd"/>, times out as a server that keeps the connection open would).
/// It records the request bytes into a fixed buffer and allocates nothing per call, so allocation
/// measured around a client using it is the client's own.
/// </summary>
public sealed class CannedHttpSockets : INetworkSockets
{
    private byte[] _response = Array.Empty<byte>();
    private int _position;
    private bool _open;
    private int _receiveIndex;

    /// <summary>The request bytes of the current/last connection (first <see cref="SentLength"/> bytes).</summary>
    public byte[] Sent { get; } = new byte[16 * 1024];
    public int SentLength { get; private set; }

    /// <summary>Largest number of bytes returned by one Receive.</summary>
    public int PieceSize { get; set; } = int.MaxValue;

    /// <summary>After the response: answer TimedOut instead of 0 (peer closed).</summary>
    public bool HoldOpenAtEnd { get; set; }

    /// <summary>Results to inject (0: work normally).</summary>
    public int ResolveResult { get; set; }
    public int OpenResult { get; set; }
    public int ConnectResult { get; set; }
    public int SendResult { get; set; }

    /// <summary>When &gt;= 0: Receive number <c>FailReceiveAt</c> (0-based) of each connection returns <see cref="FailReceiveWith"/>.</summary>
    public int FailReceiveAt { get; set; } = -1;
    public int FailReceiveWith { get; set; } = (int)SocketError.ConnectionReset;

    /// <summary>Called on every Receive (for example to advance a manual clock).</summary>
    public Action? OnReceive { get; set; }

    public int Opens { get; private set; }
    public int Closes { get; private set; }
    public int Receives { get; private set; }
    public int Resolves { get; private set; }
    public uint LastAddress { get; private set; }
    public int LastPort { get; private set; }

    /// <summary>Serves <paramref name="response"/> (kept by reference, not copied) on every connection.</summary>
    public void SetResponse(byte[] response)
    {
        _response = response;
    }

    public int Open(int timeoutMilliseconds)
    {
        if (OpenResult < 0) return OpenResult;
        Opens++;
        _open = true;
        _position = 0;
        _receiveIndex = 0;
        SentLength = 0;
        return 3;
    }

    public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds)
    {
        if (!_open || socket != 3) return (int)SocketError.InvalidSocket;
        LastAddress = ipv4;
        LastPort = port;
        return ConnectResult;
    }

    public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        if (!_open || socket != 3) return (int)SocketError.InvalidSocket;
        if (SendResult < 0) return SendResult;
        int room = Sent.Length - SentLength;
        int n = count < room ? count : room;
        Array.Copy(buffer, offset, Sent, SentLength, n);
        SentLength += n;
        return count;
    }

    public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        if (!_open || socket != 3) return (int)SocketError.InvalidSocket;
        Receives++;
        OnReceive?.Invoke();
        if (_receiveIndex++ == FailReceiveAt) return FailReceiveWith;
        int left = _response.Length - _position;
        if (left == 0) return HoldOpenAtEnd ? (int)SocketError.TimedOut : 0;
        int n = count;
        if (n > left) n = left;
        if (n > PieceSize) n = PieceSize;
        Array.Copy(_response, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public int Close(int socket)
    {
        if (!_open || socket != 3) return (int)SocketError.InvalidSocket;
        _open = false;
        Closes++;
        return 0;
    }

    public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
    {
        Resolves++;
        ipv4 = ResolveResult < 0 ? 0u : 0x0A000002u;
        return ResolveResult;
    }
}
