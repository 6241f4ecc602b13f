using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Fuzz.Targets;

/// <summary>
/// A transport that serves one response from memory in pieces of the given sizes (cycled), then
/// reports the peer closed. One socket, no allocation per call.
/// </summary>
internal sealed class FuzzSockets : INetworkSockets
{
    private byte[] _response = [];
    private int[] _pieces = [int.MaxValue];
    private int _position;
    private int _piece;

    public void Serve(byte[] response, int[] pieces)
    {
        _response = response;
        _pieces = pieces;
    }

    public int Open(int timeoutMilliseconds)
    {
        _position = 0;
        _piece = 0;
        return 1;
    }

    public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds) => 0;

    public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds) => count;

    public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
    {
        int left = _response.Length - _position;
        if (left == 0) return 0;
        int n = Math.Min(Math.Min(count, left), _pieces[_piece++ % _pieces.Length]);
        Array.Copy(_response, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public int Close(int socket) => 0;

    public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
    {
        ipv4 = 0x0A000002;
        return 0;
    }
}
