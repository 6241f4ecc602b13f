using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// One pin of the virtual MCU. Firmware sees it through <see cref="IGpioPin"/>; the models on the
/// other side of the wire drive it with <see cref="Drive"/> (an input) and watch it with
/// <see cref="LevelChanged"/> (an output). Edge events reuse one argument object per edge kind,
/// so a toggling pin allocates nothing.
/// </summary>
public sealed class VirtualGpioPin : IGpioPin
{
    private readonly object _sync = new();
    private readonly PinValueChangedEventArgs _rising;
    private readonly PinValueChangedEventArgs _falling;
    private PinValue _level;
    private PinMode _mode = PinMode.Input;

    public VirtualGpioPin(int pinNumber, string name, PinValue initial = PinValue.Low)
    {
        PinNumber = pinNumber;
        Name = name;
        _level = initial;
        _rising = new PinValueChangedEventArgs(PinEventTypes.Rising, pinNumber);
        _falling = new PinValueChangedEventArgs(PinEventTypes.Falling, pinNumber);
    }

    public int PinNumber { get; }

    /// <summary>Board name of the pin (e.g. "CC3000_CS").</summary>
    public string Name { get; }

    /// <summary>Current level, whoever drives it.</summary>
    public PinValue Level { get { lock (_sync) return _level; } }

    public PinMode Mode { get { lock (_sync) return _mode; } }

    /// <summary>Firmware-side edge event (an input pin's interrupt).</summary>
    public event PinValueChangedEventHandler? ValueChanged;

    /// <summary>
    /// Handlers on <see cref="ValueChanged"/>: how many calls one edge makes. The pin outlives every
    /// boot's driver, so this must not grow with the boots (each driver lets go when it stops).
    /// </summary>
    public int EdgeHandlers => ValueChanged?.GetInvocationList().Length ?? 0;

    /// <summary>Host-side observer: called on every level change, from the thread that caused it.</summary>
    public event Action<VirtualGpioPin, PinValue>? LevelChanged;

    public void SetPinMode(PinMode mode) { lock (_sync) _mode = mode; }

    public PinValue Read() => Level;

    /// <summary>Firmware drives an output pin.</summary>
    public void Write(PinValue value) => SetLevel(value);

    /// <summary>A model drives this pin from outside the MCU (e.g. the CC3000's IRQ line).</summary>
    public void Drive(PinValue value) => SetLevel(value);

    private void SetLevel(PinValue value)
    {
        lock (_sync)
        {
            if (_level == value) return;
            _level = value;
        }
        LevelChanged?.Invoke(this, value);
        ValueChanged?.Invoke(this, value == PinValue.High ? _rising : _falling);
    }
}
