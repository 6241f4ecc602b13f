using System.Net;
using System.Net.Sockets;

namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// One of the module's sockets, carried as a real TCP connection to 127.0.0.1. Its state is
/// guarded by the model's lock; host threads do the blocking I/O: one (kept per socket slot)
/// connects and then reads into the bounded receive ring (it stops reading when the ring is full,
/// so TCP's own window pushes back on the peer), another writes the module's transmit buffers out
/// in order.
/// </summary>
/// <remarks>
/// The model keeps one of these per socket number and reuses it for every socket the host opens
/// with that number (<see cref="ReuseLocked"/>), so opening, connecting and closing sockets
/// allocates nothing on the thread that drives the SPI bus, as a real module allocates nothing on
/// the host. Each use has its own <see cref="Generation"/>; the I/O threads of an earlier use stop
/// touching the socket as soon as the generation moved on.
/// </remarks>
internal sealed class Cc3000ModelSocket
{
    public enum Phase { Created, Connecting, Connected, PeerClosed, Reset, Failed, Closed }

    private readonly Cc3000Model _model;
    private readonly object _sync;
    private TcpClient? _client;
    private Thread? _worker;
    private bool _connectRequested;
    private int _connectPort;
    private int _connectGeneration;

    public Cc3000ModelSocket(Cc3000Model model, object sync, int sd, int receiveBufferSize, int txSlots)
    {
        _model = model;
        _sync = sync;
        Sd = sd;
        Rx = new byte[receiveBufferSize];
        TxQueue = new int[txSlots];
        TxLength = new int[txSlots];
        State = Phase.Closed;
    }

    public int Sd { get; }

    /// <summary>The model's power epoch when this use of the socket began.</summary>
    public int PowerEpoch { get; private set; }

    /// <summary>Counts the uses of this socket slot.</summary>
    public int Generation { get; private set; }

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
    // closesocket taken while buffers were still queued for the peer: the writer sends them, then the
    // connection closes gracefully and the close is answered (Cc3000ModelSocketTable.CloseLocked).
    public bool Closing;
    public long ClosingDeadline; // TickCount64 ms
    // A connect to a black hole: when the module's own timeout answers it (TickCount64 ms; 0 = none).
    public long BlackHoleAnswerAt;

    public bool IsClosed => State == Phase.Closed;

    /// <summary>Starts a new use of the slot (the host opened a socket). Caller holds the model lock.</summary>
    public void ReuseLocked(int powerEpoch)
    {
        Generation++;
        PowerEpoch = powerEpoch;
        State = Phase.Created;
        NonBlocking = false;
        RxHead = 0;
        RxCount = 0;
        TxHead = 0;
        TxCount = 0;
        TxInFlight = -1;
        ConnectAnswerDue = false;
        ConnectResult = 0;
        BlockingRecvPending = false;
        BlockingRecvMax = 0;
        BlockingRecvFlags = 0;
        CloseWaitDue = false;
        Closing = false;
        BlackHoleAnswerAt = 0;
        _client = null;
        _connectRequested = false;
    }

    /// <summary>Starts connecting to 127.0.0.1:<paramref name="port"/> on the slot's host thread. Caller holds the model lock.</summary>
    public void StartConnect(int port)
    {
        State = Phase.Connecting;
        _connectPort = port;
        _connectGeneration = Generation;
        _connectRequested = true;
        if (_worker == null)
        {
            // Once per slot (the first connect), not per socket.
            _worker = _model.Faults.Start(ReaderName, Work);
        }
        Monitor.PulseAll(_sync);
    }

    /// <summary>
    /// Closes the TCP side (on the model's closer thread). Caller holds the model lock.
    /// <paramref name="graceful"/>: FIN after what was sent; otherwise a reset (power lost).
    /// </summary>
    public void CloseLocked(bool graceful = false)
    {
        State = Phase.Closed;
        Closing = false;
        _connectRequested = false;
        if (_client != null) _model.Closer.CloseLocked(_client, graceful);
        _client = null;
        Monitor.PulseAll(_sync);
    }

    private string ReaderName => $"CC3000 socket {Sd} rx";

    private string WriterName => $"CC3000 socket {Sd} tx";

    // The slot's host thread: waits for a connect request, then carries that connection to its end.
    private void Work()
    {
        while (true)
        {
            int port, generation;
            lock (_sync)
            {
                while (!_connectRequested && !_model.DisposedLocked) Monitor.Wait(_sync, 100);
                if (!_connectRequested) return;
                _connectRequested = false;
                port = _connectPort;
                generation = _connectGeneration;
            }
            try
            {
                ConnectAndRead(port, generation);
            }
            catch (Exception e)
            {
                // Not one of the endings the loop knows: reported; this connection ends as reset and
                // the slot's thread goes on serving the sockets that come after it.
                _model.Faults.Report(ReaderName, e);
                EndAsReset(generation);
            }
        }
    }

