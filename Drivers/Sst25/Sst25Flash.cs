using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Flash;

namespace CoreFirmware.Drivers.Sst25
{
    /// <summary>
    /// Driver of the SST25VF016B 2 MB SPI NOR flash on the shared SPI bus.
    /// </summary>
    /// <remarks>
    /// <para>Every flash operation (a read chunk, one erase, one program chunk: write-enable +
    /// program + busy poll) is ONE transaction on the bus arbiter at <see cref="BusPriority.Flash"/>:
    /// the bus is acquired, the chip select toggled per instruction, and the bus released in a
    /// finally block whatever happens. Every busy poll inside a transaction is bounded by the
    /// datasheet maximum of the operation (plus a clock margin) and by what is left of the
    /// arbiter's hold bound, whichever is shorter; a part that stays busy gives an
    /// <see cref="Sst25TimeoutException"/>, never a hang.</para>
    /// <para>NOR rules: programming can only clear bits (1 to 0). The driver never erases
    /// implicitly: <see cref="Program"/> over data that is not erased stores the AND of old and new
    /// bytes. Erase first (<see cref="EraseRange"/>), then program, then <see cref="Verify"/>.</para>
    /// <para>Read, Program, Erase and Verify allocate nothing: command and scratch buffers are
    /// created in the constructor. Calls are serialised by an internal lock; the buffers are only
    /// touched while it is held.</para>
    /// </remarks>
    public sealed class Sst25Flash : IFlashReader
    {
        /// <summary>Capacity of the SST25VF016B: 16 Mbit.</summary>
        public const int Capacity = 0x200000;

        /// <summary>Smallest erase unit.</summary>
        public const int SectorSize = 4096;

        /// <summary>Size of the 32 KB block erased by 0x52.</summary>
        public const int Block32Size = 32768;

        /// <summary>Size of the 64 KB block erased by 0xD8.</summary>
        public const int Block64Size = 65536;

        /// <summary>JEDEC id of the part: manufacturer 0xBF (SST), type 0x25, capacity 0x41.</summary>
        public const int ExpectedJedecId = 0xBF2541;

        /// <summary>
        /// Bytes programmed per bus transaction, chunks aligned to this size. 256 bytes are 128 AAI
        /// word steps: on the wire each step is at most 10 us of programming plus about 6 bytes of
        /// SPI (~2.5 us at 21 MHz), so ~1.6 ms; even with a pessimistic 100 us of interpreter
        /// overhead per SPI call (two calls per step) it stays near 26 ms, a quarter of the
        /// 100 ms hold bound, and CC3000 frames get the bus between chunks. It also equals the
        /// cloud's default OTA chunk (256), so one received chunk is one flash transaction.
        /// </summary>
        public const int ProgramChunkSize = 256;

        /// <summary>
        /// Bytes read per bus transaction: one sector, ~1.6 ms of clocking at 21 MHz, so a large
        /// read never keeps the CC3000 off the bus for long.
        /// </summary>
        public const int ReadChunkSize = 4096;

        /// <summary>
        /// Default wait for the bus: flash outranks every other requester, so it waits for at most
        /// the current holder (100 ms hold bound) and queued flash requests; 500 ms leaves room for several.
        /// </summary>
        public const int DefaultBusTimeoutMilliseconds = 500;

        /// <summary>
        /// The longest the driver holds the bus in one transaction: a chip erase's datasheet
        /// maximum plus the clock margin. The arbiter's hold bound must be at least this.
        /// </summary>
        public const int LongestTransactionMilliseconds = Sst25Timing.ChipEraseMaxMilliseconds + Sst25Timing.ClockMarginMilliseconds;

        // Longest instruction sent from _tx: AAI's first cycle, opcode + 3 address + 2 data bytes.
        private const int CommandBufferLength = 6;

        // Verify/IsErased read into a fixed scratch buffer of this size (kept small for the MCU's RAM).
        private const int VerifyChunkSize = 256;

