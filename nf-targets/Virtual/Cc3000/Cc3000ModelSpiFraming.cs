using System.Diagnostics;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The module's SPI side: the chip-select transactions, the write and read frames parsed byte by
/// byte across transfers, the split first write after power-up, and the IRQ line that is the SPI
/// handshake (low: a packet for the host, or ready for a write). The framing is enforced: a
/// violation stops the module (IRQ stays high) until WLAN_EN cycles. A complete write goes to the
/// HCI dispatcher; reads take the event queue's head. Nothing here allocates except a violation's
/// text. Guarded by the model's lock.
/// </summary>
internal sealed class Cc3000ModelSpiFraming
{
    private enum Transaction { None, Ignored, NotReady, Undecided, Write, Read }

    private readonly Cc3000Model _model;
    private readonly VirtualGpioPin _irq;

    // Host -> module frame being received.
    private readonly byte[] _rx = new byte[Cc3000Model.BufferLength];
    private int _rxLength;

    private bool _selected;
    private Transaction _transaction;
    private int _clocked;
    private bool _firstWrite;
    private long _firstWriteSelectedAt;
    private long _firstWriteSplitAt;
    // A dropped interrupt (fault plan): the queued frame does not pull IRQ low until the host asserts CS.
    private bool _irqDropped;

    public Cc3000ModelSpiFraming(Cc3000Model model, VirtualGpioPin irq)
    {
        _model = model;
        _irq = irq;
    }

    /// <summary>Complete frames exchanged (host writes and module reads).</summary>
    public long Frames { get; private set; }

    /// <summary>Framing violations seen.</summary>
    public long Violations { get; private set; }

    public string? LastViolation { get; private set; }

    private Cc3000ModelPower Power => _model.Power;

    private Cc3000ModelEventQueue Queue => _model.Queue;

    /// <summary>The boot ended: the next write must be the split first write.</summary>
    public void ExpectFirstWriteLocked() => _firstWrite = true;

    /// <summary>Power went off: the transaction in progress (if any) is ignored, a dropped interrupt forgotten.</summary>
    public void ResetLocked()
    {
        _firstWrite = false;
        _irqDropped = false;
        IgnoreTransactionLocked();
    }

    /// <summary>The module stopped answering: the rest of a transaction in progress is not taken.</summary>
    public void IgnoreTransactionLocked()
    {
        if (_selected) _transaction = Transaction.Ignored;
    }

    /// <summary>A packet was queued for the host: the fault plan may drop its interrupt.</summary>
    public void OnPacketQueuedLocked()
    {
        if (_model.FaultPlan.TakeIrqDropLocked()) _irqDropped = true;
    }

    public void OnSelectLocked()
    {
        _selected = true;
        _clocked = 0;
        // CS wakes the module's SPI side: an interrupt it failed to raise is raised now.
        _irqDropped = false;
        if (!Power.AnsweringLocked) _transaction = Transaction.Ignored;
        else if (Power.State == Cc3000ModelPower.Phase.Booting) _transaction = Transaction.NotReady;
        else if (Power.State == Cc3000ModelPower.Phase.AwaitingFirstWrite)
        {
            _transaction = Transaction.Write;
            _firstWriteSelectedAt = Stopwatch.GetTimestamp();
        }
        else if (Queue.HeadDueLocked)
        {
            _transaction = Transaction.Undecided;
            _irq.Drive(PinValue.Low);
        }
        else
        {
            // Idle: CS low is a write request; the module answers "ready" by pulling IRQ low.
            _transaction = Transaction.Write;
            _irq.Drive(PinValue.Low);
        }
    }

    public void OnDeselectLocked()
    {
        _selected = false;
        Transaction t = _transaction;
        _transaction = Transaction.None;
        if (t == Transaction.Write && _clocked > 0)
        {
            if (_clocked < Cc3000Wire.SpiHeaderSize || _clocked != Cc3000Wire.SpiHeaderSize + _rxLength)
            {
                ViolationLocked("write frame ended after " + _clocked + " of " + (Cc3000Wire.SpiHeaderSize + _rxLength) + " bytes");
            }
            else
            {
                Frames++;
                if (_firstWrite)
                {
                    _firstWrite = false;
                    Power.State = Cc3000ModelPower.Phase.Running;
                }
                _irq.Drive(PinValue.High);
                _model.Dispatcher.ProcessPacketLocked(_rx, _rxLength);
            }
        }
        else if (t == Transaction.Read)
        {
            int length = Queue.HeadLength;
            if (_clocked < Cc3000Wire.SpiHeaderSize + length)
            {
                ViolationLocked("read frame ended after " + _clocked + " of " + (Cc3000Wire.SpiHeaderSize + length) + " bytes");
            }
            else
            {
                Frames++;
                Queue.RemoveHeadLocked();
                _irq.Drive(PinValue.High);
            }
        }
        UpdateIrqLocked();
    }

    public void ExchangeLocked(ReadOnlySpan<byte> mosi, Span<byte> miso)
    {
        if (_transaction == Transaction.Write && _firstWrite && !CheckFirstWriteSplitLocked(mosi.Length))
        {
            miso.Fill(0xFF);
            return;
        }
        for (int i = 0; i < mosi.Length; i++) miso[i] = ClockLocked(mosi[i]);
        if (_transaction == Transaction.Write && _firstWrite && _clocked == 4) _firstWriteSplitAt = Stopwatch.GetTimestamp();
    }

