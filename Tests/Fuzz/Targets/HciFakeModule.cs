using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Fuzz.Targets;

/// <summary>
/// The least of a CC3000 that lets the real driver start and then read frames the fuzzer chooses:
/// its SPI side (the 5-byte read header with the frame length, the frame, a write frame parsed at
/// deselect), its IRQ line (low while the module is ready for the first write, selected for a
/// write, or holding a frame; it rises at the end of each read and falls again for the next frame)
/// and its WLAN_EN pin. It answers simple-link start and read buffer
/// size (6 buffers of 1,500 bytes) and nothing else: every other frame comes from the fuzz input.
/// </summary>
internal sealed class HciFakeModule : ISpiDevice
{
    public const int Buffers = 6;

    private readonly object _sync = new();
    private readonly Queue<(byte[] Frame, int DeclaredLength, bool Sentinel)> _frames = new();
    private readonly List<byte> _written = new();
    private readonly ManualResetEventSlim _sentinelRead = new(false);
    private bool _powered;
    private bool _awaitingFirstWrite;
    private bool _selected;
    private bool _reading;
    private bool _irqLow;

    public HciFakeModule()
    {
        Irq = new Pin(this, 1, isIrq: true);
        Enable = new Pin(this, 2, isIrq: false);
    }

    public Pin Irq { get; }

    public Pin Enable { get; }

    public SpiConnectionSettings ConnectionSettings { get; } = new(1, 3);

    /// <summary>Queues frames for the driver to read, then a sentinel; returns the event set when the sentinel was read.</summary>
    public ManualResetEventSlim Deliver(IEnumerable<(byte[] Frame, int DeclaredLength)> frames)
    {
        lock (_sync)
        {
            _sentinelRead.Reset();
            foreach (var f in frames) _frames.Enqueue((f.Frame, f.DeclaredLength, false));
            _frames.Enqueue(([0x09], 1, true)); // not an event nor data: counted as a bad packet
        }

        UpdateIrq();
        return _sentinelRead;
    }

    public void Select()
    {
        lock (_sync)
        {
            _selected = true;
            _reading = false;
            _written.Clear();
        }

        UpdateIrq();
    }

    public void Deselect()
    {
        lock (_sync)
        {
            _selected = false;
            if (_reading)
            {
                var (_, _, sentinel) = _frames.Dequeue(); // a frame whose header was read is gone, taken or refused
                if (sentinel) _sentinelRead.Set();
                _irqLow = false; // IRQ rises at the end of the transaction and falls again for the next frame
            }
            else if (_written.Count >= 9)
            {
                _awaitingFirstWrite = false;
                int opcode = _written[6] | (_written[7] << 8);
                if (opcode == 0x4000) _frames.Enqueue(([0x04, 0x00, 0x40, 0x01, 0x00], 5, false));
                if (opcode == 0x400B) _frames.Enqueue(([0x04, 0x0B, 0x40, 0x04, 0x00, Buffers, 0xDC, 0x05], 8, false));
            }

            _reading = false;
        }

        UpdateIrq();
    }

    public void TransferFullDuplex(byte[] writeBuffer, int writeOffset, byte[] readBuffer, int readOffset, int count)
    {
        lock (_sync)
        {
            _reading = true;
            int length = _frames.Count > 0 ? _frames.Peek().DeclaredLength : 0;
            byte[] header = [0x02, 0x00, 0x00, (byte)(length >> 8), (byte)length];
            for (int i = 0; i < count; i++) readBuffer[readOffset + i] = i < header.Length ? header[i] : (byte)0;
        }
    }

    public void Write(byte[] buffer, int offset, int count)
    {
        lock (_sync) _written.AddRange(buffer.AsSpan(offset, count).ToArray());
    }

    public void Read(byte[] buffer, int offset, int count)
    {
        lock (_sync)
        {
            byte[] frame = _frames.Count > 0 ? _frames.Peek().Frame : [];
            for (int i = 0; i < count; i++) buffer[offset + i] = i < frame.Length ? frame[i] : (byte)0;
        }
    }

    private void PowerChanged(bool on)
    {
        lock (_sync)
        {
            _powered = on;
            _awaitingFirstWrite = on;
            if (!on) _frames.Clear();
        }

        UpdateIrq();
    }

    // Raises the falling edge outside the lock (the driver's handler only signals events).
    private void UpdateIrq()
    {
        bool fell;
        lock (_sync)
        {
            bool low = _powered && (_awaitingFirstWrite || (_selected && !_reading) || _frames.Count > 0);
            fell = low && !_irqLow;
            _irqLow = low;
        }

        if (fell) Irq.RaiseFalling();
    }

    private bool IrqLow
    {
        get { lock (_sync) return _irqLow; }
    }

    public sealed class Pin(HciFakeModule module, int number, bool isIrq) : IGpioPin
    {
        private PinValue _value;

        public int PinNumber => number;

        public event PinValueChangedEventHandler? ValueChanged;

        public void SetPinMode(PinMode mode)
        {
        }

        public PinValue Read() => isIrq ? (module.IrqLow ? PinValue.Low : PinValue.High) : _value;

        public void Write(PinValue value)
        {
            _value = value;
            if (!isIrq) module.PowerChanged(value == PinValue.High);
        }

        internal void RaiseFalling() => ValueChanged?.Invoke(this, new PinValueChangedEventArgs(PinEventTypes.Falling, number));
    }
}
