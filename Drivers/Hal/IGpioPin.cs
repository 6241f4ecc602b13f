using System;

namespace CoreFirmware.Drivers.Hal
{
    /// <summary>Logic level of a pin (System.Device.Gpio's PinValue).</summary>
    public enum PinValue
    {
        /// <summary>0 V.</summary>
        Low = 0,
        /// <summary>Supply voltage.</summary>
        High = 1,
    }

    /// <summary>Direction and pull of a pin (System.Device.Gpio's PinMode subset).</summary>
    public enum PinMode
    {
        /// <summary>Floating input.</summary>
        Input,
        /// <summary>Push-pull output.</summary>
        Output,
        /// <summary>Input with the internal pull-up.</summary>
        InputPullUp,
        /// <summary>Input with the internal pull-down.</summary>
        InputPullDown,
    }

    /// <summary>Which edge a value-changed event reports.</summary>
    public enum PinEventTypes
    {
        /// <summary>High to low.</summary>
        Falling = 1,
        /// <summary>Low to high.</summary>
        Rising = 2,
    }

    /// <summary>Arguments of <see cref="IGpioPin.ValueChanged"/>. Implementations may reuse one
    /// instance per edge kind, so a handler must not keep it.</summary>
    public sealed class PinValueChangedEventArgs : EventArgs
    {
        /// <summary>Creates the arguments for an edge on pin <paramref name="pinNumber"/>.</summary>
        public PinValueChangedEventArgs(PinEventTypes changeType, int pinNumber)
        {
            ChangeType = changeType;
            PinNumber = pinNumber;
        }

        /// <summary>The edge that happened.</summary>
        public PinEventTypes ChangeType { get; private set; }

        /// <summary>The pin it happened on.</summary>
        public int PinNumber { get; private set; }
    }

    /// <summary>Handler of a pin's edge. Runs in interrupt context on a device: it must only signal.</summary>
    public delegate void PinValueChangedEventHandler(object sender, PinValueChangedEventArgs e);

    /// <summary>
    /// One GPIO pin, in the shape of System.Device.Gpio's GpioPin. Pin numbers follow
    /// nanoFramework's STM32 convention: port * 16 + pin (PA0 = 0, PB0 = 16, ...).
    /// </summary>
    public interface IGpioPin
    {
        /// <summary>The pin's number.</summary>
        int PinNumber { get; }

        /// <summary>Sets direction and pull.</summary>
        void SetPinMode(PinMode mode);

        /// <summary>Reads the level on the pin.</summary>
        PinValue Read();

        /// <summary>Drives the pin (output mode).</summary>
        void Write(PinValue value);

        /// <summary>Raised on every edge of an input pin.</summary>
        event PinValueChangedEventHandler ValueChanged;
    }
}
