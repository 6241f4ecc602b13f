using System.IO.MemoryMappedFiles;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Virtual.Sst25;

/// <summary>
/// The SST25VF016B (2 MB SPI NOR flash) at its pins: SPI mode 0, active-low chip select, its
/// instruction set decoded byte by byte as the part does (see docs/PARTS.md, SST25 section).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Storage is a 2 MB file, memory-mapped and written through on every change, so a new
/// model on the same file is the same chip after a reboot. A new file starts all 0xFF.</item>
/// <item>Writes (WREN, WRDI, EWSR, WRSR, program, erase) execute on the chip-select rising edge
/// and only when the cycle carried the right number of bytes; reads stream while CS is low, with
/// the address wrapping at the top of the array.</item>
/// <item>Status: BUSY (time-based, from <see cref="Sst25TimingProfile"/> on the model's clock), WEL
/// (set by WREN, cleared by WRDI or when a write completes), BP0-BP3, AAI, BPL. BP0-BP2 are set at
/// power-up (status 0x1C) so every write is ignored until they are cleared (EWSR then WRSR).</item>
/// <item>NOR rules: program stores old AND new, erase sets 0xFF.</item>
/// <item>While BUSY only RDSR is accepted; in AAI mode only AAI, WRDI and RDSR. An ignored
/// instruction leaves MISO undriven (the bus's pull-up gives 0xFF).</item>
/// <item>Every internal write (byte program, AAI word, erase) is one counted operation with an
/// index; <see cref="CutPowerAtOperation"/> tears operation k (a prefix done, one byte with only
/// some of its bits changed, the rest untouched) and powers the part off; <see cref="CutPower"/>
/// tears whatever is still busy in proportion to the time it ran.</item>
/// </list>
/// Model choices where the datasheet is silent: an ignored write (no WEL, protected area) leaves
/// WEL as it was; AAI words past the top of the array are ignored; BP3 is treated as "don't care".
/// </remarks>
public sealed class Sst25Model : ISpiPeripheralModel, IDisposable
{
    /// <summary>2 MB.</summary>
    public const int Capacity = 0x200000;

    /// <summary>Status at power-up: BP2..BP0 set, the whole array protected.</summary>
    public const byte PowerUpStatus = 0x1C;

    // Instruction set (kept separate from the driver's constants on purpose: the model is the part).
    private const byte OpRead = 0x03, OpHighSpeedRead = 0x0B, OpSectorErase = 0x20, OpBlock32Erase = 0x52,
        OpBlock64Erase = 0xD8, OpChipErase = 0x60, OpChipErase2 = 0xC7, OpByteProgram = 0x02, OpAai = 0xAD,
        OpRdsr = 0x05, OpEwsr = 0x50, OpWrsr = 0x01, OpWren = 0x06, OpWrdi = 0x04, OpJedec = 0x9F,
        OpReadId = 0x90, OpReadId2 = 0xAB;

    private const byte StBusy = 0x01, StWel = 0x02, StBpMask = 0x3C, StAai = 0x40, StBpl = 0x80;
    private static readonly byte[] JedecId = { 0xBF, 0x25, 0x41 };
    private static readonly byte[] ManufacturerDeviceId = { 0xBF, 0x41 };

    private readonly object _sync = new();
    private readonly IClock _clock;
    private readonly byte[] _array = new byte[Capacity];
    private readonly FileStream _file;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly Random _random;

    // Current chip-select cycle.
    private bool _selected;
    private bool _cycleIgnored;
    private readonly byte[] _cmd = new byte[8];
    private int _cycleBytes;
    private bool _streaming;
    private int _streamAddress;

    // Status and modes.
    private byte _protectBits = PowerUpStatus; // BP0-3 and BPL
    private bool _wel;
    private bool _aai;
    private int _aaiAddress;
    private bool _ewsrArmed;
    private bool _powered = true;

    // The internal write in progress (for BUSY, WEL clearing and tearing).
    private long _busyStartTicks;
    private long _busyUntilTicks;
    private bool _pending;
    private bool _pendingClearsWel;
    private Sst25Operation _pendingOp;
    private byte[] _preImage = new byte[64 * 1024];
    private bool _hangNext;

    // Power-cut arming.
    private long _cutAtOperation = -1;
    private double _cutFraction = double.NaN;

    // Statistics.
    private long _operations, _bytesProgrammed, _programOps, _sectorErases, _block32Erases, _block64Erases,
        _chipErases, _ignoredWrites, _ignoredWhileBusy, _bytesRead, _powerCuts;

