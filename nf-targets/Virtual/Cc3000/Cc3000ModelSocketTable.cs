namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The module's sockets as the host's commands see them: socket, setsockopt, connect, recv, close
/// and the send data packet, the answers that complete later than their command (connect, a
/// blocking recv, close-wait), and the module's own connect timeout for black-holed addresses.
/// Socket numbers 0..<see cref="Cc3000Model.MaxSockets"/>-1, each backed by one reused
/// <see cref="Cc3000ModelSocket"/> so commands allocate nothing. Guarded by the model's lock.
/// </summary>
internal sealed class Cc3000ModelSocketTable
{
    // Argument bytes of a recv data packet: socket, byte count, flags (u32 each). Chosen to mirror the
    // recv event's arguments.
    public const int RecvDataArgsLength = 12;

    private readonly Cc3000Model _model;
    private readonly Cc3000ModelSocket?[] _open = new Cc3000ModelSocket?[Cc3000Model.MaxSockets];
    // One socket object per socket number, reused by every socket opened with that number.
    private readonly Cc3000ModelSocket[] _pool = new Cc3000ModelSocket[Cc3000Model.MaxSockets];

    public Cc3000ModelSocketTable(Cc3000Model model)
    {
        _model = model;
        for (int i = 0; i < _pool.Length; i++)
            _pool[i] = new Cc3000ModelSocket(model, model.Sync, i, Cc3000Model.SocketReceiveBufferSize, Cc3000Model.TxBufferCount);
    }

    /// <summary>The module's own TCP connect timeout (see <see cref="Cc3000Model.ConnectTimeoutMilliseconds"/>).</summary>
    public int ConnectTimeoutMilliseconds { get; set; } = 20_000;

    /// <summary>See <see cref="Cc3000Model.PeerCloseOnlyByEvent"/>.</summary>
    public bool PeerCloseOnlyByEvent { get; set; }

    public int OpenCountLocked
    {
        get
        {
            int n = 0;
            foreach (var s in _open) if (s != null) n++;
            return n;
        }
    }

    private Cc3000ModelEventQueue Queue => _model.Queue;

    /// <summary>Power went off: every socket closes (with a reset), a close in progress is never answered.</summary>
    public void CloseAllLocked()
    {
        _closeAnswerDue = false;
        for (int i = 0; i < _open.Length; i++)
        {
            _open[i]?.CloseLocked();
            _open[i] = null;
        }
    }

    public void SocketLocked()
    {
        for (int sd = 0; sd < _open.Length; sd++)
        {
            if (_open[sd] != null) continue;
            _pool[sd].ReuseLocked(_model.Power.Epoch);
            _open[sd] = _pool[sd];
            Queue.AnswerLocked(Cc3000Wire.Socket, sd);
            return;
        }
        Queue.AnswerLocked(Cc3000Wire.Socket, Cc3000Wire.ErrorGeneric);
    }

    private Cc3000ModelSocket? SocketArgLocked(byte[] rx, int args, int argsLength)
    {
        if (argsLength < 4) return null;
        uint sd = Cc3000Wire.GetU32(rx, args);
        return sd < _open.Length ? _open[sd] : null;
    }

    public void SetSockOptLocked(byte[] rx, int args, int argsLength)
    {
        // sd, level, option, u32 8, option length, option value.
        Cc3000ModelSocket? s = SocketArgLocked(rx, args, argsLength);
        if (s == null || argsLength < 24)
        {
            Queue.AnswerLocked(Cc3000Wire.SetSockOpt, Cc3000Wire.ErrorGeneric);
            return;
        }
        uint level = Cc3000Wire.GetU32(rx, args + 4);
        uint option = Cc3000Wire.GetU32(rx, args + 8);
        uint value = Cc3000Wire.GetU32(rx, args + 20);
        if (level == Cc3000Wire.SolSocket && option == Cc3000Wire.SockOptRecvNonBlock)
            s.NonBlocking = value == Cc3000Wire.SockOn;
        Queue.AnswerLocked(Cc3000Wire.SetSockOpt, 0);
    }

