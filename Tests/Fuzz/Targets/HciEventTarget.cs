using CoreFirmware.Drivers.Cc3000;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Fuzz.Engine;

namespace CoreFirmware.Fuzz.Targets;

/// <summary>
/// HCI frames from the module, read by the real CC3000 driver (SPI link length checks, the worker's
/// event and data dispatch, unsolicited events, answers with nothing pending) from
/// <see cref="HciFakeModule"/>. An input is a list of frames, each a big-endian u16 length as the
/// SPI header announces it, then up to that many bytes (short frames are clocked out padded with
/// zeros). Invariants: the worker reads every frame and the sentinel after them within the bound
/// (an exception on the worker thread would end the process, like a crash of the device's worker:
/// the runner's crash handler saves the input first); the free-buffer count stays within 0 and the
/// module's buffer count; the bad and stray packet counters only grow; the bus is free afterwards.
/// </summary>
public sealed class HciEventTarget : IFuzzTarget, IDisposable
{
    // Bound on reading one input's frames: generous (a loaded machine), not a timing assertion.
    private const int DrainBoundMilliseconds = 30000;

    private HciFakeModule? _module;
    private SpiBusArbiter? _arbiter;
    private Cc3000Driver? _driver;
    private int _bad;
    private int _stray;

    public string Name => "hci";

    public int MaxInputLength => 3000;

    public IReadOnlyList<byte[]> Dictionary { get; } =
    [
        [0x00, 0x05, 0x04, 0x00, 0x41, 0x01, 0x00], // free-buffers event header
        [0x04, 0x01, 0x80, 0x01, 0x00], [0x04, 0x02, 0x80, 0x01, 0x00], [0x04, 0x10, 0x80, 0x05, 0x00, 10, 0, 0, 1],
        [0x04, 0x0C, 0x80], [0x04, 0x04, 0x10], [0x02, 0x85], [0x05, 0xF1], [0x00, 0x00], [0xFF, 0xFF], [0x05, 0xF0],
        [0x01, 0x00], [0x00, 0x01], [0x04], [0x02],
    ];

    public string Run(byte[] input)
    {
        if (_driver == null) Start();
        var frames = new List<(byte[] Frame, int DeclaredLength)>();
        int p = 0;
        while (p + 2 <= input.Length)
        {
            int declared = (input[p] << 8) | input[p + 1];
            p += 2;
            int n = Math.Min(declared, input.Length - p);
            frames.Add((input[p..(p + n)], declared));
            p += n;
        }

        ManualResetEventSlim done = _module!.Deliver(frames);
        FuzzInvariantException.Check(done.Wait(DrainBoundMilliseconds), $"the driver's worker did not read {frames.Count} frames and the sentinel within {DrainBoundMilliseconds} ms");

        int free = _driver!.FreeBuffers;
        FuzzInvariantException.Check(free >= 0 && free <= _driver.BufferCount && _driver.BufferCount == HciFakeModule.Buffers,
            $"free buffers {free} of {_driver.BufferCount}");
        int bad = _driver.BadPackets;
        int stray = _driver.StrayPackets;
        FuzzInvariantException.Check(bad >= _bad && stray >= _stray, $"counters went from bad {_bad} stray {_stray} to {bad} {stray}");
        string outcome = $"{frames.Count switch { 0 => "0", 1 => "1", < 5 => "few", _ => "many" }}:{Math.Min(bad - _bad, 3)}:{Math.Min(stray - _stray, 2)}:{_driver.IsNetworkUp}:{free}";
        _bad = bad;
        _stray = stray;
        FuzzInvariantException.Check(_arbiter!.TryAcquire(BusPriority.UserNetwork, 1000), "the bus is still held after the frames");
        _arbiter.Release();
        return outcome;
    }

    private void Start()
    {
        var clock = new SystemClock();
        _module = new HciFakeModule();
        _arbiter = new SpiBusArbiter(clock);
        _driver = new Cc3000Driver(_module, _module.Irq, _module.Enable, _arbiter, clock);
        int r = _driver.Start(5000);
        if (r != 0) throw new InvalidOperationException($"the fake module did not start the driver: {r}");
        _bad = _driver.BadPackets;
        _stray = _driver.StrayPackets;
    }

    public void Dispose()
    {
        _driver?.Stop();
    }
}
