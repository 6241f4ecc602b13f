using System;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.VirtualNanoClr
{
    /// <summary>
    /// <see cref="IGpioPin"/> over the native GPIO, in the shape of System.Device.Gpio's GpioPin.
    /// Subscribing to <see cref="ValueChanged"/> makes the native side report the pin's edges;
    /// <see cref="GpioEdgeDispatcher"/> raises the event on its own thread as each edge's nanoCLR
    /// event arrives. One argument object per edge kind, so edges allocate nothing.
    /// </summary>
    public sealed class NanoGpioPin : IGpioPin
    {
        private readonly object _sync = new object();
        private readonly int _pinNumber;
        private readonly PinValueChangedEventArgs _rising;
        private readonly PinValueChangedEventArgs _falling;
        private PinValueChangedEventHandler _handlers;

        /// <summary>Opens pin <paramref name="pinNumber"/> (port * 16 + pin).</summary>
        public NanoGpioPin(int pinNumber)
        {
            if (pinNumber < 0 || pinNumber >= GpioEdgeDispatcher.MaxPins)
                throw new ArgumentOutOfRangeException("pinNumber");
            _pinNumber = pinNumber;
            _rising = new PinValueChangedEventArgs(PinEventTypes.Rising, pinNumber);
            _falling = new PinValueChangedEventArgs(PinEventTypes.Falling, pinNumber);
        }

        /// <inheritdoc />
        public int PinNumber
        {
            get { return _pinNumber; }
        }

        /// <inheritdoc />
        public void SetPinMode(PinMode mode)
        {
            NativeGpio.SetMode(_pinNumber, (int)mode);
        }

        /// <inheritdoc />
        public PinValue Read()
        {
            return NativeGpio.Read(_pinNumber) == 0 ? PinValue.Low : PinValue.High;
        }

        /// <inheritdoc />
        public void Write(PinValue value)
        {
            NativeGpio.Write(_pinNumber, value == PinValue.Low ? 0 : 1);
        }

        /// <inheritdoc />
        public event PinValueChangedEventHandler ValueChanged
        {
            add
            {
                bool first;
                lock (_sync)
                {
                    first = _handlers == null;
                    _handlers = (PinValueChangedEventHandler)Delegate.Combine(_handlers, value);
                }
                if (first) GpioEdgeDispatcher.Watch(this);
            }
            remove
            {
                bool last;
                lock (_sync)
                {
                    bool had = _handlers != null;
                    _handlers = (PinValueChangedEventHandler)Delegate.Remove(_handlers, value);
                    last = had && _handlers == null;
                }
                if (last) GpioEdgeDispatcher.Unwatch(this);
            }
        }

        /// <summary>Called by the dispatcher for each edge of this pin.</summary>
        internal void RaiseEdge(bool rising)
        {
            PinValueChangedEventHandler handlers = _handlers;
            if (handlers != null) handlers(this, rising ? _rising : _falling);
        }
    }
}