    /// <summary>
    /// Opens (or creates, all 0xFF) the 2 MB backing file <paramref name="path"/> and powers the part up.
    /// </summary>
    /// <param name="path">Backing file; must be absent, empty or exactly 2 MB.</param>
    /// <param name="chipSelectPin">GPIO pin number of the part's chip select.</param>
    /// <param name="timing">Busy times; <see cref="Sst25TimingProfile.Realistic"/> when null.</param>
    /// <param name="clock">Clock for busy times; a new <see cref="VirtualClock"/> when null.</param>
    /// <param name="tearSeed">Seed of the random choices made when an operation is torn.</param>
    public Sst25Model(string path, int chipSelectPin, Sst25TimingProfile? timing = null, IClock? clock = null, int tearSeed = 1)
    {
        ChipSelectPin = chipSelectPin;
        Timing = timing ?? Sst25TimingProfile.Realistic;
        _clock = clock ?? new VirtualClock();
        _random = new Random(tearSeed);
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            if (_file.Length == 0)
            {
                Array.Fill(_array, (byte)0xFF);
                _file.Write(_array, 0, Capacity);
                _file.Flush();
            }
            else if (_file.Length != Capacity)
            {
                throw new InvalidDataException($"{path} is {_file.Length} bytes, not a {Capacity}-byte SST25VF016B image");
            }
            _map = MemoryMappedFile.CreateFromFile(_file, null, Capacity, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
            _view = _map.CreateViewAccessor(0, Capacity, MemoryMappedFileAccess.ReadWrite);
            _view.ReadArray(0, _array, 0, Capacity);
        }
        catch
        {
            _view?.Dispose();
            _map?.Dispose();
            _file.Dispose();
            throw;
        }
    }

    public string PartName => "SST25VF016B";

    public int ChipSelectPin { get; }

    public SpiMode Mode => SpiMode.Mode0;

    /// <summary>Busy times in use; may be swapped between operations.</summary>
    public Sst25TimingProfile Timing { get; set; }

    /// <summary>Raised when an internal write starts (after its effect is applied, before any tear).
    /// Runs on the thread that raised chip select, inside the bus model's lock: only record.</summary>
    public event Action<Sst25Operation>? OperationStarted;

    /// <summary>Raised when the power is cut; the argument is the torn operation, or null if none was running.</summary>
    public event Action<Sst25Operation?>? PowerCutHappened;

    // ---- statistics -----------------------------------------------------------------------------

    /// <summary>Internal writes started so far (the next one gets this index).</summary>
    public long OperationCount { get { lock (_sync) return _operations; } }
    public long BytesProgrammed { get { lock (_sync) return _bytesProgrammed; } }
    /// <summary>Byte programs plus AAI word steps.</summary>
    public long ProgramOperations { get { lock (_sync) return _programOps; } }
    public long SectorErases { get { lock (_sync) return _sectorErases; } }
    public long Block32Erases { get { lock (_sync) return _block32Erases; } }
    public long Block64Erases { get { lock (_sync) return _block64Erases; } }
    public long ChipErases { get { lock (_sync) return _chipErases; } }
    public long EraseOperations { get { lock (_sync) return _sectorErases + _block32Erases + _block64Erases + _chipErases; } }
    /// <summary>Program/erase/WRSR instructions ignored for lack of WEL, protection or a malformed cycle.</summary>
    public long IgnoredWriteCommands { get { lock (_sync) return _ignoredWrites; } }
    /// <summary>Instructions ignored because the part was busy (or in AAI mode).</summary>
    public long CommandsIgnoredWhileBusy { get { lock (_sync) return _ignoredWhileBusy; } }
    public long BytesRead { get { lock (_sync) return _bytesRead; } }
    public long PowerCuts { get { lock (_sync) return _powerCuts; } }
    public bool IsPowered { get { lock (_sync) return _powered; } }

    /// <summary>The status register as RDSR would return it now.</summary>
    public byte Status { get { lock (_sync) return StatusLocked(); } }

    /// <summary>True while an internal write is running.</summary>
    public bool IsBusy { get { lock (_sync) return BusyLocked(); } }

    // ---- host-side inspection and fault hooks ---------------------------------------------------

    /// <summary>Copies the array content at <paramref name="address"/> into <paramref name="destination"/> (no bus, no timing).</summary>
    public void Peek(int address, Span<byte> destination)
    {
        if (address < 0 || address > Capacity - destination.Length) throw new ArgumentOutOfRangeException(nameof(address));
        lock (_sync) _array.AsSpan(address, destination.Length).CopyTo(destination);
    }