        // Busy-poll bounds: datasheet maximum + clock margin, in 100 ns ticks.
        private const long ProgramLimitTicks = Sst25Timing.ProgramMaxMicroseconds * 10L
            + Sst25Timing.ClockMarginMilliseconds * TimeSpan.TicksPerMillisecond;
        private const long SectorEraseLimitTicks = (Sst25Timing.SectorEraseMaxMilliseconds + Sst25Timing.ClockMarginMilliseconds) * TimeSpan.TicksPerMillisecond;
        private const long BlockEraseLimitTicks = (Sst25Timing.BlockEraseMaxMilliseconds + Sst25Timing.ClockMarginMilliseconds) * TimeSpan.TicksPerMillisecond;
        private const long ChipEraseLimitTicks = (Sst25Timing.ChipEraseMaxMilliseconds + Sst25Timing.ClockMarginMilliseconds) * TimeSpan.TicksPerMillisecond;

        // Erases take milliseconds: sleep between polls rather than spin on the bus.
        private const int ErasePollSleepMilliseconds = 1;

        private readonly object _sync = new object();
        private readonly ISpiDevice _spi;
        private readonly IBusArbiter _arbiter;
        private readonly IClock _clock;
        private readonly byte[] _tx = new byte[CommandBufferLength];
        private readonly byte[] _rx = new byte[CommandBufferLength];
        private readonly byte[] _scratch = new byte[VerifyChunkSize];
        private bool _initialized;
        private int _busTimeoutMs = DefaultBusTimeoutMilliseconds;
        private bool _useHighSpeedRead;
        private bool _useAai = true;

        /// <summary>Creates the driver; nothing is sent until <see cref="Initialize"/>.</summary>
        /// <param name="spi">The flash's device on the shared bus (mode 0).</param>
        /// <param name="arbiter">The shared bus's arbiter.</param>
        /// <param name="clock">Time source for busy-poll bounds.</param>
        public Sst25Flash(ISpiDevice spi, IBusArbiter arbiter, IClock clock)
        {
            if (spi == null) throw new ArgumentNullException("spi");
            if (arbiter == null) throw new ArgumentNullException("arbiter");
            if (clock == null) throw new ArgumentNullException("clock");
            if (arbiter.MaxHoldMilliseconds < LongestTransactionMilliseconds)
            {
                throw new ArgumentException("the SPI bus hold bound (" + arbiter.MaxHoldMilliseconds.ToString()
                    + " ms) is shorter than the flash's longest transaction (" + LongestTransactionMilliseconds.ToString()
                    + " ms, a chip erase)", "arbiter");
            }
            _spi = spi;
            _arbiter = arbiter;
            _clock = clock;
        }

        /// <summary>How long each operation waits for the bus before <see cref="SpiBusTimeoutException"/>.</summary>
        public int BusTimeoutMilliseconds
        {
            get { return _busTimeoutMs; }
            set
            {
                if (value < 0) throw new ArgumentOutOfRangeException("value", "every wait needs a finite, non-negative timeout");
                _busTimeoutMs = value;
            }
        }

        /// <summary>Reads with the high-speed instruction (0x0B, one dummy byte) instead of READ (0x03).
        /// READ is good to 25 MHz, which covers the board's 21 MHz clock; high-speed read is needed above.</summary>
        public bool UseHighSpeedRead
        {
            get { return _useHighSpeedRead; }
            set { _useHighSpeedRead = value; }
        }

        /// <summary>Programs with AAI word steps (default; odd first/last bytes use byte program).
        /// When false every byte is a separate byte program (0x02).</summary>
        public bool UseAutoAddressIncrement
        {
            get { return _useAai; }
            set { _useAai = value; }
        }

        /// <summary>True once <see cref="Initialize"/> succeeded.</summary>
        public bool IsInitialized
        {
            get { return _initialized; }
        }

        /// <summary>
        /// Checks the JEDEC id (BF 25 41) and clears the block-protect bits the part sets at power-up
        /// (EWSR, WRSR 0, then RDSR to verify). Must succeed before any other operation.
        /// </summary>
        /// <exception cref="Sst25Exception">Wrong id (no part, another part) or protection that would not clear.</exception>
        public void Initialize()
        {
            lock (_sync)
            {
                bool held = false;
                try
                {
                    _arbiter.Acquire(BusPriority.Flash, _busTimeoutMs);
                    held = true;
                    int id = ReadJedecIdLocked();
                    if (id != ExpectedJedecId)
                    {
                        throw new Sst25Exception("SST25VF016B not found: JEDEC id 0x" + id.ToString("X6")
                            + ", expected 0x" + ExpectedJedecId.ToString("X6"), -1);
                    }
                    EnsureReadyLocked(0);
                    SendOpcodeLocked(Sst25Command.EnableWriteStatus);
                    _tx[0] = Sst25Command.WriteStatus;
                    _tx[1] = 0;
                    _spi.Select();
                    _spi.Write(_tx, 0, 2);
                    _spi.Deselect();
                    byte status = PollUntilReadyLocked(ProgramLimitTicks, 0, "status register write", 0);
                    if ((status & (Sst25Status.BlockProtectMask | Sst25Status.BlockProtectionLock)) != 0)
                    {
                        throw new Sst25Exception("SST25 block protection did not clear (status 0x" + status.ToString("X2")
                            + "; BPL set with WP# low?)", status);
                    }
                }
                finally
                {
                    if (held) EndTransaction();
                }
                _initialized = true;
            }
        }

