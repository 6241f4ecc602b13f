using CoreFirmware.Drivers.Hal;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Tests.Boot;

/// <summary>
/// An SST25VF016B held in memory, answering the firmware's <c>Sst25Flash</c> driver directly as its
/// SPI device: the instructions the driver uses (JEDEC id, RDSR, EWSR/WRSR, WREN/WRDI, read, high-speed
/// read, byte program, AAI word program, sector/block/chip erase), decoded per chip-select cycle and
/// executed on the rising edge, with the NOR rule (program ANDs, erase sets 0xFF), WEL and the AAI bit,
/// and the power-up block protection the driver must clear. No busy time, no bus, no file and no
/// power cuts: the part for the boot-state model check, which runs the flash stack many thousands of
/// times (<c>Sst25Model</c> on the shared bus is the part for everything else).
/// </summary>
internal sealed class InMemorySst25 : ISpiDevice
{
    public const int Capacity = 0x200000;

    private const byte StWel = 0x02, StBpMask = 0x3C, StAai = 0x40, StBpl = 0x80;

    private readonly byte[] _array = new byte[Capacity];
    private readonly byte[] _cmd = new byte[8];
    private int _cycleBytes;
    private bool _streaming;
    private int _streamAddress;
    private bool _wel;
    private bool _aai;
    private int _aaiAddress;
    private bool _ewsrArmed;
    private byte _protect = 0x1C;

    public InMemorySst25()
    {
        Array.Fill(_array, (byte)0xFF);
    }

    public SpiConnectionSettings ConnectionSettings { get; } = SparkCoreBus.FlashSettings();

    /// <summary>Copies the array at <paramref name="address"/> (no bus).</summary>
    public void Peek(int address, Span<byte> destination) => _array.AsSpan(address, destination.Length).CopyTo(destination);

    /// <summary>Writes the array at <paramref name="address"/> as given (no bus, no NOR rule): a restore.</summary>
    public void Poke(int address, ReadOnlySpan<byte> source) => source.CopyTo(_array.AsSpan(address, source.Length));

    private byte Status => (byte)((_wel ? StWel : 0) | _protect | (_aai ? StAai : 0));

    public void Select()
    {
        _cycleBytes = 0;
        _streaming = false;
    }

    public void Deselect()
    {
        if (_cycleBytes == 0) return;
        _streaming = false;
        byte op = _cmd[0];
        if (op == 0x05) return; // RDSR leaves the EWSR arming alone
        bool armed = _ewsrArmed;
        _ewsrArmed = false;
        Execute(op, armed);
    }

    public void TransferFullDuplex(byte[] writeBuffer, int writeOffset, byte[] readBuffer, int readOffset, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (_streaming)
            {
                int n = count - i;
                if (readBuffer != null) Array.Copy(_array, _streamAddress, readBuffer, readOffset + i, Math.Min(n, Capacity - _streamAddress));
                _streamAddress = (_streamAddress + n) & (Capacity - 1);
                _cycleBytes += n;
                return;
            }

            int pos = _cycleBytes++;
            if (pos < _cmd.Length) _cmd[pos] = writeBuffer[writeOffset + i];
            byte answer = Output(pos);
            if (readBuffer != null) readBuffer[readOffset + i] = answer;
            if (!_aai && ((_cmd[0] == 0x03 && _cycleBytes == 4) || (_cmd[0] == 0x0B && _cycleBytes == 5)))
            {
                _streaming = true;
                _streamAddress = Address();
            }
        }
    }

    public void Write(byte[] buffer, int offset, int count) => TransferFullDuplex(buffer, offset, null!, 0, count);

    public void Read(byte[] buffer, int offset, int count)
    {
        if (_streaming)
        {
            Array.Copy(_array, _streamAddress, buffer, offset, Math.Min(count, Capacity - _streamAddress));
            _streamAddress = (_streamAddress + count) & (Capacity - 1);
            _cycleBytes += count;
            return;
        }

        for (int i = 0; i < count; i++) TransferFullDuplex(new byte[1], 0, buffer, offset + i, 1);
    }

    private byte Output(int pos)
    {
        switch (_cmd[0])
        {
            case 0x05: return pos >= 1 ? Status : (byte)0xFF;
            case 0x9F: return pos switch { 1 => 0xBF, 2 => 0x25, 3 => 0x41, _ => 0xFF };
            default: return 0xFF;
        }
    }

    private int Address() => ((_cmd[1] << 16) | (_cmd[2] << 8) | _cmd[3]) & (Capacity - 1);

    private void Execute(byte op, bool ewsrArmed)
    {
        int count = _cycleBytes;
        if (_aai && op != 0xAD && op != 0x04) return; // in AAI mode only AAI, WRDI and RDSR count
        switch (op)
        {
            case 0x06:
                _wel = true;
                return;
            case 0x04:
                _wel = false;
                _aai = false;
                return;
            case 0x50:
                _ewsrArmed = true;
                return;
            case 0x01:
                if (count == 2 && (ewsrArmed || _wel) && (_protect & StBpl) == 0)
                {
                    _protect = (byte)(_cmd[1] & (StBpMask | StBpl));
                    _wel = false;
                }

                return;
            case 0x20:
            case 0x52:
            case 0xD8:
                if (count != 4 || !Writable()) return;
                int size = op == 0x20 ? 4096 : op == 0x52 ? 32768 : 65536;
                _array.AsSpan(Address() & ~(size - 1), size).Fill(0xFF);
                _wel = false;
                return;
            case 0x60:
            case 0xC7:
                if (count != 1 || !Writable()) return;
                Array.Fill(_array, (byte)0xFF);
                _wel = false;
                return;
            case 0x02:
                if (count != 5 || !Writable()) return;
                _array[Address()] &= _cmd[4];
                _wel = false;
                return;
            case 0xAD:
                if (!_aai)
                {
                    if (count != 6 || !Writable()) return;
                    _aai = true;
                    _aaiAddress = Address() & ~1;
                    ProgramWord(_cmd[4], _cmd[5]);
                }
                else if (count == 3)
                {
                    ProgramWord(_cmd[1], _cmd[2]);
                }

                return;
        }
    }

    private bool Writable() => _wel && (_protect & StBpMask) == 0;

    private void ProgramWord(byte d0, byte d1)
    {
        if (_aaiAddress >= Capacity - 1) return;
        _array[_aaiAddress] &= d0;
        _array[_aaiAddress + 1] &= d1;
        _aaiAddress += 2;
    }
}
