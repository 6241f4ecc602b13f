namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The module-to-host queue: HCI events and data packets waiting for the host to read them, in
/// order, in fixed slots of one module buffer each (nothing allocated). A packet may carry a time
/// before which it is not signalled (a late answer); packets behind it wait for it. A packet queued
/// into a full queue is a framing violation (the host did not read the module's answers).
/// Guarded by the model's lock.
/// </summary>
internal sealed class Cc3000ModelEventQueue
{
    private readonly Cc3000Model _model;
    private readonly byte[][] _packets;
    private readonly int[] _lengths;
    // When each queued packet may be signalled (Environment.TickCount64 ms; 0 = at once): late answers.
    private readonly long[] _dueAt;
    private int _head;
    private int _count;

    public Cc3000ModelEventQueue(Cc3000Model model, int slots, int packetLength)
    {
        _model = model;
        _packets = new byte[slots][];
        for (int i = 0; i < slots; i++) _packets[i] = new byte[packetLength];
        _lengths = new int[slots];
        _dueAt = new long[slots];
    }

    public int Count => _count;

    public int FreeSlots => _packets.Length - _count;

    /// <summary>The bytes of the packet in <paramref name="slot"/> (to fill it between Begin and End).</summary>
    public byte[] Packet(int slot) => _packets[slot];

    /// <summary>The first queued packet may be signalled now (a late answer is not yet).</summary>
    public bool HeadDueLocked => _count > 0 && (_dueAt[_head] == 0 || _dueAt[_head] <= Environment.TickCount64);

    public long HeadDueAt => _dueAt[_head];

    public int HeadLength => _lengths[_head];

    public byte[] Head => _packets[_head];

    /// <summary>The host read the first packet.</summary>
    public void RemoveHeadLocked()
    {
        _head = (_head + 1) % _packets.Length;
        _count--;
    }

    public void ClearLocked()
    {
        _head = 0;
        _count = 0;
    }

    /// <summary>Event: type 0x04, opcode LE16, length (status + arguments), status, arguments from byte 5. -1 when full (a violation).</summary>
    public int BeginEventLocked(int opcode, byte status)
    {
        if (_count == _packets.Length)
        {
            _model.Spi.ViolationLocked("event queue overrun (host did not read the module's answers)");
            return -1;
        }
        int slot = (_head + _count) % _packets.Length;
        byte[] o = _packets[slot];
        o[0] = Cc3000Wire.HciEvent;
        o[1] = (byte)opcode;
        o[2] = (byte)(opcode >> 8);
        o[4] = status;
        return slot;
    }

    /// <summary>Queues the event begun in <paramref name="slot"/>, <paramref name="end"/> bytes long; a command answer takes the answer delay.</summary>
    public void EndEventLocked(int slot, int end, bool unsolicited = false)
    {
        byte[] o = _packets[slot];
        o[3] = (byte)(end - 4);
        _lengths[slot] = end;
        int opcode = o[1] | (o[2] << 8);
        bool answer = !unsolicited && opcode != Cc3000Wire.UnsolFreeBuffers && opcode < 0x8000;
        int delay = _model.FaultPlan.AnswerDelayMilliseconds;
        _dueAt[slot] = answer && delay > 0 ? Environment.TickCount64 + delay : 0;
        _count++;
        _model.Spi.OnPacketQueuedLocked();
    }

    /// <summary>The slot the next packet goes into (the caller checked there is room).</summary>
    public int BeginDataLocked() => (_head + _count) % _packets.Length;

    /// <summary>Queues the data packet in <paramref name="slot"/>, due with the event in <paramref name="followsSlot"/>.</summary>
    public void EndDataLocked(int slot, int end, int followsSlot)
    {
        _lengths[slot] = end;
        _dueAt[slot] = _dueAt[followsSlot];
        _count++;
    }

    /// <summary>A command answer carrying one u32 result.</summary>
    public void AnswerLocked(int opcode, int result)
    {
        int slot = BeginEventLocked(opcode, 0);
        if (slot < 0) return;
        int p = 5;
        Cc3000Wire.PutU32(_packets[slot], ref p, (uint)result);
        EndEventLocked(slot, p);
    }

    public void AnswerNoArgsLocked(int opcode)
    {
        int slot = BeginEventLocked(opcode, 0);
        if (slot >= 0) EndEventLocked(slot, 5);
    }
}
