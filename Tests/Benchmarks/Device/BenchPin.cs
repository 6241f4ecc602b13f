#nullable disable
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>A GPIO pin that keeps its level in memory and never raises an edge.</summary>
    public sealed class BenchPin : IGpioPin
    {
        private readonly int _number;
        private PinValue _value;
        private PinValueChangedEventHandler _handler;

        /// <summary>Creates pin <paramref name="number"/> at <paramref name="initial"/>.</summary>
        public BenchPin(int number, PinValue initial)
        {
            _number = number;
            _value = initial;
        }

        /// <inheritdoc />
        public int PinNumber
        {
            get { return _number; }
        }

        /// <inheritdoc />
        public event PinValueChangedEventHandler ValueChanged
        {
            // Kept like a board pin keeps its subscriber (the CC3000 driver's IRQ handler); never raised.
            add { _handler = value; }
            remove { if (_handler == value) _handler = null; }
        }

        /// <inheritdoc />
        public void SetPinMode(PinMode mode)
        {
        }

        /// <inheritdoc />
        public PinValue Read()
        {
            return _value;
        }

        /// <inheritdoc />
        public void Write(PinValue value)
        {
            _value = value;
        }
    }
}