    /// <summary>The next internal write never finishes: BUSY stays set until <see cref="ReleaseHang"/> or a power cycle.</summary>
    public void HangNextOperation()
    {
        lock (_sync) _hangNext = true;
    }

    /// <summary>Lets a hung operation (see <see cref="HangNextOperation"/>) finish now.</summary>
    public void ReleaseHang()
    {
        lock (_sync)
        {
            _hangNext = false;
            if (_pending && _busyUntilTicks == long.MaxValue) _busyUntilTicks = _clock.UptimeTicks;
        }
    }

    /// <summary>
    /// Arms a power cut during internal write number <paramref name="operationIndex"/> (as counted by
    /// <see cref="OperationCount"/>): that operation is left partly done and the part powers off.
    /// <paramref name="completedFraction"/> in [0, 1] says how much of it got done; NaN picks at random
    /// (seeded). Pass -1 to disarm.
    /// </summary>
    public void CutPowerAtOperation(long operationIndex, double completedFraction = double.NaN)
    {
        if (!double.IsNaN(completedFraction) && (completedFraction < 0 || completedFraction > 1))
            throw new ArgumentOutOfRangeException(nameof(completedFraction));
        lock (_sync)
        {
            _cutAtOperation = operationIndex;
            _cutFraction = completedFraction;
        }
    }

    /// <summary>
    /// Cuts the power now. An internal write still running is torn in proportion to how long it
    /// has run. The part then ignores its pins until <see cref="PowerOn"/> (or a new model on the same file).
    /// </summary>
    public void CutPower()
    {
        lock (_sync)
        {
            if (!_powered) return;
            Sst25Operation? torn = null;
            if (BusyLocked() && _pending)
            {
                long span = _busyUntilTicks - _busyStartTicks;
                double fraction = span <= 0 || _busyUntilTicks == long.MaxValue
                    ? _random.NextDouble()
                    : Math.Clamp((_clock.UptimeTicks - _busyStartTicks) / (double)span, 0, 1);
                TearPendingLocked(fraction);
                torn = _pendingOp;
            }
            PowerOffLocked(torn);
        }
    }

    /// <summary>Powers the part back up: status 0x1C (protected), no WEL, not busy, not in AAI mode.</summary>
    public void PowerOn()
    {
        lock (_sync)
        {
            if (_powered) return;
            _powered = true;
            _protectBits = PowerUpStatus;
            _wel = _aai = _ewsrArmed = _pending = _hangNext = false;
            _busyUntilTicks = 0;
            _selected = false;
        }
    }

    // ---- pins -----------------------------------------------------------------------------------

    public void OnSelect()
    {
        lock (_sync)
        {
            _selected = _powered;
            _cycleBytes = 0;
            _cycleIgnored = false;
            _streaming = false;
        }
    }

    public void OnDeselect()
    {
        lock (_sync)
        {
            if (!_selected) return;
            _selected = false;
            _streaming = false;
            if (!_powered || _cycleBytes == 0) return;
            if (_cycleIgnored) return;
            byte op = _cmd[0];
            if (op == OpRdsr) return; // status reads leave the EWSR arming alone
            bool armed = _ewsrArmed;
            _ewsrArmed = false;
            ExecuteLocked(op, armed);
        }
    }

    public void Exchange(ReadOnlySpan<byte> mosi, Span<byte> miso)
    {
        lock (_sync)
        {
            if (!_powered || !_selected)
            {
                miso.Fill(0xFF);
                return;
            }
            int i = 0;
            while (i < mosi.Length)
            {
                if (_streaming)
                {
                    int n = StreamLocked(miso.Slice(i));
                    _cycleBytes += n;
                    i += n;
                    continue;
                }
                int pos = _cycleBytes;
                byte b = mosi[i];
                if (pos < _cmd.Length) _cmd[pos] = b;
                _cycleBytes++;
                if (pos == 0) BeginCycleLocked(b);
                miso[i] = _cycleIgnored ? (byte)0xFF : OutputLocked(pos);
                i++;
            }
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _view.Flush();
            _view.Dispose();
            _map.Dispose();
            _file.Dispose();
        }
    }

    // ---- decoding -------------------------------------------------------------------------------

    private void BeginCycleLocked(byte op)
    {
        if (op == OpRdsr) return;
        bool busy = BusyLocked();
        bool aaiAllows = op == OpAai || op == OpWrdi;
        if (busy || (_aai && !aaiAllows))
        {
            _cycleIgnored = true;
            _ignoredWhileBusy++;
        }
    }

