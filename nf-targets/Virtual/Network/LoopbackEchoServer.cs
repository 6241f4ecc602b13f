using System.Net;
using System.Net.Sockets;

namespace CoreFirmware.Virtual.Network;

/// <summary>
/// A TCP echo server on 127.0.0.1 (ephemeral port) for tests and the bus-stress runner: every connection gets back what it
/// sends. <see cref="CloseAfterBytes"/> makes it close a connection after echoing that many bytes.
/// Its threads report what they did not expect into <see cref="Faults"/>; a connection that ends
/// (closed by the client, or by <see cref="Dispose"/> under a read) is not a fault.
/// </summary>
public sealed class LoopbackEchoServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly List<TcpClient> _clients = new();
    private readonly Thread _acceptThread;
    private volatile bool _stopping;
    private int _connections;

    public LoopbackEchoServer(int closeAfterBytes = -1, BackgroundFaults? faults = null)
    {
        CloseAfterBytes = closeAfterBytes;
        Faults = faults ?? new BackgroundFaults();
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptThread = Faults.Start("echo accept", AcceptLoop);
    }

    /// <summary>What the server's threads did not expect (empty on a healthy run).</summary>
    public BackgroundFaults Faults { get; }

    public int Port { get; }

    public int CloseAfterBytes { get; }

    public int Connections => Volatile.Read(ref _connections);

    private void AcceptLoop()
    {
        while (!_stopping)
        {
            TcpClient client;
            try { client = _listener.AcceptTcpClient(); }
            catch (SocketException) { return; }
            catch (ObjectDisposedException) { return; }
            Interlocked.Increment(ref _connections);
            lock (_clients) _clients.Add(client);
            Faults.Start("echo", () => Echo(client));
        }
    }

    private void Echo(TcpClient client)
    {
        var buffer = new byte[8192];
        long echoed = 0;
        try
        {
            var stream = client.GetStream();
            while (true)
            {
                int want = buffer.Length;
                if (CloseAfterBytes >= 0) want = (int)Math.Min(want, CloseAfterBytes - echoed);
                if (want <= 0) break;
                int n = stream.Read(buffer, 0, want);
                if (n == 0) break;
                stream.Write(buffer, 0, n);
                echoed += n;
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        catch (InvalidOperationException) { } // disposed by Dispose() during the read: NetworkStream's "does not support reading"
        finally
        {
            lock (_clients) _clients.Remove(client);
            client.Dispose();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _listener.Stop();
        lock (_clients) foreach (var c in _clients) c.Dispose();
    }
}