        /// <summary>Reads the 24-bit JEDEC id (manufacturer, type, capacity). Needs no <see cref="Initialize"/>.</summary>
        public int ReadJedecId()
        {
            lock (_sync)
            {
                bool held = false;
                try
                {
                    _arbiter.Acquire(BusPriority.Flash, _busTimeoutMs);
                    held = true;
                    return ReadJedecIdLocked();
                }
                finally
                {
                    if (held) EndTransaction();
                }
            }
        }

        /// <summary>Reads the status register (see <see cref="Sst25Status"/>). Needs no <see cref="Initialize"/>.</summary>
        public byte ReadStatus()
        {
            lock (_sync)
            {
                bool held = false;
                try
                {
                    _arbiter.Acquire(BusPriority.Flash, _busTimeoutMs);
                    held = true;
                    return ReadStatusLocked();
                }
                finally
                {
                    if (held) EndTransaction();
                }
            }
        }

        /// <summary>
        /// Reads <paramref name="count"/> bytes at flash <paramref name="address"/> into
        /// buffer[offset..], in transactions of at most <see cref="ReadChunkSize"/> bytes.
        /// </summary>
        public void Read(int address, byte[] buffer, int offset, int count)
        {
            CheckBuffer(buffer, offset, count);
            CheckRange(address, count);
            lock (_sync)
            {
                CheckInitialized();
                while (count > 0)
                {
                    int n = count < ReadChunkSize ? count : ReadChunkSize;
                    bool held = false;
                    try
                    {
                        _arbiter.Acquire(BusPriority.Flash, _busTimeoutMs);
                        held = true;
                        EnsureReadyLocked(address);
                        ReadLocked(address, buffer, offset, n);
                    }
                    finally
                    {
                        if (held) EndTransaction();
                    }
                    address += n;
                    offset += n;
                    count -= n;
                }
            }
        }

        /// <summary>
        /// Programs data[offset..offset+count) at flash <paramref name="address"/>. NOR rule: each
        /// stored byte becomes (old AND new); the driver does not erase first. Work is split into
        /// transactions of at most <see cref="ProgramChunkSize"/> bytes aligned to that size. With
        /// AAI (default) an odd first byte and an odd last byte use byte program.
        /// </summary>
        /// <exception cref="Sst25TimeoutException">A program step did not finish in time.</exception>
        /// <exception cref="Sst25Exception">The part refused the write (write-enable latch, protection).</exception>
        public void Program(int address, byte[] data, int offset, int count)
        {
            CheckBuffer(data, offset, count);
            CheckRange(address, count);
            lock (_sync)
            {
                CheckInitialized();
                int end = address + count;
                while (address < end)
                {
                    int chunkEnd = (address / ProgramChunkSize + 1) * ProgramChunkSize;
                    if (chunkEnd > end) chunkEnd = end;
                    int n = chunkEnd - address;
                    bool held = false;
                    try
                    {
                        _arbiter.Acquire(BusPriority.Flash, _busTimeoutMs);
                        held = true;
                        EnsureReadyLocked(address);
                        ProgramChunkLocked(address, data, offset, n);
                    }
                    finally
                    {
                        if (held) EndTransaction();
                    }
                    address = chunkEnd;
                    offset += n;
                }
            }
        }

        /// <summary>Erases the 4 KB sector at <paramref name="address"/> (must be sector-aligned) to 0xFF.</summary>
        public void EraseSector(int address)
        {
            EraseUnit(Sst25Command.SectorErase4K, address, SectorSize, SectorEraseLimitTicks, "sector erase");
        }

        /// <summary>Erases the 32 KB block at <paramref name="address"/> (must be 32 KB-aligned) to 0xFF.</summary>
        public void EraseBlock32(int address)
        {
            EraseUnit(Sst25Command.BlockErase32K, address, Block32Size, BlockEraseLimitTicks, "32 KB block erase");
        }