    // What the part drives on MISO while byte number `pos` of the cycle is clocked.
    private byte OutputLocked(int pos)
    {
        if (pos == 0) return 0xFF;
        byte op = _cmd[0];
        switch (op)
        {
            case OpRdsr:
                return StatusLocked();
            case OpJedec:
                return JedecId[(pos - 1) % 3];
            case OpReadId:
            case OpReadId2:
                return pos < 4 ? (byte)0xFF : ManufacturerDeviceId[((_cmd[3] & 1) + pos - 4) % 2];
            case OpRead:
                if (pos == 3) StartStreamLocked();
                return 0xFF;
            case OpHighSpeedRead:
                if (pos == 4) StartStreamLocked(); // after the dummy byte
                return 0xFF;
            default:
                return 0xFF;
        }
    }

    private void StartStreamLocked()
    {
        _streamAddress = ((_cmd[1] << 16) | (_cmd[2] << 8) | _cmd[3]) & (Capacity - 1);
        _streaming = true;
    }

    // Copies array bytes out for a READ data phase, wrapping at the top of the array.
    private int StreamLocked(Span<byte> miso)
    {
        int n = Math.Min(miso.Length, Capacity - _streamAddress);
        _array.AsSpan(_streamAddress, n).CopyTo(miso);
        _streamAddress = (_streamAddress + n) & (Capacity - 1);
        _bytesRead += n;
        return n;
    }

    private void ExecuteLocked(byte op, bool ewsrArmed)
    {
        int count = _cycleBytes;
        int address = count >= 4 ? ((_cmd[1] << 16) | (_cmd[2] << 8) | _cmd[3]) & (Capacity - 1) : 0;
        switch (op)
        {
            case OpWren:
                _wel = true;
                return;
            case OpWrdi:
                _wel = false;
                _aai = false;
                return;
            case OpEwsr:
                _ewsrArmed = true;
                return;
            case OpWrsr:
                // Writable with EWSR just before or with WEL; WP# is modelled high, so BPL does not lock.
                if (count < 2 || !(ewsrArmed || _wel)) { _ignoredWrites++; return; }
                _protectBits = (byte)(_cmd[1] & (StBpMask | StBpl));
                _wel = false;
                return;
            case OpByteProgram:
                if (count < 5 || !WriteAllowedLocked(address, 1)) return;
                StartOperationLocked(Sst25OperationKind.ByteProgram, address, 1, Timing.ByteProgram, clearsWel: true, _cmd[4], 0);
                return;
            case OpAai:
                ExecuteAaiLocked(count, address);
                return;
            case OpSectorErase:
                EraseLocked(count, address & ~(4096 - 1), 4096, Sst25OperationKind.SectorErase, Timing.SectorErase);
                return;
            case OpBlock32Erase:
                EraseLocked(count, address & ~(32768 - 1), 32768, Sst25OperationKind.Block32Erase, Timing.Block32Erase);
                return;
            case OpBlock64Erase:
                EraseLocked(count, address & ~(65536 - 1), 65536, Sst25OperationKind.Block64Erase, Timing.Block64Erase);
                return;
            case OpChipErase:
            case OpChipErase2:
                if (!WriteAllowedLocked(0, Capacity)) return;
                StartOperationLocked(Sst25OperationKind.ChipErase, 0, Capacity, Timing.ChipErase, clearsWel: true, 0, 0);
                return;
            default:
                return; // reads, ids, unknown opcodes: nothing happens on CS high
        }
    }

    private void EraseLocked(int count, int start, int size, Sst25OperationKind kind, TimeSpan duration)
    {
        if (count < 4 || !WriteAllowedLocked(start, size)) return;
        StartOperationLocked(kind, start, size, duration, clearsWel: true, 0, 0);
    }

    private void ExecuteAaiLocked(int count, int address)
    {
        if (!_aai)
        {
            // First cycle: AD A23-A16 A15-A8 A7-A0 D0 D1; A0 is ignored (words are even-aligned).
            if (count != 6 || !WriteAllowedLocked(address & ~1, 2)) return;
            _aai = true;
            _aaiAddress = address & ~1;
            StartOperationLocked(Sst25OperationKind.AaiWordProgram, _aaiAddress, 2, Timing.AaiWordProgram, clearsWel: false, _cmd[4], _cmd[5]);
            _aaiAddress += 2;
            return;
        }
        // Later cycles: AD D0 D1.
        if (count != 3 || _aaiAddress >= Capacity || IsProtectedLocked(_aaiAddress, 2))
        {
            _ignoredWrites++;
            return;
        }
        StartOperationLocked(Sst25OperationKind.AaiWordProgram, _aaiAddress, 2, Timing.AaiWordProgram, clearsWel: false, _cmd[1], _cmd[2]);
        _aaiAddress += 2;
    }

