using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// The MCU's internal flash application region on the virtual Core: NOR pages (erase sets 0xFF,
/// a program needs erased bytes, as the STM32F1's PGERR enforces), kept in memory for the life of
/// the board so it survives <see cref="VirtualBoard.Reset"/> like the real part survives a reset.
/// </summary>
/// <remarks>
/// <para>Every erase and program call is one counted operation (index = <see cref="OperationCount"/>
/// before it). <see cref="CutPowerAtOperation"/> tears operation k the way a power cut would: a
/// prefix of its bytes done, the byte at the cut with only some of its changing bits changed, the
/// rest untouched; the part then loses power and every later call throws
/// <see cref="PowerLossException"/> until <see cref="PowerOn"/>.</para>
/// <para>Size: the STM32F103CB has 128 KB with 1 KB pages. The virtual region keeps the 1 KB pages
/// but is sized like the external image slots (640 KB) because the host app assembly it runs is
/// bigger than a device deployment would be (see Ota/Boot/BOOT-DESIGN.md).</para>
/// </remarks>
public sealed class VirtualInternalFlash : IInternalFlash
{
    /// <summary>Default region size: one external image slot.</summary>
    public const int DefaultSize = 640 * 1024;

    /// <summary>STM32F103 medium-density page.</summary>
    public const int DefaultPageSize = 1024;

    private readonly object _sync = new();
    private readonly byte[] _memory;
    private readonly Random _random;
    private long _operations;
    private long _cutAt = -1;
    private double _cutFraction = double.NaN;
    private bool _powered = true;
    private long _pageErases;
    private long _programs;
    private long _bytesProgrammed;
    private long _powerCuts;

    public VirtualInternalFlash(int size = DefaultSize, int pageSize = DefaultPageSize, int tearSeed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 2);
        if (size <= 0 || size % pageSize != 0) throw new ArgumentException("size must be a positive multiple of the page size", nameof(size));
        Size = size;
        PageSize = pageSize;
        _memory = new byte[size];
        _memory.AsSpan().Fill(0xFF);
        _random = new Random(tearSeed);
    }

    public int Size { get; }

    public int PageSize { get; }

    /// <summary>Erase and program calls so far (the index the next one gets).</summary>
    public long OperationCount { get { lock (_sync) return _operations; } }

    public long PageErases { get { lock (_sync) return _pageErases; } }

    public long ProgramOperations { get { lock (_sync) return _programs; } }

    public long BytesProgrammed { get { lock (_sync) return _bytesProgrammed; } }

    public long PowerCuts { get { lock (_sync) return _powerCuts; } }

    public bool IsPowered { get { lock (_sync) return _powered; } }

    /// <summary>Raised (inside the call, before it changes anything) with the index of each erase/program.</summary>
    public event Action<long>? OperationStarting;

    /// <summary>Raised after a power cut tore operation k (the argument) or cut between operations (-1).</summary>
    public event Action<long>? PowerCutHappened;

    public void Read(int address, byte[] buffer, int offset, int count)
    {
        CheckRange(address, count);
        lock (_sync)
        {
            if (!_powered) throw new PowerLossException("internal flash read without power");
            Array.Copy(_memory, address, buffer, offset, count);
        }
    }

    public void ErasePage(int address)
    {
        if (address < 0 || address >= Size || address % PageSize != 0) throw new InternalFlashException($"erase address 0x{address:X} is not a page start");
        Operation(address, PageSize, isErase: true, null, 0);
    }

    public void Program(int address, byte[] data, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckRange(address, count);
        if ((address & 1) != 0 || (count & 1) != 0) throw new InternalFlashException("the FLASH controller programs half-words: address and count must be even");
        if (address / PageSize != (address + count - 1) / PageSize) throw new InternalFlashException("a program call must stay within one page");
        Operation(address, count, isErase: false, data, offset);
    }

    /// <summary>Copies bytes out without counting a read (for tests and the runner's loader).</summary>
    public void Peek(int address, Span<byte> destination)
    {
        CheckRange(address, destination.Length);
        lock (_sync) _memory.AsSpan(address, destination.Length).CopyTo(destination);
    }

    /// <summary>Writes bytes directly, as a factory programmer would (no NOR rules, not counted).</summary>
    public void Poke(int address, ReadOnlySpan<byte> source)
    {
        CheckRange(address, source.Length);
        lock (_sync) source.CopyTo(_memory.AsSpan(address));
    }

    /// <summary>
    /// Arms a power cut in operation <paramref name="operationIndex"/>: it is left
    /// <paramref name="completedFraction"/> done (NaN: a seeded random fraction) and the part
    /// powers off. -1 disarms.
    /// </summary>
    public void CutPowerAtOperation(long operationIndex, double completedFraction = double.NaN)
    {
        if (!double.IsNaN(completedFraction) && (completedFraction < 0 || completedFraction > 1))
            throw new ArgumentOutOfRangeException(nameof(completedFraction));
        lock (_sync)
        {
            _cutAt = operationIndex;
            _cutFraction = completedFraction;
        }
    }

    /// <summary>Powers the part off between operations (the board lost power elsewhere).</summary>
    public void CutPower()
    {
        lock (_sync)
        {
            if (!_powered) return;
            _powered = false;
            _powerCuts++;
        }
        PowerCutHappened?.Invoke(-1);
    }

    /// <summary>Powers the part back on; its contents are whatever the last cut left.</summary>
    public void PowerOn()
    {
        // An armed cut stays armed (it fires once, then disarms itself): a test can arm it before a reset.
        lock (_sync) _powered = true;
    }

    private void Operation(int address, int length, bool isErase, byte[]? data, int offset)
    {
        long index;
        lock (_sync)
        {
            if (!_powered) throw new PowerLossException("internal flash write without power");
            index = _operations;
        }
        OperationStarting?.Invoke(index);
        bool cut;
        lock (_sync)
        {
            _operations++;
            if (!isErase)
            {
                for (int i = 0; i < length; i++)
                {
                    if (_memory[address + i] != 0xFF)
                        throw new InternalFlashException($"PGERR: program over a byte that is not erased at 0x{address + i:X}");
                }
            }

            byte[] before = _memory.AsSpan(address, length).ToArray();
            for (int i = 0; i < length; i++) _memory[address + i] = isErase ? (byte)0xFF : data![offset + i];
            if (isErase) _pageErases++;
            else
            {
                _programs++;
                _bytesProgrammed += length;
            }

            cut = index == _cutAt;
            if (cut)
            {
                double fraction = double.IsNaN(_cutFraction) ? _random.NextDouble() : _cutFraction;
                int at = (int)Math.Floor(fraction * length);
                for (int i = at; i < length; i++)
                {
                    byte after = _memory[address + i];
                    _memory[address + i] = i == at ? (byte)(before[i] ^ ((before[i] ^ after) & _random.Next(256))) : before[i];
                }
                _powered = false;
                _powerCuts++;
                _cutAt = -1;
            }
        }

        if (cut)
        {
            PowerCutHappened?.Invoke(index);
            throw new PowerLossException($"power cut during internal flash operation {index}");
        }
    }

    private void CheckRange(int address, int count)
    {
        if (address < 0 || count < 0 || address > Size - count) throw new InternalFlashException($"0x{address:X}+{count} is outside the {Size}-byte region");
    }
}