    public void ConnectLocked(byte[] rx, int args, int argsLength)
    {
        // sd, u32 8, u32 address length (8), sockaddr: u16 family (LE), u16 port (BE), u32 address (BE).
        Cc3000ModelSocket? s = SocketArgLocked(rx, args, argsLength);
        if (s == null || argsLength < 20 || s.State != Cc3000ModelSocket.Phase.Created)
        {
            Queue.AnswerLocked(Cc3000Wire.Connect, Cc3000Wire.ErrorGeneric);
            return;
        }
        int port = (rx[args + 14] << 8) | rx[args + 15];
        uint address = (uint)(rx[args + 16] << 24 | rx[args + 17] << 16 | rx[args + 18] << 8 | rx[args + 19]);
        // Every address is carried to 127.0.0.1: the loopback stands in for the internet.
        if (_model.Routes.IsBlackHoleLocked(address))
        {
            // Nothing answers: the module's own timeout ends the connect.
            s.State = Cc3000ModelSocket.Phase.Connecting;
            s.BlackHoleAnswerAt = Environment.TickCount64 + ConnectTimeoutMilliseconds;
            _model.Timer.WakeLocked(s.BlackHoleAnswerAt);
            return;
        }
        s.StartConnect(_model.Routes.LocalPortLocked(address, port));
    }

    public void RecvLocked(byte[] rx, int args, int argsLength)
    {
        // sd, requested length, flags.
        Cc3000ModelSocket? s = SocketArgLocked(rx, args, argsLength);
        if (s == null || argsLength < 12)
        {
            RecvAnswerLocked(argsLength >= 4 ? (int)Cc3000Wire.GetU32(rx, args) : -1, Cc3000Wire.ErrorSocketInactive, 0, null);
            return;
        }
        int max = (int)Math.Min(Cc3000Wire.GetU32(rx, args + 4), (uint)Cc3000Model.MaxRecvChunk);
        int flags = (int)Cc3000Wire.GetU32(rx, args + 8);
        if (s.RxCount == 0 && !s.NonBlocking && s.State == Cc3000ModelSocket.Phase.Connected)
        {
            // A blocking recv answers when data comes or the connection ends.
            s.BlockingRecvPending = true;
            s.BlockingRecvMax = max;
            s.BlockingRecvFlags = flags;
            return;
        }
        AnswerRecvFromSocketLocked(s, max, flags);
    }

    private void AnswerRecvFromSocketLocked(Cc3000ModelSocket s, int max, int flags)
    {
        if (s.RxCount > 0 && max > 0)
        {
            RecvAnswerLocked(s.Sd, Math.Min(max, s.RxCount), flags, s);
            Monitor.PulseAll(_model.Sync); // room in the ring: the reader may take more from TCP
            return;
        }
        int result;
        switch (s.State)
        {
            case Cc3000ModelSocket.Phase.Connected:
                result = 0; // non-blocking and nothing yet (on this part 0 is not end-of-stream)
                break;
            case Cc3000ModelSocket.Phase.Reset:
                result = Cc3000Wire.ErrorGeneric; // chosen: a reset connection reports -1, a FIN -57
                break;
            case Cc3000ModelSocket.Phase.PeerClosed when PeerCloseOnlyByEvent:
                result = 0; // the FIN was told by the close-wait event only
                break;
            default:
                result = Cc3000Wire.ErrorSocketInactive;
                break;
        }
        RecvAnswerLocked(s.Sd, result, flags, null);
    }

    // The recv event (sd, count, flags); with count > 0 followed by a data packet carrying the bytes.
    private void RecvAnswerLocked(int sd, int count, int flags, Cc3000ModelSocket? from)
    {
        if (count > 0 && Queue.FreeSlots < 2)
        {
            _model.Spi.ViolationLocked("event queue overrun (host did not read the module's answers)");
            return;
        }
        int slot = Queue.BeginEventLocked(Cc3000Wire.Recv, 0);
        if (slot < 0) return;
        int p = 5;
        Cc3000Wire.PutU32(Queue.Packet(slot), ref p, (uint)sd);
        Cc3000Wire.PutU32(Queue.Packet(slot), ref p, (uint)count);
        Cc3000Wire.PutU32(Queue.Packet(slot), ref p, (uint)flags);
        Queue.EndEventLocked(slot, p);
        if (count <= 0 || from == null) return;

        int d = Queue.BeginDataLocked();
        byte[] o = Queue.Packet(d);
        o[0] = Cc3000Wire.HciData;
        o[1] = Cc3000Wire.DataRecv;
        o[2] = RecvDataArgsLength;
        int payload = RecvDataArgsLength + count;
        o[3] = (byte)payload;
        o[4] = (byte)(payload >> 8);
        p = 5;
        Cc3000Wire.PutU32(o, ref p, (uint)sd);
        Cc3000Wire.PutU32(o, ref p, (uint)count);
        Cc3000Wire.PutU32(o, ref p, (uint)flags);
        int first = Math.Min(count, from.Rx.Length - from.RxHead);
        Buffer.BlockCopy(from.Rx, from.RxHead, o, p, first);
        Buffer.BlockCopy(from.Rx, 0, o, p + first, count - first);
        from.RxHead = (from.RxHead + count) % from.Rx.Length;
        from.RxCount -= count;
        Queue.EndDataLocked(d, p + count, slot);
    }

