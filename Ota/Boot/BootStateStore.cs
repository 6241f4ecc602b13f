using System;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Ota.Boot
{
    /// <summary>
    /// A power-fail-safe <see cref="BootState"/> kept in the two 4 KB boot-state sectors
    /// (FlashMap.BootStateA and BootStateB), in the manner of ESP-IDF's two-sector boot selector:
    /// each sector is an append-only log of fixed-size entries, each entry carries a sequence counter
    /// and a CRC32, and the reader takes the valid entry with the highest sequence in either sector.
    /// </summary>
    /// <remarks>
    /// <para>Entry, format 2 (written since the security counter), <see cref="EntrySize"/> = 64 bytes,
    /// big-endian:</para>
    /// <code>
    ///  0  u32 magic        0x43464232 ("CFB2")
    ///  4  u32 sequence     newest valid sequence + 1 (1 for the first)
    ///  8  u8  state        BootImageState
    ///  9  u8  boot attempts
    /// 10  u8  watchdog resets in test mode
    /// 11  u8  flags        BootStateFlags
    /// 12  u32 pending image size
    /// 16  u32 pending image CRC32
    /// 20  u32 install progress (bytes)
    /// 24  u32 active image version
    /// 28  u32 security counter (highest confirmed version)
    /// 32  28 bytes reserved, zero (an entry with any of them set is not valid)
    /// 60  u32 entry CRC32 of bytes 0..59
    /// </code>
    /// <para>Format 1 (<see cref="MagicFormat1"/> "CFBE", 32 bytes: bytes 0..27 as above without the
    /// security counter, the CRC32 at 28) is still read, at any 32-byte offset, with a security
    /// counter of 0; it is never written. A board updated from format 1 therefore reads its old state
    /// unchanged; the first write after the update puts a format-2 entry into the sector that does not
    /// hold the newest (erasing it first, since a sector holding format-1 entries is not one to append
    /// to), so the format-1 entry stays the newest until the format-2 one is durable: the same
    /// power-fail argument as any other write. The bootloader raises the counter from 0 to the
    /// running confirmed image's version at the first boot that reads it so.</para>
    /// <para>Writing: the entry goes to the sector that does NOT hold the newest valid entry, so the
    /// newest entry is never touched while a new one is written. In that sector it is appended at
    /// the first free slot when the sector is "clean" (valid format-2 entries followed only by fully
    /// erased slots); when the sector is full or holds anything else (a torn entry, the remains of a
    /// torn erase, format-1 entries) it is erased first and the entry goes to slot 0. A torn program
    /// leaves an entry that fails its CRC (or a slot still erased); a torn erase leaves a sector of
    /// stale entries (all older than the newest, which sits in the other sector), erased slots and
    /// junk. Either way the reader still finds the previous newest entry, and the next write cleans
    /// the sector up.</para>
    /// <para>Cost: a write reads both sectors (8 KB in 256-byte pieces), programs 64 bytes, reads
    /// them back, and erases one sector every <see cref="SlotsPerSector"/> writes to that sector
    /// (that is, every 2 x 64 writes: the writes alternate between the sectors).
    /// Allocation: none after construction (one 256-byte scan buffer, one 64-byte entry buffer).</para>
    /// </remarks>
    public sealed class BootStateStore
    {
        /// <summary>"CFB2": a format-2 entry.</summary>
        public const uint Magic = 0x43464232;

        /// <summary>"CFBE": a format-1 entry (read, never written).</summary>
        public const uint MagicFormat1 = 0x43464245;

        /// <summary>Bytes of one format-2 entry (fixed; 64 entries per 4 KB sector).</summary>
        public const int EntrySize = 64;

        /// <summary>Bytes of one format-1 entry.</summary>
        public const int EntrySizeFormat1 = 32;

        /// <summary>Bytes read per flash transaction while scanning: one 256-byte SST25 page, 4
        /// entries; small enough for the MCU's RAM, few enough transactions (16 per sector).</summary>
        private const int ScanBytes = 256;

        private const int PayloadBytes = EntrySize - 4;
        private const int PayloadBytesFormat1 = EntrySizeFormat1 - 4;
        private const int ReservedAt = 32;
        private const int NoSector = -1;
        private const int MustErase = -1;

        private readonly Sst25Flash _flash;
        private readonly int[] _sectorStart = new int[2];
        private readonly int _sectorSize;
        private readonly int _slotsPerSector;
        private readonly byte[] _scan = new byte[ScanBytes];
        private readonly byte[] _entry = new byte[EntrySize];
        private readonly int[] _nextSlot = new int[2];

        private int _newestSector = NoSector;
        private int _newestSlot;
        private uint _newestSequence;
        private BootState _current;
        private BootState _decoded;
        private int _erases;

        /// <summary>Creates the store over the two boot-state sectors. Nothing is read until
        /// <see cref="Read"/> or <see cref="Write"/>.</summary>
        /// <param name="flash">The initialised external flash.</param>
        /// <param name="sectorA">FlashMap.BootStateA: one erase unit.</param>
        /// <param name="sectorB">FlashMap.BootStateB: one erase unit, the same size as A.</param>
        public BootStateStore(Sst25Flash flash, FlashRegion sectorA, FlashRegion sectorB)
        {
            if (flash == null) throw new ArgumentNullException("flash");
            if (sectorA == null) throw new ArgumentNullException("sectorA");
            if (sectorB == null) throw new ArgumentNullException("sectorB");
            if (sectorA.Size != Sst25Flash.SectorSize || sectorB.Size != Sst25Flash.SectorSize)
                throw new ArgumentException("each boot-state region must be exactly one 4 KB sector");
            if (sectorA.Start % Sst25Flash.SectorSize != 0 || sectorB.Start % Sst25Flash.SectorSize != 0 || sectorA.Start == sectorB.Start)
                throw new ArgumentException("boot-state regions must be two distinct aligned sectors");
            _flash = flash;
            _sectorStart[0] = sectorA.Start;
            _sectorStart[1] = sectorB.Start;
            _sectorSize = Sst25Flash.SectorSize;
            _slotsPerSector = _sectorSize / EntrySize;
        }

        /// <summary>Entries a sector holds before it must be erased (64).</summary>
        public int SlotsPerSector
        {
            get { return _slotsPerSector; }
        }

        /// <summary>Sequence of the newest valid entry found by the last Read/Write (0 when none).</summary>
        public uint Sequence
        {
            get { return _newestSequence; }
        }

        /// <summary>Sector of the newest valid entry (0 = A, 1 = B, -1 = none) after the last Read/Write.</summary>
        public int NewestSector
        {
            get { return _newestSector; }
        }

        /// <summary>Slot (0..63, in <see cref="EntrySize"/> units; a format-1 entry counts in the slot
        /// it lies in) of the newest valid entry in <see cref="NewestSector"/>.</summary>
        public int NewestSlot
        {
            get { return _newestSlot; }
        }

        /// <summary>Sector erases this instance has issued (a diagnostic for wear and for tests).</summary>
        public int Erases
        {
            get { return _erases; }
        }

        /// <summary>The state of the last Read/Write (the default value when none was valid).</summary>
        public BootState Current
        {
            get { return _current; }
        }

        /// <summary>
        /// Scans both sectors and returns the state of the valid entry with the highest sequence, or
        /// the default state (<see cref="BootImageState.None"/>, all zero) when neither sector holds
        /// a valid entry. Flash errors propagate (Sst25Exception, SpiBusTimeoutException).
        /// </summary>
        public BootState Read()
        {
            Scan();
            return _current;
        }

        /// <summary>
        /// Writes <paramref name="state"/> as a new entry (see the remarks for where it goes) and reads
        /// it back. True when the read-back matches: the state is durable, a power cut from now on
        /// reads it back. False when the read-back differs (the previous state stays the newest
        /// valid one). Flash errors propagate; a power cut during the call leaves either the previous
        /// state or <paramref name="state"/> readable.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException">A field does not fit its stored width.</exception>
        public bool Write(BootState state)
        {
            if (state.State < BootImageState.None || state.State > BootImageState.RollingBack) throw new ArgumentOutOfRangeException("state");
            if (state.BootAttempts < 0 || state.BootAttempts > BootState.MaxBootAttempts) throw new ArgumentOutOfRangeException("state");
            if (state.WatchdogResets < 0 || state.WatchdogResets > BootState.MaxWatchdogResets) throw new ArgumentOutOfRangeException("state");
            if (state.Flags < 0 || state.Flags > 0xFF) throw new ArgumentOutOfRangeException("state");
            if (state.PendingImageSize < 0 || state.InstallProgress < 0) throw new ArgumentOutOfRangeException("state");

            Scan();
            if (_newestSequence >= 0xFFFFFFFE) throw new InvalidOperationException("boot-state sequence exhausted");
            uint sequence = _newestSequence + 1;
            int target = _newestSector == 0 ? 1 : 0;
            int slot = _nextSlot[target];
            int sectorStart = _sectorStart[target];
            if (slot == MustErase)
            {
                _flash.EraseSector(sectorStart);
                _erases++;
                slot = 0;
            }

            Encode(state, sequence);
            int address = sectorStart + slot * EntrySize;
            _flash.Program(address, _entry, 0, EntrySize);
            if (!_flash.Verify(address, _entry, 0, EntrySize))
            {
                _nextSlot[target] = MustErase; // the slot now holds junk: clean the sector next time
                return false;
            }

            _newestSector = target;
            _newestSlot = slot;
            _newestSequence = sequence;
            _current = state;
            _nextSlot[target] = slot + 1 < _slotsPerSector ? slot + 1 : MustErase;
            return true;
        }

        // ---- scanning ---------------------------------------------------------------------------

        private void Scan()
        {
            _newestSector = NoSector;
            _newestSlot = 0;
            _newestSequence = 0;
            _current = new BootState();
            ScanSector(0);
            ScanSector(1);
        }

        /// <summary>Finds the sector's valid entries (updating the newest) and whether the sector
        /// is clean: valid format-2 entries, then only fully erased slots.</summary>
        private void ScanSector(int sector)
        {
            int start = _sectorStart[sector];
            bool clean = true;
            bool seenErased = false;
            int validPrefix = 0;
            for (int chunk = 0; chunk < _sectorSize; chunk += ScanBytes)
            {
                _flash.Read(start + chunk, _scan, 0, ScanBytes);
                for (int at = 0; at < ScanBytes; at += EntrySize)
                {
                    int slot = (chunk + at) / EntrySize;
                    if (IsErased(_scan, at, EntrySize))
                    {
                        seenErased = true;
                        continue;
                    }

                    uint sequence;
                    if (Decode(_scan, at, out sequence))
                    {
                        if (seenErased) clean = false;
                        else validPrefix++;
                        Consider(sequence, sector, slot);
                        continue;
                    }

                    // Not a format-2 entry: junk, a torn entry, or one or two format-1 entries. Either
                    // way the sector is no place to append to.
                    clean = false;
                    if (DecodeFormat1(_scan, at, out sequence)) Consider(sequence, sector, slot);
                    if (DecodeFormat1(_scan, at + EntrySizeFormat1, out sequence)) Consider(sequence, sector, slot);
                }
            }

            _nextSlot[sector] = clean && validPrefix < _slotsPerSector ? validPrefix : MustErase;
        }

        private void Consider(uint sequence, int sector, int slot)
        {
            if (sequence <= _newestSequence) return;
            _newestSequence = sequence;
            _newestSector = sector;
            _newestSlot = slot;
            _current = _decoded;
        }

        private static bool IsErased(byte[] b, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                if (b[offset + i] != 0xFF) return false;
            }

            return true;
        }

        /// <summary>A format-2 entry: checks magic, CRC, reserved bytes, sequence and field ranges; on
        /// success fills _decoded.</summary>
        private bool Decode(byte[] b, int offset, out uint sequence)
        {
            sequence = 0;
            if (SparkMessages.ReadUInt32(b, offset) != Magic) return false;
            if (SparkMessages.ReadUInt32(b, offset + PayloadBytes) != Crc32.Compute(b, offset, PayloadBytes)) return false;
            for (int i = ReservedAt; i < PayloadBytes; i++)
            {
                if (b[offset + i] != 0) return false;
            }

            if (!DecodeFields(b, offset, out sequence)) return false;
            _decoded.SecurityCounter = SparkMessages.ReadUInt32(b, offset + 28);
            return true;
        }

        /// <summary>A format-1 entry (32 bytes, no security counter): on success fills _decoded with a counter of 0.</summary>
        private bool DecodeFormat1(byte[] b, int offset, out uint sequence)
        {
            sequence = 0;
            if (SparkMessages.ReadUInt32(b, offset) != MagicFormat1) return false;
            if (SparkMessages.ReadUInt32(b, offset + PayloadBytesFormat1) != Crc32.Compute(b, offset, PayloadBytesFormat1)) return false;
            if (!DecodeFields(b, offset, out sequence)) return false;
            _decoded.SecurityCounter = 0;
            return true;
        }

        // Bytes 4..27, the same in both formats.
        private bool DecodeFields(byte[] b, int offset, out uint sequence)
        {
            sequence = 0;
            uint seq = SparkMessages.ReadUInt32(b, offset + 4);
            int state = b[offset + 8];
            uint size = SparkMessages.ReadUInt32(b, offset + 12);
            uint progress = SparkMessages.ReadUInt32(b, offset + 20);
            if (seq == 0 || seq == 0xFFFFFFFF || state > (int)BootImageState.RollingBack || size > 0x7FFFFFFF || progress > 0x7FFFFFFF)
                return false;

            _decoded.State = (BootImageState)state;
            _decoded.BootAttempts = b[offset + 9];
            _decoded.WatchdogResets = b[offset + 10];
            _decoded.Flags = b[offset + 11];
            _decoded.PendingImageSize = (int)size;
            _decoded.PendingImageCrc = SparkMessages.ReadUInt32(b, offset + 16);
            _decoded.InstallProgress = (int)progress;
            _decoded.ActiveVersion = SparkMessages.ReadUInt32(b, offset + 24);
            sequence = seq;
            return true;
        }

        private void Encode(BootState state, uint sequence)
        {
            byte[] e = _entry;
            SparkMessages.WriteUInt32(e, 0, Magic);
            SparkMessages.WriteUInt32(e, 4, sequence);
            e[8] = (byte)state.State;
            e[9] = (byte)state.BootAttempts;
            e[10] = (byte)state.WatchdogResets;
            e[11] = (byte)state.Flags;
            SparkMessages.WriteUInt32(e, 12, (uint)state.PendingImageSize);
            SparkMessages.WriteUInt32(e, 16, state.PendingImageCrc);
            SparkMessages.WriteUInt32(e, 20, (uint)state.InstallProgress);
            SparkMessages.WriteUInt32(e, 24, state.ActiveVersion);
            SparkMessages.WriteUInt32(e, 28, state.SecurityCounter);
            for (int i = ReservedAt; i < PayloadBytes; i++) e[i] = 0;
            SparkMessages.WriteUInt32(e, PayloadBytes, Crc32.Compute(e, 0, PayloadBytes));
        }
    }
}
