using System.Net.Sockets;

namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// Closes the TCP connections of sockets the host closed, on a host thread of its own: closing a
/// .NET socket allocates, and the host's close command must not allocate on the thread driving the
/// bus. The queue is bounded; when it is full (or the model is disposed) a connection is closed at once.
/// </summary>
internal sealed class Cc3000ModelTcpCloser
{
    private readonly Cc3000Model _model;
    private readonly TcpClient?[] _queue;
    private readonly bool[] _graceful;
    private int _head;
    private int _count;
    private Thread? _thread;

    public Cc3000ModelTcpCloser(Cc3000Model model, int capacity)
    {
        _model = model;
        _queue = new TcpClient?[capacity];
        _graceful = new bool[capacity];
    }

    /// <summary>
    /// Queues <paramref name="client"/> for the closer thread. Caller holds the model lock.
    /// <paramref name="graceful"/>: a FIN after what was sent (closesocket); otherwise a reset (the module
    /// lost power: its connections vanish, and a reset is how the peer learns it here at once).
    /// </summary>
    public void CloseLocked(TcpClient client, bool graceful)
    {
        if (_model.DisposedLocked || _count == _queue.Length)
        {
            CloseNow(client, graceful: false);
            return;
        }
        _graceful[(_head + _count) % _queue.Length] = graceful;
        _queue[(_head + _count) % _queue.Length] = client;
        _count++;
        if (_thread == null)
        {
            _thread = _model.Faults.Start("CC3000 TCP closer", Loop);
        }
        Monitor.PulseAll(_model.Sync);
    }

    private void Loop()
    {
        while (true)
        {
            TcpClient? client;
            bool graceful;
            lock (_model.Sync)
            {
                while (_count == 0 && !_model.DisposedLocked) Monitor.Wait(_model.Sync, 100);
                if (_count == 0) return;
                client = _queue[_head];
                graceful = _graceful[_head];
                _queue[_head] = null;
                _head = (_head + 1) % _queue.Length;
                _count--;
            }
            if (client == null) continue;
            try
            {
                CloseNow(client, graceful);
            }
            catch (Exception e)
            {
                // Not expected (closing swallows what a dead connection throws); the loop goes on for the others.
                _model.Faults.Report("CC3000 TCP closer", e);
            }
        }
    }

    private static void CloseNow(TcpClient client, bool graceful)
    {
        try
        {
            if (graceful)
            {
                // FIN after the last byte written; the peer reads everything sent before it.
                client.Client.Shutdown(SocketShutdown.Send);
                client.Client.Close();
            }
            else
            {
                client.Client.Close(0);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // Already closed or reset by the peer: nothing left to end.
        }
        client.Dispose();
    }
}
