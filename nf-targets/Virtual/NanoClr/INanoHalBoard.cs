using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.NanoClr;

/// <summary>
/// The board as nanoCLR's HAL bridge sees it: what each native method of CoreFirmware.VirtualNanoClr
/// asks of the hardware. <see cref="NanoClrHost"/> calls it on the interpreter thread; whatever it
/// throws becomes a managed exception in the firmware (see <see cref="NanoHalFailure"/>).
/// </summary>
public interface INanoHalBoard
{
    /// <summary>A handle for the SPI device on <paramref name="busId"/> selected by pin <paramref name="chipSelectPin"/>.</summary>
    int SpiOpen(int busId, int chipSelectPin, SpiMode mode, int clockHz);

    /// <summary>Drives the device's chip select low (selected) or high.</summary>
    void SpiSelect(int handle, bool selected);

    /// <summary>Clocks <paramref name="mosi"/> out and stores what came back in <paramref name="miso"/> (same length).</summary>
    void SpiTransfer(int handle, ReadOnlySpan<byte> mosi, Span<byte> miso);

    void GpioSetMode(int pin, PinMode mode);

    PinValue GpioRead(int pin);

    void GpioWrite(int pin, PinValue value);

    /// <summary>Starts (a sink) or stops (null) reporting the pin's edges; the sink takes (pin, rising) from any thread.</summary>
    void GpioWatch(int pin, Action<int, bool>? edges);

    /// <summary>100-ns ticks since power-up.</summary>
    long ClockTicks();

    int InternalFlashSize { get; }

    int InternalFlashPageSize { get; }

    void InternalFlashRead(int address, Span<byte> destination);

    void InternalFlashErase(int address);

    void InternalFlashProgram(int address, ReadOnlySpan<byte> data);

    IWatchdog Watchdog { get; }

    void SerialWrite(int port, ReadOnlySpan<byte> data);

    void LedSet(byte red, byte green, byte blue);

    /// <summary>
    /// A NativeCrypto operation (CoreFirmware.VirtualNanoClr.NativeCrypto: 0 RSA encrypt, 1 RSA decrypt,
    /// 2 RSA raw sign, 3 RSA raw verify, 4/5 AES-128-CBC encrypt/decrypt, 6 HMAC-SHA1) on its ranges
    /// (empty when unused): the result the ICrypto method returns (a length, 1/0, or a CryptoStatus code).
    /// </summary>
    int Crypto(int operation, Span<byte> a, Span<byte> b, Span<byte> c, Span<byte> d);

    /// <summary>A numeric setting of the board's configuration (CoreFirmware.VirtualNanoClr.NanoBoardSettings ids).</summary>
    int Setting(int id);

    /// <summary>A text setting (ASCII).</summary>
    string SettingText(int id);

    /// <summary>The firmware reset the MCU with <paramref name="reason"/> (the host ends this run).</summary>
    void Reset(string reason);
}
