namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The module's shared transmit buffers and their flow control: a data packet from the host takes
/// one, the socket's writer frees it once it went out to the peer, and freed buffers are reported per
/// socket in the free-buffer event (0x4100). The fault plan may lose reports or keep buffers.
/// A power cycle makes every buffer free again. Guarded by the model's lock.
/// </summary>
internal sealed class Cc3000ModelTxBuffers
{
    private readonly Cc3000Model _model;
    private readonly byte[][] _buffers;
    private readonly int[] _free;
    private int _freeCount;
    // Buffers freed and not yet reported to the host, per socket.
    private readonly int[] _freedPerSocket;

    public Cc3000ModelTxBuffers(Cc3000Model model, int count, int bufferLength, int sockets)
    {
        _model = model;
        _buffers = new byte[count][];
        for (int i = 0; i < count; i++) _buffers[i] = new byte[bufferLength];
        _free = new int[count];
        _freedPerSocket = new int[sockets];
        ResetLocked();
    }

    /// <summary>Free transmit buffers now.</summary>
    public int FreeCount => _freeCount;

    /// <summary>Fewest free buffers seen since power-up.</summary>
    public int LowestFree { get; private set; }

    /// <summary>Buffers kept by the fault plan (free again after a power cycle).</summary>
    public int Withheld { get; private set; }

    public byte[] Buffer(int index) => _buffers[index];

    /// <summary>Every buffer free, nothing to report (power-up).</summary>
    public void ResetLocked()
    {
        for (int i = 0; i < _free.Length; i++) _free[i] = i;
        _freeCount = _free.Length;
        LowestFree = _free.Length;
        Withheld = 0;
        Array.Clear(_freedPerSocket);
    }

    /// <summary>Takes a free buffer for a data packet; -1 when none is free.</summary>
    public int TakeLocked()
    {
        if (_freeCount == 0) return -1;
        int buffer = _free[--_freeCount];
        if (_freeCount < LowestFree) LowestFree = _freeCount;
        return buffer;
    }

    /// <summary>A data packet for no connected socket: the buffer comes straight back and is reported free like any other.</summary>
    public void ReturnUnsentLocked(uint sd, int buffer)
    {
        _free[_freeCount++] = buffer;
        if (sd < _freedPerSocket.Length) _freedPerSocket[sd]++;
        else _freedPerSocket[0]++;
    }

    /// <summary>A transmit buffer went out to the peer (or was dropped): free it and report it.</summary>
    public void ReleaseLocked(int sd, int powerEpoch, int buffer)
    {
        if (powerEpoch != _model.Power.Epoch) return; // the pool was reset by a power cycle
        if (_model.FaultPlan.TakeWithheldBufferLocked())
        {
            // Kept by the module: never free again until WLAN_EN cycles.
            Withheld++;
            return;
        }
        _free[_freeCount++] = buffer;
        if (!_model.FaultPlan.TakeLostFreeBufferReportLocked()) _freedPerSocket[sd]++; // else free, but the report is lost
        _model.Spi.UpdateIrqLocked();
    }

    /// <summary>Fault: reports <paramref name="buffers"/> freed for <paramref name="sd"/> that the module never had for it.</summary>
    public void ReportSpuriousLocked(int sd, int buffers) => _freedPerSocket[sd] += buffers;

    /// <summary>
    /// Queues the free-buffer event (0x4100) when buffers were freed: u16 entry count, then per entry
    /// u16 socket and u16 buffers freed (TI's layout). False when there was nothing to report.
    /// </summary>
    public bool QueueFreeReportLocked()
    {
        int entries = 0;
        for (int i = 0; i < _freedPerSocket.Length; i++) if (_freedPerSocket[i] > 0) entries++;
        if (entries == 0) return false;
        Cc3000ModelEventQueue queue = _model.Queue;
        int slot = queue.BeginEventLocked(Cc3000Wire.UnsolFreeBuffers, 0);
        byte[] o = queue.Packet(slot);
        int p = 5;
        Cc3000Wire.PutU16(o, ref p, entries);
        for (int i = 0; i < _freedPerSocket.Length; i++)
        {
            if (_freedPerSocket[i] == 0) continue;
            Cc3000Wire.PutU16(o, ref p, i);
            Cc3000Wire.PutU16(o, ref p, _freedPerSocket[i]);
            _freedPerSocket[i] = 0;
        }
        queue.EndEventLocked(slot, p);
        return true;
    }
}
