using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>Which flash part a <see cref="PowerCutOperation"/> wrote.</summary>
public enum FlashPart
{
    /// <summary>The SST25 on the SPI bus.</summary>
    External,
    /// <summary>The MCU's internal flash (application slot).</summary>
    Internal,
}

/// <summary>
/// One flash operation as a power-cut sweep counts it (the level MCUboot's simulator counts at):
/// one driver-level erase or program call. <see cref="Steps"/> is how many internal writes the part
/// did for it (an SST25 program transaction is one AAI sequence of up to 128 word steps, plus a byte
/// program for an odd first or last byte; everything else is 1).
/// </summary>
public sealed record PowerCutOperation(long Index, FlashPart Part, bool IsErase, int Address, int Length)
{
    public int Steps { get; internal set; } = 1;

    public override string ToString()
        => $"#{Index} {(Part == FlashPart.External ? "sst25" : "internal")} {(IsErase ? "erase" : "program")} 0x{Address:X6}+{Length}"
            + (Steps > 1 ? $" ({Steps} steps)" : "");
}

/// <summary>
/// Numbers the flash operations of both parts of a board in one global sequence and, when armed,
/// cuts the power inside operation <see cref="CutAt"/>: the part being written is torn there (for an
/// SST25 program transaction at a seeded random word step inside it, with a seeded random tear of
/// that step), the other part is powered off too, and from then on the MCU is dead: every SPI call
/// through <see cref="PowerSwitch"/> and every internal-flash call throws
/// <see cref="PowerLossException"/>.
/// </summary>
/// <remarks>
/// <para>An SST25 operation is one bus transaction of the flash driver (one erase, or one program
/// chunk of up to 256 bytes): the plan sees transaction edges through <see cref="ObserveArbiter"/>
/// and the part's internal writes through <see cref="Sst25Model.OperationStarted"/>. An internal-flash
/// operation is one ErasePage or Program call.</para>
/// <para>A cut run must replay the dry run's workload exactly (same operations in the same order):
/// the plan takes the dry run's operation list to know how many word steps the chosen transaction
/// has, and <see cref="Diverged"/> says when the replay differed before the cut.</para>
/// <para>Single-threaded use only: the workload runs on one thread (the cloud link's messages fed in
/// order, then the bootloader).</para>
/// </remarks>
public sealed class PowerCutPlan : IDisposable
{
    private readonly List<PowerCutOperation> _operations = new();
    private readonly IReadOnlyList<PowerCutOperation>? _expected;
    private readonly Random _random;
    private Sst25Model? _external;
    private VirtualInternalFlash? _internal;
    private int _transactionDepth;
    private PowerCutOperation? _currentTransactionOperation;
    private bool _counting = true;
    private bool _internalNextIsErase;
    private int _internalNextAddress = -1;
    private int _internalNextLength;

    /// <summary>A plan that only counts (a dry run).</summary>
    public PowerCutPlan() : this(-1, 1, null)
    {
    }

    /// <summary>A plan that cuts the power inside operation <paramref name="cutAt"/> (-1: never).</summary>
    /// <param name="cutAt">Global operation index to cut in.</param>
    /// <param name="seed">Seed of the word step and tear fraction chosen.</param>
    /// <param name="expected">The dry run's operations (for the step count of the chosen one and the divergence check).</param>
    public PowerCutPlan(long cutAt, int seed, IReadOnlyList<PowerCutOperation>? expected)
    {
        CutAt = cutAt;
        _expected = expected;
        _random = new Random(seed);
    }

    /// <summary>Global index of the operation the power is cut in (-1: none).</summary>
    public long CutAt { get; }

    /// <summary>False once the power was cut (until <see cref="PowerOn"/>).</summary>
    public bool BoardPowered { get; private set; } = true;

    /// <summary>True once the armed cut happened.</summary>
    public bool CutHappened { get; private set; }

    /// <summary>The operation the cut fell in, with the step and fraction chosen (null before the cut).</summary>
    public string? CutDescription { get; private set; }

    /// <summary>Operations counted so far (while counting).</summary>
    public IReadOnlyList<PowerCutOperation> Operations => _operations;

