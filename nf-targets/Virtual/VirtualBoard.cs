using CoreFirmware.Drivers.Cc3000;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Virtual;

/// <summary>
/// The virtual Core. The hardware lives as long as the board: the shared SPI bus with the SST25
/// and the CC3000 on it (each behind its chip select, as on the board), D0, the D7 user LED, the RGB
/// LED, Serial1 and the independent watchdog. The firmware's drivers (arbiter, flash driver, CC3000 driver) belong to one
/// boot: <see cref="Reset"/> throws them away and builds new ones over the same parts, as a reset
/// of the MCU does, while the flash keeps its contents.
/// </summary>
public sealed class VirtualBoard : IDisposable
{
    private readonly bool _deleteFlashImage;

    public VirtualBoard(VirtualBoardOptions? options = null)
    {
        Options = options ?? new VirtualBoardOptions();
        FlashImagePath = Options.FlashImagePath ?? Path.Combine(Path.GetTempPath(), $"corefw-flash-{Guid.NewGuid():N}.bin");
        _deleteFlashImage = Options.FlashImagePath == null;

        FlashChipSelect = new VirtualGpioPin(SparkCorePins.FlashChipSelect, "FLASH_CS", PinValue.High);
        FlashModel = new Sst25Model(FlashImagePath, SparkCorePins.FlashChipSelect, Options.FlashTiming, Clock);
        Bus.Attach(FlashModel, FlashChipSelect);
        FlashDevice = new VirtualSpiDevice(Bus, SparkCoreBus.FlashSettings(), FlashChipSelect);

        Cc3000 = VirtualCc3000Wiring.AttachPart(Bus, Faults);
        Serial1 = new VirtualSerialPort(Faults);
        Watchdog = new VirtualWatchdog(Faults);
        Cc3000.Model.SetAccessPoint(Options.AccessPointSsid, Options.AccessPointKey);

        D0.SetPinMode(PinMode.InputPullDown);
        UserLed.SetPinMode(PinMode.Output);
        Serial1.EchoToConsole = Options.EchoSerialToConsole;
        BuildDrivers();
    }

    public VirtualBoardOptions Options { get; }

    public VirtualClock Clock { get; } = new();

    /// <summary>
    /// What the board's host threads (CC3000 model, watchdog countdown, Serial1 echo, the runner's boot
    /// loop) did not expect: reported here instead of ending the process. Empty on a healthy run.
    /// </summary>
    public BackgroundFaults Faults { get; } = new();

    /// <summary>The one SPI bus: counts every violation, across resets.</summary>
    public SharedSpiBus Bus { get; } = new();

    public string FlashImagePath { get; }

    public VirtualGpioPin FlashChipSelect { get; }

    public Sst25Model FlashModel { get; }

    public VirtualSpiDevice FlashDevice { get; }

    /// <summary>The CC3000: model and pins.</summary>
    public VirtualCc3000Part Cc3000 { get; }

    /// <summary>D0: a test or the runner drives it (held high at boot = safe mode).</summary>
    public VirtualGpioPin D0 { get; } = new(SparkCorePins.D0, "D0", PinValue.Low);

    /// <summary>D7 and its small blue LED.</summary>
    public VirtualGpioPin UserLed { get; } = new(SparkCorePins.D7, "D7", PinValue.Low);

    public VirtualRgbLed RgbLed { get; } = new();

    public VirtualSerialPort Serial1 { get; }

    /// <summary>The MCU's internal flash: the application slot the bootloader installs into and the runner loads the app from.</summary>
    public VirtualInternalFlash InternalFlash { get; } = new();

    /// <summary>
    /// The independent watchdog (the STM32's IWDG). It lives across resets; <see cref="Reset"/> stops
    /// its countdown and records the reset cause (<see cref="VirtualWatchdog.LastResetWasWatchdog"/>).
    /// </summary>
    public VirtualWatchdog Watchdog { get; }

    /// <summary>Boots since the board was built (1 after construction).</summary>
    public int Boots { get; private set; }

    /// <summary>This boot's bus arbiter (shared by both drivers; in a negative run, the flash's own).</summary>
    public SpiBusArbiter Arbiter { get; private set; } = null!;

    /// <summary>This boot's flash driver.</summary>
    public Sst25Flash Flash { get; private set; } = null!;

    /// <summary>This boot's CC3000 driver.</summary>
    public Cc3000Driver Cc3000Driver { get; private set; } = null!;

    /// <summary>
    /// Brings the drivers up as the firmware's start-up does: flash checked and unprotected, CC3000
    /// powered, started and joined to the access point. Throws with the reason when a step fails.
    /// </summary>
    public void PowerUp(int timeoutMilliseconds = 10_000)
    {
        Flash.Initialize();
        int r = Cc3000Driver.Start(timeoutMilliseconds);
        if (r < 0) throw new InvalidOperationException($"CC3000 start-up failed: {(CoreFirmware.Drivers.Net.SocketError)r}");
        r = Cc3000Driver.ConnectToAccessPoint(Options.AccessPointSsid, Options.AccessPointKey, timeoutMilliseconds);
        if (r < 0) throw new InvalidOperationException($"CC3000 did not join '{Options.AccessPointSsid}': {(CoreFirmware.Drivers.Net.SocketError)r}");
    }

    /// <summary>
    /// Resets the MCU: this boot's drivers stop (the CC3000 worker ends, WLAN_EN goes low), the
    /// watchdog stops counting and keeps the reset cause, and new drivers are built over the same
    /// parts. Whoever ran firmware threads must have stopped them first.
    /// </summary>
    /// <param name="causedByWatchdog">True for the watchdog's reset: the next boot reads
    /// <see cref="VirtualWatchdog.LastResetWasWatchdog"/> true.</param>
    public void Reset(bool causedByWatchdog = false)
    {
        // A reset after a power cut is the power coming back: the parts answer again.
        InternalFlash.PowerOn();
        if (!FlashModel.IsPowered) FlashModel.PowerOn();
        StopCc3000();
        Watchdog.ResetByBoard(causedByWatchdog);
        BuildDrivers();
    }

    // The MCU's reset: the CoreCLR driver stops the module; without one, the reset releases WLAN_EN
    // (the module's enable goes low, it powers off) and the chip selects idle high.
    private void StopCc3000()
    {
        if (Cc3000Driver != null)
        {
            Cc3000Driver.Stop();
            return;
        }
        Cc3000.WlanEnable.Write(PinValue.Low);
        Cc3000.ChipSelect.Write(PinValue.High);
        FlashChipSelect.Write(PinValue.High);
    }

    private void BuildDrivers()
    {
        if (!Options.HostDrivers)
        {
            Boots++;
            return;
        }
        Arbiter = new SpiBusArbiter(Clock, Options.MaxBusHoldMilliseconds, SpiBusArbiter.DefaultMaxWaiters);
        IBusArbiter networkArbiter = Options.BypassArbiter
            ? new SpiBusArbiter(Clock, Options.MaxBusHoldMilliseconds, SpiBusArbiter.DefaultMaxWaiters)
            : Arbiter;
        Flash = new Sst25Flash(FlashDevice, Arbiter, Clock);
        Cc3000Driver = Cc3000.CreateDriver(networkArbiter, Clock);
        Boots++;
    }

    public void Dispose()
    {
        StopCc3000();
        Watchdog.Dispose();
        Cc3000.Model.Dispose();
        FlashModel.Dispose();
        Serial1.Dispose();
        if (_deleteFlashImage)
        {
            try { File.Delete(FlashImagePath); } catch (IOException) { }
        }
    }
}