    public void CloseLocked(byte[] rx, int args, int argsLength)
    {
        Cc3000ModelSocket? s = SocketArgLocked(rx, args, argsLength);
        if (s == null)
        {
            Queue.AnswerLocked(Cc3000Wire.Close, Cc3000Wire.ErrorGeneric);
            return;
        }
        // A connect still in progress ends (-1) before the close is answered (chosen: the module
        // answers every command it took; its connect cannot succeed once the socket is gone).
        if (s.State == Cc3000ModelSocket.Phase.Connecting || s.ConnectAnswerDue)
        {
            s.ConnectAnswerDue = false;
            s.BlackHoleAnswerAt = 0;
            Queue.AnswerLocked(Cc3000Wire.Connect, s.State == Cc3000ModelSocket.Phase.Connecting ? Cc3000Wire.ErrorGeneric : s.ConnectResult);
        }
        if (s.State == Cc3000ModelSocket.Phase.Connected && (s.TxCount > 0 || s.TxInFlight >= 0))
        {
            // TCP's close is graceful: what the host already handed over goes out first, then FIN (a
            // reboot right after the last send, as after an OTA's answer to UpdateDone, must not lose
            // it). The socket's writer finishes the close and the answer follows (chosen: the module
            // answers the close once its buffers for that socket are out), within CloseDrainMilliseconds.
            s.Closing = true;
            s.ClosingDeadline = Environment.TickCount64 + CloseDrainMilliseconds;
            _model.Timer.WakeLocked(s.ClosingDeadline);
            Monitor.PulseAll(_model.Sync);
            return;
        }
        s.CloseLocked(graceful: s.State == Cc3000ModelSocket.Phase.Connected || s.State == Cc3000ModelSocket.Phase.PeerClosed);
        DropQueuedLocked(s);
        _open[s.Sd] = null;
        Queue.AnswerLocked(Cc3000Wire.Close, 0);
    }

    /// <summary>How long a close waits for its socket's queued buffers to go out before it resets the connection.</summary>
    public const int CloseDrainMilliseconds = 1000;

    /// <summary>
    /// The writer of a socket closed with buffers queued sent the last of them (or lost the connection
    /// meanwhile, or the drain bound passed): the close completes and is answered. Caller holds the model lock.
    /// </summary>
    public void FinishDeferredCloseLocked(Cc3000ModelSocket s)
    {
        bool graceful = s.State == Cc3000ModelSocket.Phase.Connected || s.State == Cc3000ModelSocket.Phase.PeerClosed;
        s.CloseLocked(graceful);
        DropQueuedLocked(s);
        if (_open[s.Sd] == s) _open[s.Sd] = null;
        _closeAnswerDue = true;
        _model.OnSocketChangedLocked();
    }

    // The answer to a close that waited for its socket's buffers (at most one: the host sends one command at a time).
    private bool _closeAnswerDue;

    // Buffers still queued for the peer of a closed socket are given back to the host.
    private void DropQueuedLocked(Cc3000ModelSocket s)
    {
        while (s.TxCount > 0)
        {
            _model.Buffers.ReleaseLocked(s.Sd, s.PowerEpoch, s.TxQueue[s.TxHead]);
            s.TxHead = (s.TxHead + 1) % s.TxQueue.Length;
            s.TxCount--;
        }
    }

