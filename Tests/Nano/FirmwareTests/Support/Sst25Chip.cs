using System;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Sst25;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// An SST25VF016B at its SPI interface, for unit tests on nanoCLR and CoreCLR (no generics): the
    /// instruction set the driver uses (JEDEC id, RDSR, WREN/WRDI, EWSR/WRSR, READ/high-speed read,
    /// byte program, AAI word program, 4 KB/32 KB/64 KB/chip erase) with the NOR rule (a program
    /// can only clear bits), the write-enable latch, AAI mode and block protection set at power-up.
    /// </summary>
    /// <remarks>
    /// <para>Writes take effect when chip select goes high and never leave the part busy (the tests
    /// here are about what is written, not when; <see cref="StuckBusy"/> makes it busy for ever).
    /// Any block-protect bit protects the whole part (the power-up value protects everything).</para>
    /// <para>Power cuts: every program step (one byte, one AAI word) and every erase is one operation,
    /// counted by <see cref="OperationCount"/>. <see cref="CutPowerAtOperation"/> tears operation k:
    /// the first <c>fraction</c> of its bytes take the new value, the rest keep the old; then the part
    /// is off and every SPI call but a deselect throws <see cref="PowerLostException"/> until
    /// <see cref="PowerOn"/>. The array survives (it is flash); the status register does not.</para>
    /// <para>Memory: 4 KB sectors allocated on first program; an erased sector is no array.</para>
    /// </remarks>
    public sealed class Sst25Chip : ISpiDevice
    {
        /// <summary>Status after power-up: BP0..BP2 set (the whole part protected).</summary>
        public const byte PowerUpStatus = 0x1C;

        private const int SectorCount = Sst25Flash.Capacity / Sst25Flash.SectorSize;
        private const int MaxCommand = 6;

        private static readonly byte[] ErasedSector = NewErasedSector();

        private readonly object _sync = new object();
        private readonly byte[][] _sectors = new byte[SectorCount][];
        private readonly byte[] _command = new byte[MaxCommand];
        private readonly SpiConnectionSettings _settings = new SpiConnectionSettings(1, 0);
        private int _commandLength;
        private int _readPosition;
        private bool _selected;
        private byte _status = PowerUpStatus;
        private bool _statusWriteEnabled;
        private bool _aai;
        private int _aaiAddress;
        private bool _powered = true;
        private bool _present = true;
        private bool _stuckBusy;
        private long _operations;
        private long _cutAt = -1;
        private int _cutPercent;
        private int _programs;
        private int _erases;
        private int _ignoredWrites;
        private int _powerCuts;
        private int _transactions;

        /// <summary>False: nothing answers on the bus (MISO idles high, every read gives 0xFF).</summary>
        public bool Present
        {
            get { return _present; }
            set { _present = value; }
        }

        /// <summary>True: the status register says BUSY for ever (a hung part).</summary>
        public bool StuckBusy
        {
            get { return _stuckBusy; }
            set { _stuckBusy = value; }
        }

        /// <summary>Program steps and erases so far (the operations a power cut can tear).</summary>
        public long OperationCount
        {
            get { lock (_sync) { return _operations; } }
        }

        /// <summary>Program steps (bytes or AAI words) executed.</summary>
        public int Programs
        {
            get { lock (_sync) { return _programs; } }
        }

        /// <summary>Erases (any size) executed.</summary>
        public int Erases
        {
            get { lock (_sync) { return _erases; } }
        }

        /// <summary>Program or erase instructions ignored (no write-enable, protection, AAI mode).</summary>
        public int IgnoredWrites
        {
            get { lock (_sync) { return _ignoredWrites; } }
        }

        /// <summary>Power cuts that happened.</summary>
        public int PowerCuts
        {
            get { lock (_sync) { return _powerCuts; } }
        }

        /// <summary>Chip-select cycles seen.</summary>
        public int Transactions
        {
            get { lock (_sync) { return _transactions; } }
        }

        /// <summary>True while chip select is low.</summary>
        public bool IsSelected
        {
            get { lock (_sync) { return _selected; } }
        }

        /// <summary>True between a power cut and <see cref="PowerOn"/>.</summary>
        public bool IsOff
        {
            get { lock (_sync) { return !_powered; } }
        }

        /// <inheritdoc />
        public SpiConnectionSettings ConnectionSettings
        {
            get { return _settings; }
        }

        /// <summary>
        /// Arms a power cut during operation <paramref name="operation"/> (as <see cref="OperationCount"/>
        /// counts): <paramref name="percentDone"/> percent of its bytes are written, then the power is off.
        /// </summary>
        public void CutPowerAtOperation(long operation, int percentDone)
        {
            lock (_sync)
            {
                _cutAt = operation;
                _cutPercent = percentDone;
            }
        }

        /// <summary>Powers the part up again: volatile state reset (status = <see cref="PowerUpStatus"/>), the array kept.</summary>
        public void PowerOn()
        {
            lock (_sync)
            {
                _powered = true;
                _selected = false;
                _status = PowerUpStatus;
                _statusWriteEnabled = false;
                _aai = false;
                _cutAt = -1;
            }
        }

        /// <summary>Copies the array's bytes at <paramref name="address"/> (test access, no SPI).</summary>
        public void Peek(int address, byte[] buffer, int offset, int count)
        {
            lock (_sync)
            {
                CopyOut(address, buffer, offset, count);
            }
        }

        /// <summary>Writes bytes straight into the array (test set-up or damage, no NOR rule, no SPI).</summary>
        public void Poke(int address, byte[] data, int offset, int count)
        {
            lock (_sync)
            {
                for (int i = 0; i < count; i++) Set(address + i, data[offset + i]);
            }
        }

        /// <inheritdoc />
        public void Select()
        {
            lock (_sync)
            {
                CheckPower();
                _selected = true;
                _commandLength = 0;
                _readPosition = 0;
                _transactions++;
            }
        }

        /// <inheritdoc />
        public void Deselect()
        {
            lock (_sync)
            {
                if (!_selected) return;
                _selected = false;
                if (!_powered || !_present || _commandLength == 0) return;
                Execute();
            }
        }

        /// <inheritdoc />
        public void Write(byte[] buffer, int offset, int count)
        {
            lock (_sync)
            {
                CheckPower();
                CheckSelected();
                for (int i = 0; i < count; i++) Take(buffer[offset + i]);
            }
        }

        /// <inheritdoc />
        public void Read(byte[] buffer, int offset, int count)
        {
            lock (_sync)
            {
                CheckPower();
                CheckSelected();
                if (_present && !_aai && _commandLength > 0)
                {
                    // The data phase of READ / high-speed READ in one copy: what Respond gives byte by
                    // byte, without its per-byte cost (nanoCLR interprets every instruction).
                    byte op = _command[0];
                    int header = op == Sst25Command.Read ? 4 : op == Sst25Command.HighSpeedRead ? 5 : -1;
                    if (header > 0 && _commandLength >= header)
                    {
                        CopyOut(Address() + _readPosition, buffer, offset, count);
                        _readPosition += count;
                        return;
                    }
                }

                for (int i = 0; i < count; i++) buffer[offset + i] = Respond();
            }
        }

        /// <inheritdoc />
        public void TransferFullDuplex(byte[] writeBuffer, int writeOffset, byte[] readBuffer, int readOffset, int count)
        {
            lock (_sync)
            {
                CheckPower();
                CheckSelected();
                for (int i = 0; i < count; i++)
                {
                    byte answer = Respond();
                    Take(writeBuffer[writeOffset + i]);
                    readBuffer[readOffset + i] = answer;
                }
            }
        }

        // ---- the part -----------------------------------------------------------------------------

        private void Take(byte b)
        {
            if (_commandLength < MaxCommand) _command[_commandLength] = b;
            _commandLength++;
        }

        // The byte the part drives on MISO at this point of the cycle.
        private byte Respond()
        {
            if (!_present || _commandLength == 0) return 0xFF;
            byte op = _command[0];
            if (op == Sst25Command.JedecId)
            {
                int n = _commandLength;
                return n == 1 ? (byte)0xBF : n == 2 ? (byte)0x25 : n == 3 ? (byte)0x41 : (byte)0xFF;
            }

            if (op == Sst25Command.ReadStatus)
            {
                return Status();
            }

            int header = op == Sst25Command.Read ? 4 : op == Sst25Command.HighSpeedRead ? 5 : -1;
            if (header < 0 || _commandLength < header || _aai) return 0xFF;
            int address = (_command[1] << 16) | (_command[2] << 8) | _command[3];
            byte value = Get((address + _readPosition) % Sst25Flash.Capacity);
            _readPosition++;
            return value;
        }

        private byte Status()
        {
            byte s = _status;
            if (_aai) s |= Sst25Status.AutoAddressIncrement;
            if (_stuckBusy) s |= Sst25Status.Busy;
            return s;
        }

        private void Execute()
        {
            byte op = _command[0];
            bool statusWriteArmed = _statusWriteEnabled;
            _statusWriteEnabled = false;
            if (_aai && op != Sst25Command.AaiWordProgram && op != Sst25Command.WriteDisable && op != Sst25Command.ReadStatus)
            {
                return; // AAI mode: everything else is ignored
            }

            switch (op)
            {
                case Sst25Command.WriteEnable:
                    _status |= Sst25Status.WriteEnableLatch;
                    break;
                case Sst25Command.WriteDisable:
                    _status = (byte)(_status & ~Sst25Status.WriteEnableLatch);
                    _aai = false;
                    break;
                case Sst25Command.EnableWriteStatus:
                    _statusWriteEnabled = true;
                    break;
                case Sst25Command.WriteStatus:
                    if (_commandLength >= 2 && (statusWriteArmed || (_status & Sst25Status.WriteEnableLatch) != 0))
                    {
                        _status = (byte)((_command[1] & (Sst25Status.BlockProtectMask | Sst25Status.BlockProtectionLock)));
                    }

                    break;
                case Sst25Command.ByteProgram:
                    if (_commandLength == 5 && WritesAllowed())
                    {
                        ProgramBytes(Address(), _command, 4, 1);
                        _status = (byte)(_status & ~Sst25Status.WriteEnableLatch);
                    }

                    break;
                case Sst25Command.AaiWordProgram:
                    Aai();
                    break;
                case Sst25Command.SectorErase4K:
                    Erase(Sst25Flash.SectorSize);
                    break;
                case Sst25Command.BlockErase32K:
                    Erase(Sst25Flash.Block32Size);
                    break;
                case Sst25Command.BlockErase64K:
                    Erase(Sst25Flash.Block64Size);
                    break;
                case Sst25Command.ChipErase:
                case 0xC7:
                    if (_commandLength == 1 && WritesAllowed())
                    {
                        EraseRange(0, Sst25Flash.Capacity);
                        _status = (byte)(_status & ~Sst25Status.WriteEnableLatch);
                    }

                    break;
            }
        }

        private void Aai()
        {
            if (!_aai)
            {
                if (_commandLength != 6 || !WritesAllowed()) return;
                _aaiAddress = Address() & ~1;
                _aai = true;
                ProgramBytes(_aaiAddress, _command, 4, 2);
            }
            else
            {
                if (_commandLength != 3) return;
                ProgramBytes(_aaiAddress, _command, 1, 2);
            }

            _aaiAddress = (_aaiAddress + 2) % Sst25Flash.Capacity;
        }

        private void Erase(int size)
        {
            if (_commandLength != 4 || !WritesAllowed()) return;
            EraseRange(Address() / size * size, size);
            _status = (byte)(_status & ~Sst25Status.WriteEnableLatch);
        }

        private bool WritesAllowed()
        {
            if ((_status & Sst25Status.WriteEnableLatch) == 0 || (_status & Sst25Status.BlockProtectMask) != 0)
            {
                _ignoredWrites++;
                return false;
            }

            return true;
        }

        private int Address()
        {
            return (_command[1] << 16) | (_command[2] << 8) | _command[3];
        }

        // One program operation: NOR AND of old and new bytes (a cut may tear it).
        private void ProgramBytes(int address, byte[] data, int offset, int count)
        {
            _programs++;
            int done = Operation(count);
            for (int i = 0; i < done; i++) Set(address + i, (byte)(Get(address + i) & data[offset + i]));
            AfterOperation();
        }

        private void EraseRange(int address, int size)
        {
            _erases++;
            int done = Operation(size);
            for (int i = 0; i < done; i += Sst25Flash.SectorSize)
            {
                int n = done - i < Sst25Flash.SectorSize ? done - i : Sst25Flash.SectorSize;
                EraseBytes(address + i, n);
            }

            AfterOperation();
        }

        // How many of the operation's bytes take effect: all, unless the power is cut in this one.
        private int Operation(int bytes)
        {
            long index = _operations++;
            if (index != _cutAt) return bytes;
            _cutAt = -1;
            _powered = false;
            _powerCuts++;
            return bytes * _cutPercent / 100;
        }

        private void AfterOperation()
        {
            if (!_powered) throw new PowerLostException("SST25 power cut during operation " + (_operations - 1).ToString());
        }

        private void EraseBytes(int address, int count)
        {
            int sector = address / Sst25Flash.SectorSize;
            if (_sectors[sector] == null) return;
            if (count == Sst25Flash.SectorSize)
            {
                _sectors[sector] = null;
                return;
            }

            for (int i = 0; i < count; i++) Set(address + i, 0xFF);
        }

        // The array from address on (wrapping at the end, as the part's address counter does), a sector at a time.
        private void CopyOut(int address, byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                address %= Sst25Flash.Capacity;
                int at = address % Sst25Flash.SectorSize;
                int n = Sst25Flash.SectorSize - at < count ? Sst25Flash.SectorSize - at : count;
                byte[] s = _sectors[address / Sst25Flash.SectorSize];
                Array.Copy(s == null ? ErasedSector : s, at, buffer, offset, n);
                address += n;
                offset += n;
                count -= n;
            }
        }

        private byte Get(int address)
        {
            byte[] s = _sectors[address / Sst25Flash.SectorSize];
            return s == null ? (byte)0xFF : s[address % Sst25Flash.SectorSize];
        }

        private void Set(int address, byte value)
        {
            int sector = address / Sst25Flash.SectorSize;
            byte[] s = _sectors[sector];
            if (s == null)
            {
                if (value == 0xFF) return;
                s = new byte[Sst25Flash.SectorSize];
                for (int i = 0; i < s.Length; i++) s[i] = 0xFF;
                _sectors[sector] = s;
            }

            s[address % Sst25Flash.SectorSize] = value;
        }

        private static byte[] NewErasedSector()
        {
            byte[] b = new byte[Sst25Flash.SectorSize];
            for (int i = 0; i < b.Length; i++) b[i] = 0xFF;
            return b;
        }

        private void CheckPower()
        {
            if (!_powered) throw new PowerLostException("SST25 accessed without power");
        }

        private void CheckSelected()
        {
            if (!_selected) throw new InvalidOperationException("SPI transfer to the SST25 without chip select");
        }
    }
}
