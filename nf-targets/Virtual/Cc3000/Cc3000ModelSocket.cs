using System.Net;
using System.Net.Sockets;

namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// One of the module's sockets, carried as a real TCP connection to 127.0.0.1. Its state is
/// guarded by the model's lock; two host threads do the blocking I/O: one connects and then
/// reads into the bounded receive ring (it stops reading when the ring is full, so TCP's own
/// window pushes back on the peer), the other writes the module's transmit buffers out in order.
/// </summary>
internal sealed class Cc3000ModelSocket
{
    public enum Phase { Created, Connecting, Connected, PeerClosed, Reset, Failed, Closed }

    private readonly Cc3000Model _model;
    private readonly object _sync;
    private TcpClient? _client;
    private NetworkStream? _stream;

    public Cc3000ModelSocket(Cc3000Model model, object sync, int sd, int powerEpoch, int receiveBufferSize, int txSlots)
    {
        _model = model;
        _sync = sync;
        Sd = sd;
        PowerEpoch = powerEpoch;
        Rx = new byte[receiveBufferSize];
        TxQueue = new int[txSlots];
        TxLength = new int[txSlots];
    }

    public int Sd { get; }
    public int PowerEpoch { get; }
    public Phase State;
    public bool NonBlocking;

    // Receive ring (bytes from the peer not yet handed to the host).
    public readonly byte[] Rx;
    public int RxHead;
    public int RxCount;

    // Transmit queue: indexes of the model's shared transmit buffers, in send order.
    public readonly int[] TxQueue;
    public readonly int[] TxLength;
    public int TxHead;
    public int TxCount;
    public int TxInFlight = -1;

    // Answers that complete later than their command.
    public bool ConnectAnswerDue;
    public int ConnectResult;
    public bool BlockingRecvPending;
    public int BlockingRecvMax;
    public int BlockingRecvFlags;
    public bool CloseWaitDue;

    public bool IsClosed => State == Phase.Closed;

    /// <summary>Starts connecting to 127.0.0.1:<paramref name="port"/> on a host thread.</summary>
    public void StartConnect(int port)
    {
        State = Phase.Connecting;
        var reader = new Thread(() => ConnectAndRead(port)) { IsBackground = true, Name = $"CC3000 socket {Sd} rx" };
        reader.Start();
    }

    /// <summary>Closes the TCP side. Caller holds the model lock.</summary>
    public void CloseLocked()
    {
        State = Phase.Closed;
        try { _client?.Client.Close(0); } catch (ObjectDisposedException) { }
        _client?.Dispose();
        Monitor.PulseAll(_sync);
    }

    private void ConnectAndRead(int port)
    {
        var client = new TcpClient();
        int result;
        try
        {
            client.NoDelay = true;
            client.Connect(IPAddress.Loopback, port);
            result = 0;
        }
        catch (SocketException)
        {
            // Refused, unreachable or timed out: the module answers connect with -1 for all of them.
            result = Cc3000Wire.ErrorGeneric;
        }

        NetworkStream? stream = null;
        lock (_sync)
        {
            if (State != Phase.Connecting)
            {
                client.Dispose();
                return;
            }
            if (result == 0)
            {
                _client = client;
                _stream = stream = client.GetStream();
                State = Phase.Connected;
            }
            else
            {
                client.Dispose();
                State = Phase.Failed;
            }
            ConnectResult = result;
            ConnectAnswerDue = true;
            _model.OnSocketChangedLocked();
        }
        if (stream == null) return;

        var writer = new Thread(() => WriteLoop(stream)) { IsBackground = true, Name = $"CC3000 socket {Sd} tx" };
        writer.Start();
        ReadLoop(stream);
    }

    private void ReadLoop(NetworkStream stream)
    {
        var chunk = new byte[1460];
        while (true)
        {
            int room;
            lock (_sync)
            {
                while (!IsClosed && RxCount == Rx.Length) Monitor.Wait(_sync, 100);
                if (State != Phase.Connected) return;
                room = Math.Min(chunk.Length, Rx.Length - RxCount);
            }
            int n;
            bool reset = false;
            try
            {
                n = stream.Read(chunk, 0, room);
            }
            catch (IOException)
            {
                n = 0;
                reset = true;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            lock (_sync)
            {
                if (State != Phase.Connected) return;
                if (n == 0)
                {
                    State = reset ? Phase.Reset : Phase.PeerClosed;
                    if (!reset) CloseWaitDue = true;
                    _model.OnSocketChangedLocked();
                    return;
                }
                int tail = (RxHead + RxCount) % Rx.Length;
                int first = Math.Min(n, Rx.Length - tail);
                Buffer.BlockCopy(chunk, 0, Rx, tail, first);
                Buffer.BlockCopy(chunk, first, Rx, 0, n - first);
                RxCount += n;
                _model.OnSocketChangedLocked();
            }
        }
    }

    private void WriteLoop(NetworkStream stream)
    {
        while (true)
        {
            int slot, length;
            lock (_sync)
            {
                while (!IsClosed && TxCount == 0 && State == Phase.Connected) Monitor.Wait(_sync, 100);
                if (TxCount == 0 || IsClosed) return;
                slot = TxQueue[TxHead];
                length = TxLength[TxHead];
                TxHead = (TxHead + 1) % TxQueue.Length;
                TxCount--;
                TxInFlight = slot;
            }
            bool failed = false;
            int airTime = _model.TransmitDelayMilliseconds;
            if (airTime > 0) Thread.Sleep(airTime);
            try
            {
                stream.Write(_model.TxBuffer(slot), 0, length);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                failed = true;
            }
            lock (_sync)
            {
                TxInFlight = -1;
                _model.ReleaseTxBufferLocked(this, slot);
                if (failed && State == Phase.Connected)
                {
                    State = Phase.Reset;
                    _model.OnSocketChangedLocked();
                }
                if (failed) return;
            }
        }
    }
}