    /// <summary>True when the replay before the cut did not match the dry run's operations.</summary>
    public bool Diverged { get; private set; }

    /// <summary>First divergence found (null when none).</summary>
    public string? Divergence { get; private set; }

    /// <summary>Counts and cuts the SST25 <paramref name="model"/>'s operations.</summary>
    public void Attach(Sst25Model model)
    {
        _external = model;
        model.OperationStarted += OnExternalOperation;
        model.PowerCutHappened += OnExternalPowerCut;
    }

    /// <summary>Counts and cuts the internal flash's operations.</summary>
    public void Attach(VirtualInternalFlash flash)
    {
        _internal = flash;
        flash.OperationStarting += OnInternalOperation;
        flash.PowerCutHappened += OnInternalPowerCut;
    }

    /// <summary>Stops counting and cutting (the recovery phase after a cut runs with the plan idle).</summary>
    public void Stop() => _counting = false;

    /// <summary>Powers both parts and the MCU back on (after a cut) and stops the plan.</summary>
    public void PowerOn()
    {
        _counting = false;
        _external?.PowerOn();
        _internal?.PowerOn();
        BoardPowered = true;
    }

    /// <summary>The flash driver's arbiter, wrapped so the plan sees where each bus transaction starts and ends.</summary>
    public IBusArbiter ObserveArbiter(IBusArbiter inner) => new ObservedArbiter(this, inner);

    /// <summary>The internal flash, wrapped so the plan knows each call's kind and range.</summary>
    public IInternalFlash ObserveInternalFlash(IInternalFlash inner) => new ObservedInternalFlash(this, inner);

    /// <summary>The flash's SPI device, wrapped so the MCU stops (PowerLossException) once the power is cut.</summary>
    public ISpiDevice PowerSwitch(ISpiDevice inner) => new PowerSwitchedSpiDevice(this, inner);

    public void Dispose()
    {
        if (_external != null)
        {
            _external.OperationStarted -= OnExternalOperation;
            _external.PowerCutHappened -= OnExternalPowerCut;
        }
        if (_internal != null)
        {
            _internal.OperationStarting -= OnInternalOperation;
            _internal.PowerCutHappened -= OnInternalPowerCut;
        }
    }

    // ---- counting -------------------------------------------------------------------------------

    private PowerCutOperation Begin(FlashPart part, bool isErase, int address, int length)
    {
        var op = new PowerCutOperation(_operations.Count, part, isErase, address, length);
        _operations.Add(op);
        if (_expected != null && !Diverged)
        {
            if (op.Index >= _expected.Count)
            {
                Diverged = true;
                Divergence = $"operation {op} is beyond the dry run's {_expected.Count}";
            }
            else
            {
                var e = _expected[(int)op.Index];
                if (e.Part != part || e.IsErase != isErase || e.Address != address)
                {
                    Diverged = true;
                    Divergence = $"operation {op} where the dry run had {e}";
                }
            }
        }
        return op;
    }

    private int ExpectedSteps(long index)
        => _expected != null && index < _expected.Count ? _expected[(int)index].Steps : 1;

    // Inside the model's lock, on the thread that raised chip select.
    private void OnExternalOperation(Sst25Operation op)
    {
        if (!_counting) return;
        if (_transactionDepth > 0 && _currentTransactionOperation != null)
        {
            // A later word step (or the odd last byte) of the same program transaction.
            _currentTransactionOperation.Steps++;
            return;
        }

        var counted = Begin(FlashPart.External, op.IsErase, op.Address, op.Length);
        if (_transactionDepth > 0) _currentTransactionOperation = counted;
        if (counted.Index != CutAt) return;

        int steps = Math.Max(1, ExpectedSteps(counted.Index));
        int step = _random.Next(steps);
        double fraction = _random.NextDouble();
        CutDescription = $"{counted} at step {step + 1} of {steps}, {fraction:0.00} of it done";
        _external!.CutPowerAtOperation(op.Index + step, fraction);
    }

    private void OnExternalPowerCut(Sst25Operation? torn)
    {
        if (!BoardPowered) return;
        BoardPowered = false;
        CutHappened = true;
        _internal?.CutPower();
    }

