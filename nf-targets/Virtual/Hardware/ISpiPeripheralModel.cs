using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// A part on the virtual SPI bus, seen from its pins: it is told when its chip select goes low
/// and high, and exchanges bytes while selected. With two parts selected at once both see every
/// MOSI byte, as on the real wires.
/// </summary>
public interface ISpiPeripheralModel
{
    /// <summary>Name used in violation reports ("SST25VF016B", "CC3000").</summary>
    string PartName { get; }

    /// <summary>The GPIO pin number of the part's chip select.</summary>
    int ChipSelectPin { get; }

    /// <summary>The SPI mode the part samples in; bytes clocked in another mode arrive garbled.</summary>
    SpiMode Mode { get; }

    /// <summary>Chip select went low: a new transaction starts.</summary>
    void OnSelect();

    /// <summary>Chip select went high: the transaction ends.</summary>
    void OnDeselect();

    /// <summary>
    /// Clocks mosi.Length bytes: the part receives <paramref name="mosi"/> and puts its
    /// answer in <paramref name="miso"/> (what it drives on MISO for each byte).
    /// </summary>
    void Exchange(ReadOnlySpan<byte> mosi, Span<byte> miso);
}