        /// <summary>Erases the 64 KB block at <paramref name="address"/> (must be 64 KB-aligned) to 0xFF.</summary>
        public void EraseBlock64(int address)
        {
            EraseUnit(Sst25Command.BlockErase64K, address, Block64Size, BlockEraseLimitTicks, "64 KB block erase");
        }

        /// <summary>Erases the whole chip to 0xFF (up to 50 ms in one bus transaction).</summary>
        public void EraseChip()
        {
            EraseUnit(Sst25Command.ChipErase, 0, Capacity, ChipEraseLimitTicks, "chip erase");
        }

        /// <summary>
        /// Erases [address, address + count) to 0xFF; both must be multiples of <see cref="SectorSize"/>.
        /// Uses a 64 KB block erase where the remaining range covers an aligned 64 KB block, a 32 KB
        /// block where it covers an aligned 32 KB block, 4 KB sectors otherwise. One transaction per erase.
        /// </summary>
        public void EraseRange(int address, int count)
        {
            CheckRange(address, count);
            if (address % SectorSize != 0 || count % SectorSize != 0)
                throw new ArgumentException("erase range must start and end on a 4 KB sector boundary", "address");
            int end = address + count;
            while (address < end)
            {
                int left = end - address;
                if (address % Block64Size == 0 && left >= Block64Size)
                {
                    EraseBlock64(address);
                    address += Block64Size;
                }
                else if (address % Block32Size == 0 && left >= Block32Size)
                {
                    EraseBlock32(address);
                    address += Block32Size;
                }
                else
                {
                    EraseSector(address);
                    address += SectorSize;
                }
            }
        }

        /// <summary>True when flash [address, address + count) equals expected[offset..offset+count).</summary>
        public bool Verify(int address, byte[] expected, int offset, int count)
        {
            return FindFirstMismatch(address, expected, offset, count) < 0;
        }

        /// <summary>
        /// Compares flash [address, address + count) with expected[offset..]; returns the flash
        /// address of the first differing byte, or -1 when all match.
        /// </summary>
        public int FindFirstMismatch(int address, byte[] expected, int offset, int count)
        {
            CheckBuffer(expected, offset, count);
            return Compare(address, expected, offset, count);
        }

        /// <summary>True when every byte of [address, address + count) reads 0xFF.</summary>
        public bool IsErased(int address, int count)
        {
            return Compare(address, null, 0, count) < 0;
        }

        // ---- operations ------------------------------------------------------------------------

        private void EraseUnit(byte opcode, int address, int size, long limitTicks, string name)
        {
            CheckRange(address, size);
            if (address % size != 0) throw new ArgumentException(name + " address must be a multiple of " + size.ToString(), "address");
            lock (_sync)
            {
                CheckInitialized();
                bool held = false;
                try
                {
                    _arbiter.Acquire(BusPriority.Flash, _busTimeoutMs);
                    held = true;
                    EnsureReadyLocked(address);
                    WriteEnableLocked(name, address);
                    _tx[0] = opcode;
                    int length = 1;
                    if (opcode != Sst25Command.ChipErase)
                    {
                        PutAddress(address);
                        length = 4;
                    }
                    _spi.Select();
                    _spi.Write(_tx, 0, length);
                    _spi.Deselect();
                    byte status = PollUntilReadyLocked(limitTicks, ErasePollSleepMilliseconds, name, address);
                    CheckWriteDoneLocked(status, name, address);
                }
                finally
                {
                    if (held) EndTransaction();
                }
            }
        }

        private void ProgramChunkLocked(int address, byte[] data, int offset, int count)
        {
            if (!_useAai)
            {
                for (int i = 0; i < count; i++) ByteProgramLocked(address + i, data[offset + i]);
                return;
            }
            if ((address & 1) != 0)
            {
                // AAI writes whole words at even addresses: an odd first byte goes on its own.
                ByteProgramLocked(address, data[offset]);
                address++;
                offset++;
                count--;
            }
            int words = count / 2;
            if (words > 0)
            {
                AaiProgramLocked(address, data, offset, words);
                address += words * 2;
                offset += words * 2;
                count -= words * 2;
            }
            if (count == 1) ByteProgramLocked(address, data[offset]);
        }