    // The first write after power-up must be clocked as 4 bytes, a pause of ~50 us, then the rest.
    private bool CheckFirstWriteSplitLocked(int count)
    {
        if (_clocked == 0)
        {
            long sinceSelectUs = (Stopwatch.GetTimestamp() - _firstWriteSelectedAt) * 1_000_000 / Stopwatch.Frequency;
            if (sinceSelectUs < Cc3000Model.FirstWriteGapMicroseconds)
            {
                ViolationLocked("first write after power-up began " + sinceSelectUs + " us after CS fell (needs " + Cc3000Model.FirstWriteGapMicroseconds + ")");
                return false;
            }
        }
        if (_clocked == 0 && count != 4)
        {
            ViolationLocked("first write after power-up not split after 4 bytes (" + count + " bytes in one go)");
            return false;
        }
        if (_clocked == 4)
        {
            long elapsedUs = (Stopwatch.GetTimestamp() - _firstWriteSplitAt) * 1_000_000 / Stopwatch.Frequency;
            if (elapsedUs < Cc3000Model.FirstWriteGapMicroseconds)
            {
                ViolationLocked("first write resumed " + elapsedUs + " us after its first 4 bytes (needs " + Cc3000Model.FirstWriteGapMicroseconds + ")");
                return false;
            }
        }
        return true;
    }

    private byte ClockLocked(byte b)
    {
        int at = _clocked++;
        switch (_transaction)
        {
            case Transaction.Ignored:
                return 0xFF;
            case Transaction.NotReady:
                ViolationLocked("bytes clocked before the module pulled IRQ low");
                return 0xFF;
            case Transaction.Undecided:
                if (b == Cc3000Wire.SpiWrite) _transaction = Transaction.Write;
                else if (b == Cc3000Wire.SpiRead) _transaction = Transaction.Read;
                else
                {
                    ViolationLocked("first byte 0x" + b.ToString("X2") + " is neither write (0x01) nor read (0x03)");
                    return 0xFF;
                }
                return 0x00;
            case Transaction.Write:
                return ClockWriteLocked(at, b);
            case Transaction.Read:
                return ClockReadLocked(at);
            default:
                return 0xFF;
        }
    }

    private byte ClockWriteLocked(int at, byte b)
    {
        if (at == 0)
        {
            if (b != Cc3000Wire.SpiWrite) ViolationLocked("write frame starts with 0x" + b.ToString("X2") + ", not 0x01");
            return 0x00;
        }
        if (at == 1)
        {
            _rxLength = b << 8;
            return 0x00;
        }
        if (at == 2)
        {
            _rxLength |= b;
            if (_rxLength < 4 || _rxLength > Cc3000Model.BufferLength)
                ViolationLocked("write length " + _rxLength + " outside 4.." + Cc3000Model.BufferLength);
            else if (((Cc3000Wire.SpiHeaderSize + _rxLength) & 1) != 0)
                ViolationLocked("write frame of " + (Cc3000Wire.SpiHeaderSize + _rxLength) + " bytes is not padded to even");
            return 0x00;
        }
        if (at < Cc3000Wire.SpiHeaderSize)
        {
            if (b != 0x00) ViolationLocked("busy byte " + at + " is 0x" + b.ToString("X2") + ", not 0x00");
            return 0x00;
        }
        int p = at - Cc3000Wire.SpiHeaderSize;
        if (p >= _rxLength)
        {
            ViolationLocked("write frame longer than its length " + _rxLength);
            return 0xFF;
        }
        _rx[p] = b;
        return 0x00;
    }

    private byte ClockReadLocked(int at)
    {
        // Bytes 0..2 carry the host's 0x03 0x00 0x00; the length goes out on bytes 3..4, then the packet.
        int length = Queue.HeadLength;
        if (at == 3) return (byte)(length >> 8);
        if (at == 4) return (byte)length;
        int p = at - Cc3000Wire.SpiHeaderSize;
        if (p >= 0 && p < length) return Queue.Head[p];
        return 0x00;
    }

    /// <summary>A framing violation: counted, and the module stops until WLAN_EN cycles.</summary>
    public void ViolationLocked(string what)
    {
        Violations++;
        LastViolation = what;
        Power.Stopped = true;
        IgnoreTransactionLocked();
        UpdateIrqLocked();
    }

    /// <summary>
    /// Sets IRQ: low when the module has a packet for the host or awaits the first write; high
    /// otherwise. While CS is low the line is left alone (select and deselect own it then). A running
    /// module first queues the events that came due.
    /// </summary>
    public void UpdateIrqLocked()
    {
        if (_selected && Power.AnsweringLocked) return;
        if (!Power.AnsweringLocked || Power.State == Cc3000ModelPower.Phase.Booting)
        {
            _irq.Drive(PinValue.High);
            return;
        }
        if (Power.State == Cc3000ModelPower.Phase.Running) _model.Dispatcher.QueueDueEventsLocked();
        bool low = Power.State == Cc3000ModelPower.Phase.AwaitingFirstWrite || (Queue.HeadDueLocked && !_irqDropped);
        _irq.Drive(low ? PinValue.Low : PinValue.High);
        if (Queue.Count > 0 && !Queue.HeadDueLocked) _model.Timer.WakeLocked(Queue.HeadDueAt);
    }
}