    private bool WriteAllowedLocked(int address, int length)
    {
        if (!_wel || IsProtectedLocked(address, length))
        {
            _ignoredWrites++;
            return false;
        }
        return true;
    }

    // BP2..BP0 protect the top 1/32, 1/16, 1/8, 1/4, 1/2 of the array, or all of it (110, 111).
    private bool IsProtectedLocked(int address, int length)
    {
        int bp = (_protectBits >> 2) & 0x07;
        int firstProtected = bp switch
        {
            0 => Capacity,
            1 => 0x1F0000,
            2 => 0x1E0000,
            3 => 0x1C0000,
            4 => 0x180000,
            5 => 0x100000,
            _ => 0,
        };
        return address + length > firstProtected;
    }

    // Applies an internal write to the array and the file at once, remembers the old bytes so a
    // power cut can tear it, and starts the busy time.
    private void StartOperationLocked(Sst25OperationKind kind, int address, int length, TimeSpan duration, bool clearsWel, byte d0, byte d1)
    {
        var op = new Sst25Operation(_operations++, kind, address, length);
        if (_preImage.Length < length) _preImage = new byte[length];
        _array.AsSpan(address, length).CopyTo(_preImage);
        switch (kind)
        {
            case Sst25OperationKind.ByteProgram:
                _array[address] &= d0;
                _programOps++;
                _bytesProgrammed++;
                break;
            case Sst25OperationKind.AaiWordProgram:
                _array[address] &= d0;
                _array[address + 1] &= d1;
                _programOps++;
                _bytesProgrammed += 2;
                break;
            default:
                _array.AsSpan(address, length).Fill(0xFF);
                if (kind == Sst25OperationKind.SectorErase) _sectorErases++;
                else if (kind == Sst25OperationKind.Block32Erase) _block32Erases++;
                else if (kind == Sst25OperationKind.Block64Erase) _block64Erases++;
                else _chipErases++;
                break;
        }
        WriteThroughLocked(address, length);
        _pending = true;
        _pendingOp = op;
        _pendingClearsWel = clearsWel;
        _busyStartTicks = _clock.UptimeTicks;
        _busyUntilTicks = _hangNext ? long.MaxValue : _busyStartTicks + duration.Ticks;
        _hangNext = false;
        OperationStarted?.Invoke(op);
        if (op.Index == _cutAtOperation)
        {
            _cutAtOperation = -1;
            TearPendingLocked(double.IsNaN(_cutFraction) ? _random.NextDouble() : _cutFraction);
            PowerOffLocked(op);
        }
    }

    // Leaves the pending operation `fraction` done: bytes before the cut point have their new
    // value, the byte at the cut has a random subset of its changing bits changed, the rest keep
    // their old value. Works for erase (bits go 0->1) and program (bits go 1->0) alike.
    private void TearPendingLocked(double fraction)
    {
        var op = _pendingOp;
        int cut = (int)Math.Floor(fraction * op.Length);
        if (cut >= op.Length) return; // it finished
        for (int i = cut; i < op.Length; i++)
        {
            int a = op.Address + i;
            byte before = _preImage[i];
            byte after = _array[a];
            _array[a] = i == cut ? (byte)(before ^ ((before ^ after) & _random.Next(256))) : before;
        }
        WriteThroughLocked(op.Address + cut, op.Length - cut);
    }

    private void PowerOffLocked(Sst25Operation? torn)
    {
        _powered = false;
        _selected = false;
        _streaming = false;
        _pending = false;
        _busyUntilTicks = 0;
        _wel = _aai = _ewsrArmed = false;
        _powerCuts++;
        PowerCutHappened?.Invoke(torn);
    }

    private void WriteThroughLocked(int address, int length)
    {
        if (length == 1) _view.Write(address, _array[address]);
        else _view.WriteArray(address, _array, address, length);
    }

    private bool BusyLocked()
    {
        if (!_pending) return false;
        if (_busyUntilTicks != long.MaxValue && _clock.UptimeTicks >= _busyUntilTicks)
        {
            _pending = false;
            if (_pendingClearsWel) _wel = false;
            return false;
        }
        return true;
    }

    private byte StatusLocked()
    {
        if (!_powered) return 0xFF;
        byte s = _protectBits;
        if (BusyLocked()) s |= StBusy;
        if (_wel) s |= StWel;
        if (_aai) s |= StAai;
        return s;
    }
}
