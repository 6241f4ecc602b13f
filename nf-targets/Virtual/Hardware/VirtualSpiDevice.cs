using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// The firmware's handle on one part of the shared bus: <see cref="ISpiDevice"/> over
/// <see cref="SharedSpiBus"/>, with the part's chip-select pin.
/// </summary>
public sealed class VirtualSpiDevice : ISpiDevice
{
    private readonly SharedSpiBus _bus;
    private readonly VirtualGpioPin _chipSelect;
    private readonly byte[] _zeros = new byte[4096];
    private byte[] _discard = new byte[4096];

    public VirtualSpiDevice(SharedSpiBus bus, SpiConnectionSettings settings, VirtualGpioPin chipSelect)
    {
        if (settings.ChipSelectLine != chipSelect.PinNumber) throw new ArgumentException("chip-select pin does not match the settings");
        _bus = bus;
        ConnectionSettings = settings;
        _chipSelect = chipSelect;
        _chipSelect.SetPinMode(PinMode.Output);
    }

    public SpiConnectionSettings ConnectionSettings { get; }

    public void Select() => _chipSelect.Write(PinValue.Low);

    public void Deselect() => _chipSelect.Write(PinValue.High);

    public void TransferFullDuplex(byte[] writeBuffer, int writeOffset, byte[] readBuffer, int readOffset, int count)
    {
        ReadOnlySpan<byte> mosi = writeBuffer.AsSpan(writeOffset, count);
        if (readBuffer != null)
        {
            _bus.Transfer(ConnectionSettings, mosi, readBuffer.AsSpan(readOffset, count));
            return;
        }
        // Reused sink for bytes nobody reads: a steady-state transfer allocates nothing.
        lock (_zeros)
        {
            if (_discard.Length < count) _discard = new byte[count];
            _bus.Transfer(ConnectionSettings, mosi, _discard.AsSpan(0, count));
        }
    }

    public void Write(byte[] buffer, int offset, int count) => TransferFullDuplex(buffer, offset, null!, 0, count);

    public void Read(byte[] buffer, int offset, int count)
    {
        int done = 0;
        while (done < count)
        {
            int n = Math.Min(_zeros.Length, count - done);
            _bus.Transfer(ConnectionSettings, _zeros.AsSpan(0, n), buffer.AsSpan(offset + done, n));
            done += n;
        }
    }
}
