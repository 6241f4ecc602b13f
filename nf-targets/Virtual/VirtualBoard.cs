using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Virtual;

/// <summary>
/// The virtual Core: the shared SPI bus with the SST25 and the CC3000 on it (each behind its chip
/// select, as on the board), the arbiter, D0, the D7 user LED, the RGB LED and Serial1, plus the
/// firmware drivers built over them. Powering up the board does what the firmware's start-up does
/// for the drivers: flash initialised (JEDEC id, protection cleared), CC3000 started and joined
/// to the access point.
/// </summary>
public sealed class VirtualBoard : IDisposable
{
    private readonly bool _deleteFlashImage;

    public VirtualBoard(VirtualBoardOptions? options = null)
    {
        Options = options ?? new VirtualBoardOptions();
        FlashImagePath = Options.FlashImagePath ?? Path.Combine(Path.GetTempPath(), $"corefw-flash-{Guid.NewGuid():N}.bin");
        _deleteFlashImage = Options.FlashImagePath == null;

        Arbiter = new SpiBusArbiter(Clock, Options.MaxBusHoldMilliseconds, SpiBusArbiter.DefaultMaxWaiters);
        IBusArbiter flashArbiter = Arbiter;
        IBusArbiter networkArbiter = Options.BypassArbiter
            ? new SpiBusArbiter(Clock, Options.MaxBusHoldMilliseconds, SpiBusArbiter.DefaultMaxWaiters)
            : Arbiter;

        FlashChipSelect = new VirtualGpioPin(SparkCorePins.FlashChipSelect, "FLASH_CS", PinValue.High);
        FlashModel = new Sst25Model(FlashImagePath, SparkCorePins.FlashChipSelect, Options.FlashTiming, Clock);
        Bus.Attach(FlashModel, FlashChipSelect);
        Flash = new Sst25Flash(new VirtualSpiDevice(Bus, SparkCoreBus.FlashSettings(), FlashChipSelect), flashArbiter, Clock);

        Cc3000 = VirtualCc3000Wiring.Attach(Bus, networkArbiter, Clock);
        Cc3000.Model.SetAccessPoint(Options.AccessPointSsid, Options.AccessPointKey);

        D0.SetPinMode(PinMode.InputPullDown);
        UserLed.SetPinMode(PinMode.Output);
        Serial1.EchoToConsole = Options.EchoSerialToConsole;
    }

    public VirtualBoardOptions Options { get; }

    public VirtualClock Clock { get; } = new();

    /// <summary>The one SPI bus: counts every violation.</summary>
    public SharedSpiBus Bus { get; } = new();

    /// <summary>The bus arbiter both drivers share (in a negative run, only the flash's own).</summary>
    public SpiBusArbiter Arbiter { get; }

    public string FlashImagePath { get; }

    public VirtualGpioPin FlashChipSelect { get; }

    public Sst25Model FlashModel { get; }

    /// <summary>The firmware's flash driver.</summary>
    public Sst25Flash Flash { get; }

    /// <summary>The CC3000: model, pins and the firmware's driver.</summary>
    public VirtualCc3000 Cc3000 { get; }

    /// <summary>D0: a test or the runner drives it (held high at boot = safe mode).</summary>
    public VirtualGpioPin D0 { get; } = new(SparkCorePins.D0, "D0", PinValue.Low);

    /// <summary>D7 and its small blue LED.</summary>
    public VirtualGpioPin UserLed { get; } = new(SparkCorePins.D7, "D7", PinValue.Low);

    public VirtualRgbLed RgbLed { get; } = new();

    public VirtualSerialPort Serial1 { get; } = new();

    /// <summary>
    /// Brings the drivers up as the firmware's start-up does: flash checked and unprotected, CC3000
    /// powered, started and joined to the access point. Throws with the reason when a step fails.
    /// </summary>
    public void PowerUp(int timeoutMilliseconds = 10_000)
    {
        Flash.Initialize();
        int r = Cc3000.Driver.Start(timeoutMilliseconds);
        if (r < 0) throw new InvalidOperationException($"CC3000 start-up failed: {(CoreFirmware.Drivers.Net.SocketError)r}");
        r = Cc3000.Driver.ConnectToAccessPoint(Options.AccessPointSsid, Options.AccessPointKey, timeoutMilliseconds);
        if (r < 0) throw new InvalidOperationException($"CC3000 did not join '{Options.AccessPointSsid}': {(CoreFirmware.Drivers.Net.SocketError)r}");
    }

    public void Dispose()
    {
        Cc3000.Dispose();
        FlashModel.Dispose();
        Serial1.Dispose();
        if (_deleteFlashImage)
        {
            try { File.Delete(FlashImagePath); } catch (IOException) { }
        }
    }
}
