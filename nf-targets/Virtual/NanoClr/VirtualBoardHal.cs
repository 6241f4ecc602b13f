using CoreFirmware.Drivers.Hal;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Virtual.NanoClr;

/// <summary>
/// <see cref="INanoHalBoard"/> over a <see cref="VirtualBoard"/>: the natives reach the same models
/// the CoreCLR firmware drives. An SPI device opened by the firmware is a <see cref="VirtualSpiDevice"/>
/// on the shared bus with the firmware's own settings (a wrong mode shows as a bus violation, as on
/// the wires); pins are the board's pins by number; Serial1 is UART 1.
/// </summary>
public sealed class VirtualBoardHal : INanoHalBoard, IDisposable
{
    private readonly VirtualBoard _board;
    private readonly Dictionary<int, VirtualGpioPin> _pins = new();
    private readonly List<(VirtualSpiDevice Device, VirtualGpioPin ChipSelect)> _spi = new();
    private readonly Dictionary<int, PinValueChangedEventHandler> _watches = new();
    private readonly object _sync = new();
    private byte[] _bytes = new byte[1024];
    private HostCrypto? _crypto;

    public VirtualBoardHal(VirtualBoard board)
    {
        _board = board;
        foreach (var pin in new[] { board.FlashChipSelect, board.Cc3000.ChipSelect, board.Cc3000.Irq, board.Cc3000.WlanEnable, board.D0, board.UserLed })
            _pins[pin.PinNumber] = pin;
    }

    /// <summary>The board served.</summary>
    public VirtualBoard Board => _board;

    /// <summary>The configuration the firmware reads (cloud, access point, timings).</summary>
    public NanoBoardConfiguration Configuration { get; init; } = new();

    /// <summary>What the firmware reads as setting 10 (NanoBoardSettings.AppPaused) at each Loop of the user app: pauses it.</summary>
    public bool AppPaused { get; set; }

    /// <summary>Raised on the interpreter thread when the firmware resets the MCU, with its reason.</summary>
    public event Action<string>? ResetRequested;

    public int SpiOpen(int busId, int chipSelectPin, SpiMode mode, int clockHz)
    {
        if (busId != SparkCoreBus.SpiBusId) throw new KeyNotFoundException($"no SPI bus {busId} on the board (the Core's is {SparkCoreBus.SpiBusId})");
        var chipSelect = Pin(chipSelectPin);
        var settings = new SpiConnectionSettings(busId, chipSelectPin) { Mode = mode, ClockFrequency = clockHz };
        lock (_sync)
        {
            // One device per chip select: a new boot opens the same parts again and takes over their handles
            // (before, every boot added two entries for good: a leak the 200-cycle nanoCLR soak's census found).
            var device = (new VirtualSpiDevice(_board.Bus, settings, chipSelect), chipSelect);
            int same = _spi.FindIndex(d => d.ChipSelect == chipSelect);
            if (same >= 0)
            {
                _spi[same] = device;
                return same;
            }

            _spi.Add(device);
            return _spi.Count - 1;
        }
    }

    public void SpiSelect(int handle, bool selected)
    {
        var device = Device(handle);
        if (selected) device.Select();
        else device.Deselect();
    }

    public void SpiTransfer(int handle, ReadOnlySpan<byte> mosi, Span<byte> miso) =>
        _board.Bus.Transfer(Device(handle).ConnectionSettings, mosi, miso);

    public void GpioSetMode(int pin, PinMode mode) => Pin(pin).SetPinMode(mode);

    public PinValue GpioRead(int pin) => Pin(pin).Read();

    public void GpioWrite(int pin, PinValue value) => Pin(pin).Write(value);

    public void GpioWatch(int pin, Action<int, bool>? edges)
    {
        var p = Pin(pin);
        lock (_sync)
        {
            if (_watches.Remove(pin, out var old)) p.ValueChanged -= old;
            if (edges == null) return;
            PinValueChangedEventHandler handler = (_, e) => edges(e.PinNumber, e.ChangeType == PinEventTypes.Rising);
            _watches[pin] = handler;
            p.ValueChanged += handler;
        }
    }