    // The connection of this use ended badly: a socket still connecting or connected reads as reset.
    private void EndAsReset(int generation)
    {
        lock (_sync)
        {
            if (!CurrentLocked(generation) || (State != Phase.Connected && State != Phase.Connecting)) return;
            if (State == Phase.Connecting)
            {
                State = Phase.Failed;
                ConnectResult = Cc3000Wire.ErrorGeneric;
                ConnectAnswerDue = true;
            }
            else
            {
                State = Phase.Reset;
            }
            _model.OnSocketChangedLocked();
        }
    }

    private bool CurrentLocked(int generation) => Generation == generation;

    private void ConnectAndRead(int port, int generation)
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

        Stream? stream = null;
        int epoch;
        lock (_sync)
        {
            if (!CurrentLocked(generation) || State != Phase.Connecting)
            {
                client.Dispose();
                return;
            }
            if (result == 0)
            {
                _client = client;
                stream = _model.OpenStream(client);
                State = Phase.Connected;
            }
            else
            {
                client.Dispose();
                State = Phase.Failed;
            }
            epoch = PowerEpoch;
            ConnectResult = result;
            ConnectAnswerDue = true;
            _model.OnSocketChangedLocked();
        }
        if (stream == null) return;

        _model.Faults.Start(WriterName, () => WriteLoop(stream, generation, epoch));
        ReadLoop(stream, generation);
    }

    private void ReadLoop(Stream stream, int generation)
    {
        var chunk = new byte[1460];
        while (true)
        {
            int room;
            lock (_sync)
            {
                while (CurrentLocked(generation) && !IsClosed && RxCount == Rx.Length) Monitor.Wait(_sync, 100);
                if (!CurrentLocked(generation) || State != Phase.Connected) return;
                room = Math.Min(chunk.Length, Rx.Length - RxCount);
            }
            int n;
            bool reset = false;
            try
            {
                n = stream.Read(chunk, 0, room);
            }
            catch (Exception e) when (IsConnectionEnd(e))
            {
                n = 0;
                reset = true;
            }
            lock (_sync)
            {
                // Closed by the host (or a power cycle) meanwhile: that was the end of this connection.
                if (!CurrentLocked(generation) || State != Phase.Connected) return;
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

    /// <summary>
    /// How a connection ends under its reader or writer: IOException (reset by the peer, or the socket
    /// closed under the call), and ObjectDisposedException or InvalidOperationException ("The stream
    /// does not support reading/writing") when the model's closer thread or a power cycle disposed the
    /// connection just before or during the call; NetworkStream throws one or the other depending on
    /// the instant. None of them is a fault.
    /// </summary>
    private static bool IsConnectionEnd(Exception e) => e is IOException or ObjectDisposedException or InvalidOperationException;

    private void WriteLoop(Stream stream, int generation, int epoch)
    {
        while (true)
        {
            int slot, length;
            lock (_sync)
            {
                while (CurrentLocked(generation) && !IsClosed && TxCount == 0 && !Closing && State == Phase.Connected) Monitor.Wait(_sync, 100);
                if (CurrentLocked(generation) && Closing && TxCount == 0)
                {
                    _model.Sockets.FinishDeferredCloseLocked(this);
                    return;
                }
                if (!CurrentLocked(generation) || TxCount == 0 || IsClosed) return;
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
                stream.Write(_model.Buffers.Buffer(slot), 0, length);
            }
            catch (Exception e) when (IsConnectionEnd(e))
            {
                failed = true;
            }
            catch (Exception e)
            {
                // Not expected: reported, and the buffer is handled as lost with the connection.
                _model.Faults.Report(WriterName, e);
                failed = true;
            }
            lock (_sync)
            {
                // The buffer went out (or was lost with the connection): it is free again either way,
                // unless a power cycle reset the pool meanwhile.
                _model.Buffers.ReleaseLocked(Sd, epoch, slot);
                if (!CurrentLocked(generation)) return;
                TxInFlight = -1;
                if (failed && State == Phase.Connected)
                {
                    State = Phase.Reset;
                    _model.OnSocketChangedLocked();
                }
                if (failed && Closing)
                {
                    _model.Sockets.FinishDeferredCloseLocked(this);
                    return;
                }
                if (failed) return;
            }
        }
    }
}