    /// <summary>The send data packet: sd, u32 12, length, flags; then <paramref name="dataLength"/> bytes from <paramref name="data"/>.</summary>
    public void SendLocked(byte[] rx, int args, int data, int dataLength)
    {
        uint sd = Cc3000Wire.GetU32(rx, args);
        uint length = Cc3000Wire.GetU32(rx, args + 8);
        if (length != dataLength || dataLength > Cc3000Model.BufferLength)
        {
            _model.Spi.ViolationLocked("send of " + dataLength + " bytes says " + length);
            return;
        }
        Cc3000ModelTxBuffers buffers = _model.Buffers;
        int buffer = buffers.TakeLocked();
        if (buffer < 0)
        {
            _model.Spi.ViolationLocked("data packet sent while the module had no free buffer");
            return;
        }
        Cc3000ModelSocket? s = sd < _open.Length ? _open[sd] : null;
        int result;
        if (s != null && s.State == Cc3000ModelSocket.Phase.Connected)
        {
            Buffer.BlockCopy(rx, data, buffers.Buffer(buffer), 0, dataLength);
            int tail = (s.TxHead + s.TxCount) % s.TxQueue.Length;
            s.TxQueue[tail] = buffer;
            s.TxLength[tail] = dataLength;
            s.TxCount++;
            Monitor.PulseAll(_model.Sync);
            result = dataLength;
        }
        else
        {
            buffers.ReturnUnsentLocked(sd, buffer);
            result = Cc3000Wire.ErrorSocketInactive;
        }
        int slot = Queue.BeginEventLocked(Cc3000Wire.SendEvent, 0);
        if (slot < 0) return;
        int p = 5;
        Cc3000Wire.PutU32(Queue.Packet(slot), ref p, sd);
        Cc3000Wire.PutU32(Queue.Packet(slot), ref p, (uint)result);
        Queue.EndEventLocked(slot, p);
    }

    /// <summary>The timer looked: a connect to a black hole whose timeout came due fails (-1); a close whose drain bound passed resets.</summary>
    public void OnTimerLocked(long now)
    {
        foreach (var s in _open)
        {
            if (s != null && s.Closing)
            {
                if (s.ClosingDeadline <= now)
                {
                    // The peer stopped reading and the queued buffers cannot go out: the close ends the
                    // connection with a reset instead of waiting on it.
                    s.State = Cc3000ModelSocket.Phase.Reset;
                    FinishDeferredCloseLocked(s);
                    continue;
                }
                _model.Timer.WakeLocked(s.ClosingDeadline);
            }
            if (s == null || s.BlackHoleAnswerAt == 0) continue;
            if (s.BlackHoleAnswerAt > now)
            {
                _model.Timer.WakeLocked(s.BlackHoleAnswerAt);
                continue;
            }
            s.BlackHoleAnswerAt = 0;
            if (s.State != Cc3000ModelSocket.Phase.Connecting) continue;
            s.State = Cc3000ModelSocket.Phase.Failed;
            s.ConnectResult = Cc3000Wire.ErrorGeneric;
            s.ConnectAnswerDue = true;
        }
    }

    /// <summary>Queues the first socket answer or event that came due (connect, blocking recv, close-wait); false when none.</summary>
    public bool QueueDueEventLocked()
    {
        if (_closeAnswerDue)
        {
            _closeAnswerDue = false;
            Queue.AnswerLocked(Cc3000Wire.Close, 0);
            return true;
        }
        foreach (var s in _open)
        {
            if (s == null) continue;
            if (s.ConnectAnswerDue)
            {
                s.ConnectAnswerDue = false;
                Queue.AnswerLocked(Cc3000Wire.Connect, s.ConnectResult);
                return true;
            }
            if (s.BlockingRecvPending && (s.RxCount > 0 || s.State != Cc3000ModelSocket.Phase.Connected))
            {
                s.BlockingRecvPending = false;
                AnswerRecvFromSocketLocked(s, s.BlockingRecvMax, s.BlockingRecvFlags);
                return true;
            }
            if (s.CloseWaitDue)
            {
                s.CloseWaitDue = false;
                int slot = Queue.BeginEventLocked(Cc3000Wire.UnsolTcpCloseWait, 0);
                int p = 5;
                Cc3000Wire.PutU32(Queue.Packet(slot), ref p, (uint)s.Sd);
                Queue.EndEventLocked(slot, p);
                return true;
            }
        }
        return false;
    }
}