    public long ClockTicks() => _board.Clock.UptimeTicks;

    public int InternalFlashSize => _board.InternalFlash.Size;

    public int InternalFlashPageSize => _board.InternalFlash.PageSize;

    public void InternalFlashRead(int address, Span<byte> destination)
    {
        var buffer = Bytes(destination.Length);
        _board.InternalFlash.Read(address, buffer, 0, destination.Length);
        buffer.AsSpan(0, destination.Length).CopyTo(destination);
    }

    public void InternalFlashErase(int address) => _board.InternalFlash.ErasePage(address);

    public void InternalFlashProgram(int address, ReadOnlySpan<byte> data)
    {
        var buffer = Bytes(data.Length);
        data.CopyTo(buffer);
        _board.InternalFlash.Program(address, buffer, 0, data.Length);
    }

    public IWatchdog Watchdog => _board.Watchdog;

    public void SerialWrite(int port, ReadOnlySpan<byte> data)
    {
        if (port != 1) throw new KeyNotFoundException($"no UART {port} on the board (Serial1 is 1)");
        var buffer = Bytes(data.Length);
        data.CopyTo(buffer);
        _board.Serial1.Write(buffer, 0, data.Length);
    }

    public void LedSet(byte red, byte green, byte blue) => _board.RgbLed.SetColor(red, green, blue);

    public int Crypto(int operation, Span<byte> a, Span<byte> b, Span<byte> c, Span<byte> d)
    {
        _crypto ??= new HostCrypto();
        byte[] ka = a.ToArray(), kb = b.ToArray(), kc = c.ToArray(), kd = d.ToArray();
        int result = operation switch
        {
            0 => _crypto.RsaEncrypt(ka, kb, 0, kb.Length, kc, 0, kc.Length),
            1 => _crypto.RsaDecrypt(ka, kb, 0, kb.Length, kc, 0, kc.Length),
            2 => _crypto.RsaSignRaw(ka, kb, 0, kb.Length, kc, 0, kc.Length),
            3 => _crypto.RsaVerifyRaw(ka, kb, 0, kb.Length, kc, 0, kc.Length) ? 1 : 0,
            4 => _crypto.AesCbcEncrypt(ka, kd, kb, 0, kb.Length, kc, 0, kc.Length),
            5 => _crypto.AesCbcDecrypt(ka, kd, kb, 0, kb.Length, kc, 0, kc.Length),
            6 => _crypto.HmacSha1(ka, 0, ka.Length, kb, 0, kb.Length, kc, 0),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "no such crypto operation"),
        };
        // The output range is the third; verify only reads it.
        if (operation != 3) kc.CopyTo(c);
        return result;
    }

    public int Setting(int id) => id == 10 ? (AppPaused ? 1 : 0) : Configuration.Number(id);

    public string SettingText(int id) => Configuration.Text(id);

    public void Reset(string reason) => ResetRequested?.Invoke(reason);

    /// <summary>Raised on the interpreter thread with each status report of the firmware.</summary>
    public event Action<int[]>? StatusReported;

    public void Status(ReadOnlySpan<int> values) => StatusReported?.Invoke(values.ToArray());

    public void Dispose()
    {
        Detach();
        _crypto?.Dispose();
    }

    /// <summary>Stops every edge report (the MCU is gone).</summary>
    public void Detach()
    {
        lock (_sync)
        {
            foreach (var (pin, handler) in _watches) _pins[pin].ValueChanged -= handler;
            _watches.Clear();
        }
    }

    private VirtualGpioPin Pin(int pin) =>
        _pins.TryGetValue(pin, out var p) ? p : throw new KeyNotFoundException($"no pin {pin} on the board");

    private VirtualSpiDevice Device(int handle)
    {
        lock (_sync)
        {
            if (handle < 0 || handle >= _spi.Count) throw new KeyNotFoundException($"no SPI device with handle {handle}");
            return _spi[handle].Device;
        }
    }

    // The interpreter thread's reusable buffer for the byte[]-shaped models (one call at a time).
    private byte[] Bytes(int count)
    {
        if (_bytes.Length < count) _bytes = new byte[count];
        return _bytes;
    }
}