        private void ByteProgramLocked(int address, byte value)
        {
            WriteEnableLocked("byte program", address);
            _tx[0] = Sst25Command.ByteProgram;
            PutAddress(address);
            _tx[4] = value;
            _spi.Select();
            _spi.Write(_tx, 0, 5);
            _spi.Deselect();
            byte status = PollUntilReadyLocked(ProgramLimitTicks, 0, "byte program", address);
            CheckWriteDoneLocked(status, "byte program", address);
        }

        // AAI: WREN; AD A2 A1 A0 D0 D1; then AD Dn Dn+1 per word, each followed by a busy poll;
        // WRDI ends the mode and RDSR confirms the AAI bit and WEL are clear.
        private void AaiProgramLocked(int address, byte[] data, int offset, int words)
        {
            WriteEnableLocked("AAI program", address);
            _tx[0] = Sst25Command.AaiWordProgram;
            PutAddress(address);
            _tx[4] = data[offset];
            _tx[5] = data[offset + 1];
            _spi.Select();
            _spi.Write(_tx, 0, 6);
            _spi.Deselect();
            byte status = PollUntilReadyLocked(ProgramLimitTicks, 0, "AAI program", address);
            if ((status & Sst25Status.AutoAddressIncrement) == 0)
            {
                SendOpcodeLocked(Sst25Command.WriteDisable);
                throw new Sst25Exception("SST25 ignored AAI program at 0x" + address.ToString("X6")
                    + " (status 0x" + status.ToString("X2") + "; block protected?)", status);
            }
            for (int w = 1; w < words; w++)
            {
                int i = offset + 2 * w;
                _tx[0] = Sst25Command.AaiWordProgram; // the busy poll reused _tx
                _tx[1] = data[i];
                _tx[2] = data[i + 1];
                _spi.Select();
                _spi.Write(_tx, 0, 3);
                _spi.Deselect();
                PollUntilReadyLocked(ProgramLimitTicks, 0, "AAI program", address + 2 * w);
            }
            SendOpcodeLocked(Sst25Command.WriteDisable);
            status = ReadStatusLocked();
            if ((status & (Sst25Status.AutoAddressIncrement | Sst25Status.WriteEnableLatch)) != 0)
            {
                throw new Sst25Exception("SST25 did not leave AAI mode after WRDI (status 0x" + status.ToString("X2") + ")", status);
            }
        }

        private int Compare(int address, byte[] expected, int offset, int count)
        {
            CheckRange(address, count);
            lock (_sync)
            {
                CheckInitialized();
                while (count > 0)
                {
                    int n = count < VerifyChunkSize ? count : VerifyChunkSize;
                    bool held = false;
                    try
                    {
                        _arbiter.Acquire(BusPriority.Flash, _busTimeoutMs);
                        held = true;
                        EnsureReadyLocked(address);
                        ReadLocked(address, _scratch, 0, n);
                    }
                    finally
                    {
                        if (held) EndTransaction();
                    }
                    for (int i = 0; i < n; i++)
                    {
                        byte want = expected == null ? (byte)0xFF : expected[offset + i];
                        if (_scratch[i] != want) return address + i;
                    }
                    address += n;
                    offset += n;
                    count -= n;
                }
                return -1;
            }
        }

        // ---- instruction helpers (caller holds the bus) -----------------------------------------

        private void ReadLocked(int address, byte[] buffer, int offset, int count)
        {
            int header = 4;
            _tx[0] = _useHighSpeedRead ? Sst25Command.HighSpeedRead : Sst25Command.Read;
            PutAddress(address);
            if (_useHighSpeedRead)
            {
                _tx[4] = 0; // dummy byte
                header = 5;
            }
            _spi.Select();
            _spi.Write(_tx, 0, header);
            _spi.Read(buffer, offset, count);
            _spi.Deselect();
        }

        private int ReadJedecIdLocked()
        {
            _tx[0] = Sst25Command.JedecId;
            _tx[1] = 0;
            _tx[2] = 0;
            _tx[3] = 0;
            _spi.Select();
            _spi.TransferFullDuplex(_tx, 0, _rx, 0, 4);
            _spi.Deselect();
            return (_rx[1] << 16) | (_rx[2] << 8) | _rx[3];
        }

        private byte ReadStatusLocked()
        {
            _tx[0] = Sst25Command.ReadStatus;
            _tx[1] = 0;
            _spi.Select();
            _spi.TransferFullDuplex(_tx, 0, _rx, 0, 2);
            _spi.Deselect();
            return _rx[1];
        }

