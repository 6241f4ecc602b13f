using CoreFirmware.Drivers.Cc3000;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Cc3000;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Virtual;

/// <summary>The CC3000 on the virtual board: its pins, the model on the bus and the firmware's driver.</summary>
public sealed record VirtualCc3000(
    Cc3000Model Model,
    Cc3000Driver Driver,
    VirtualSpiDevice Device,
    VirtualGpioPin ChipSelect,
    VirtualGpioPin Irq,
    VirtualGpioPin WlanEnable) : IDisposable
{
    public void Dispose()
    {
        Driver.Stop();
        Model.Dispose();
    }
}

/// <summary>The CC3000 part on the board, without a driver: what survives a reboot of the firmware.</summary>
public sealed record VirtualCc3000Part(
    Cc3000Model Model,
    VirtualSpiDevice Device,
    VirtualGpioPin ChipSelect,
    VirtualGpioPin Irq,
    VirtualGpioPin WlanEnable)
{
    /// <summary>A firmware driver for this part (one per boot).</summary>
    public Cc3000Driver CreateDriver(IBusArbiter arbiter, IClock clock) => new(Device, Irq, WlanEnable, arbiter, clock);
}

/// <summary>Wires a CC3000 onto a shared SPI bus (the board builder calls this; so do the tests).</summary>
public static class VirtualCc3000Wiring
{
    /// <summary>
    /// Creates the CC3000's pins (CS idle high, IRQ idle high, WLAN_EN low = off) and attaches the
    /// model to <paramref name="bus"/>. The module is off until a driver starts it. The model's host
    /// threads report into <paramref name="faults"/> (a recorder of the model's own when null).
    /// </summary>
    public static VirtualCc3000Part AttachPart(SharedSpiBus bus, BackgroundFaults? faults = null)
    {
        var chipSelect = new VirtualGpioPin(SparkCorePins.Cc3000ChipSelect, "CC3000_CS", PinValue.High);
        var irq = new VirtualGpioPin(SparkCorePins.Cc3000Irq, "CC3000_IRQ", PinValue.High);
        var wlanEnable = new VirtualGpioPin(SparkCorePins.Cc3000Enable, "CC3000_WLAN_EN", PinValue.Low);
        var model = new Cc3000Model(irq, wlanEnable, faults);
        bus.Attach(model, chipSelect);
        var device = new VirtualSpiDevice(bus, SparkCoreBus.Cc3000Settings(), chipSelect);
        return new VirtualCc3000Part(model, device, chipSelect, irq, wlanEnable);
    }

    /// <summary>
    /// Creates the CC3000's pins (CS idle high, IRQ idle high, WLAN_EN low = off), attaches the
    /// model to <paramref name="bus"/> and builds the firmware driver over <paramref name="arbiter"/>.
    /// The module is off until <see cref="Cc3000Driver.Start"/>.
    /// </summary>
    public static VirtualCc3000 Attach(SharedSpiBus bus, IBusArbiter arbiter, IClock clock)
    {
        var part = AttachPart(bus);
        return new VirtualCc3000(part.Model, part.CreateDriver(arbiter, clock), part.Device, part.ChipSelect, part.Irq, part.WlanEnable);
    }
}