    private void OnInternalOperation(long index)
    {
        if (!_counting) return;
        // The event carries only the index: the call's kind and range come from ObserveInternalFlash
        // (address -1 when the firmware was given the flash unwrapped).
        var counted = Begin(FlashPart.Internal, _internalNextIsErase, _internalNextAddress, _internalNextLength);
        _internalNextAddress = -1;
        _internalNextLength = 0;
        if (counted.Index != CutAt) return;
        double fraction = _random.NextDouble();
        CutDescription = $"{counted}, {fraction:0.00} of it done";
        _internal!.CutPowerAtOperation(index, fraction);
    }

    private void OnInternalPowerCut(long index)
    {
        if (!BoardPowered) return;
        BoardPowered = false;
        CutHappened = true;
        _external?.CutPower();
    }

    // ---- wrappers ---------------------------------------------------------------------------------

    private sealed class ObservedArbiter : IBusArbiter
    {
        private readonly PowerCutPlan _plan;
        private readonly IBusArbiter _inner;

        public ObservedArbiter(PowerCutPlan plan, IBusArbiter inner)
        {
            _plan = plan;
            _inner = inner;
        }

        public int RemainingHoldMilliseconds => _inner.RemainingHoldMilliseconds;

        public int MaxHoldMilliseconds => _inner.MaxHoldMilliseconds;

        public bool TryAcquire(BusPriority priority, int timeoutMilliseconds)
        {
            if (!_inner.TryAcquire(priority, timeoutMilliseconds)) return false;
            _plan.TransactionStarted();
            return true;
        }

        public void Acquire(BusPriority priority, int timeoutMilliseconds)
        {
            _inner.Acquire(priority, timeoutMilliseconds);
            _plan.TransactionStarted();
        }

        public void Release()
        {
            _plan.TransactionEnded();
            _inner.Release();
        }
    }

    private void TransactionStarted()
    {
        _transactionDepth++;
        _currentTransactionOperation = null;
    }

    private void TransactionEnded()
    {
        if (_transactionDepth > 0) _transactionDepth--;
        _currentTransactionOperation = null;
    }

    private sealed class ObservedInternalFlash : IInternalFlash
    {
        private readonly PowerCutPlan _plan;
        private readonly IInternalFlash _inner;

        public ObservedInternalFlash(PowerCutPlan plan, IInternalFlash inner)
        {
            _plan = plan;
            _inner = inner;
        }

        public int Size => _inner.Size;

        public int PageSize => _inner.PageSize;

        public void Read(int address, byte[] buffer, int offset, int count) => _inner.Read(address, buffer, offset, count);

        public void ErasePage(int address)
        {
            _plan.NextInternal(true, address, _inner.PageSize);
            _inner.ErasePage(address);
        }

        public void Program(int address, byte[] data, int offset, int count)
        {
            _plan.NextInternal(false, address, count);
            _inner.Program(address, data, offset, count);
        }
    }

    private void NextInternal(bool isErase, int address, int length)
    {
        _internalNextIsErase = isErase;
        _internalNextAddress = address;
        _internalNextLength = length;
    }

    private sealed class PowerSwitchedSpiDevice : ISpiDevice
    {
        private readonly PowerCutPlan _plan;
        private readonly ISpiDevice _inner;

        public PowerSwitchedSpiDevice(PowerCutPlan plan, ISpiDevice inner)
        {
            _plan = plan;
            _inner = inner;
        }

        public SpiConnectionSettings ConnectionSettings => _inner.ConnectionSettings;

        public void Select()
        {
            Check();
            _inner.Select();
        }

        // Deselect works without power (the driver's finally blocks release the bus).
        public void Deselect() => _inner.Deselect();

        public void TransferFullDuplex(byte[] writeBuffer, int writeOffset, byte[] readBuffer, int readOffset, int count)
        {
            Check();
            _inner.TransferFullDuplex(writeBuffer, writeOffset, readBuffer, readOffset, count);
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            Check();
            _inner.Write(buffer, offset, count);
        }

        public void Read(byte[] buffer, int offset, int count)
        {
            Check();
            _inner.Read(buffer, offset, count);
        }

        private void Check()
        {
            if (!_plan.BoardPowered) throw new PowerLossException("the board lost power (SPI access after the cut)");
        }
    }
}