        private void SendOpcodeLocked(byte opcode)
        {
            _tx[0] = opcode;
            _spi.Select();
            _spi.Write(_tx, 0, 1);
            _spi.Deselect();
        }

        // Start of every transaction: an earlier operation that timed out may have left the part
        // busy or in AAI mode (where it ignores everything but AAI, WRDI and RDSR). Wait for the
        // first (bounded) and end the second.
        private void EnsureReadyLocked(int address)
        {
            byte status = ReadStatusLocked();
            if ((status & Sst25Status.Busy) != 0)
                status = PollUntilReadyLocked(ChipEraseLimitTicks, ErasePollSleepMilliseconds, "earlier operation", address);
            if ((status & Sst25Status.AutoAddressIncrement) != 0) SendOpcodeLocked(Sst25Command.WriteDisable);
        }

        private void WriteEnableLocked(string operation, int address)
        {
            SendOpcodeLocked(Sst25Command.WriteEnable);
            byte status = ReadStatusLocked();
            if ((status & Sst25Status.WriteEnableLatch) == 0)
            {
                throw new Sst25Exception("SST25 write-enable latch did not set before " + operation + " at 0x"
                    + address.ToString("X6") + " (status 0x" + status.ToString("X2") + ")", status);
            }
        }

        // The part clears WEL when a program/erase completes; WEL still set means it ignored the
        // instruction (protected area). Clear the latch and say so.
        private void CheckWriteDoneLocked(byte status, string operation, int address)
        {
            if ((status & Sst25Status.WriteEnableLatch) == 0) return;
            SendOpcodeLocked(Sst25Command.WriteDisable);
            throw new Sst25Exception("SST25 ignored " + operation + " at 0x" + address.ToString("X6")
                + " (write-enable latch still set, status 0x" + status.ToString("X2") + "; block protected?)", status);
        }

        /// <summary>
        /// Polls RDSR until BUSY clears, for at most <paramref name="maxTicks"/> (the datasheet
        /// maximum plus a clock margin). An erase or program that has started cannot be called
        /// back, so the wait is never cut shorter than that: the constructor instead refuses an
        /// arbiter whose hold bound is shorter than the longest operation. The last status read
        /// always happens after the limit passed, so a thread that was descheduled does not time
        /// out an operation that had finished.
        /// </summary>
        private byte PollUntilReadyLocked(long maxTicks, int sleepMilliseconds, string operation, int address)
        {
            long start = _clock.UptimeTicks;
            while (true)
            {
                bool expired = _clock.UptimeTicks - start > maxTicks;
                byte status = ReadStatusLocked();
                if ((status & Sst25Status.Busy) == 0) return status;
                if (expired)
                {
                    int limitMs = (int)((maxTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond);
                    throw new Sst25TimeoutException(operation, address, limitMs, status);
                }
                if (sleepMilliseconds > 0) Thread.Sleep(sleepMilliseconds);
            }
        }

        private void PutAddress(int address)
        {
            _tx[1] = (byte)(address >> 16);
            _tx[2] = (byte)(address >> 8);
            _tx[3] = (byte)address;
        }

        // Every transaction is "bool held = false; try { acquire; held = true; ... } finally { if (held) EndTransaction(); }",
        // not "acquire; try { ... } finally { EndTransaction(); }": nanoCLR hands an exception from a call right
        // before a try to that try's finally (Tests/Nano/Repros/README.md), which released a bus another thread
        // held and hid the SpiBusTimeoutException. MetadataCheck refuses the second form.
        private void EndTransaction()
        {
            _spi.Deselect();
            _arbiter.Release();
        }

        private void CheckInitialized()
        {
            if (!_initialized) throw new InvalidOperationException("Sst25Flash.Initialize has not succeeded yet");
        }

        private static void CheckRange(int address, int count)
        {
            if (address < 0 || count < 0 || address > Capacity - count)
                throw new ArgumentOutOfRangeException("address", "range outside the 2 MB SST25VF016B");
        }

        private static void CheckBuffer(byte[] buffer, int offset, int count)
        {
            if (buffer == null) throw new ArgumentNullException("buffer");
            if (offset < 0 || count < 0 || offset > buffer.Length - count)
                throw new ArgumentOutOfRangeException("offset", "offset/count outside the buffer");
        }
    }
}
