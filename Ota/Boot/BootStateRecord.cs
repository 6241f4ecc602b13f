using System;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Ota.Boot
{
    /// <summary>
    /// The "update pending" view of the boot state that OtaService uses. Two backings:
    /// <list type="bullet">
    /// <item>over a <see cref="BootStateStore"/> (the power-fail-safe A/B log; preferred): Read gives
    /// the store's newest state when it is Pending, WritePending and Erase append a new entry
    /// (Pending with size/CRC, or None) and keep the store's other fields (active version);</item>
    /// <item>legacy: one record at the start of one sector (FlashMap.BootStateA), layout below. A
    /// record torn by a power cut fails its CRC and reads as <see cref="BootImageState.None"/> (the
    /// old image keeps running, the update is lost, nothing is bricked).</item>
    /// </list>
    /// </summary>
    /// <remarks>
    /// Layout, <see cref="Length"/> = 24 bytes, all big-endian:
    /// <code>
    ///  0  u32 magic      0x43464253 ("CFBS")
    ///  4  u32 sequence   previous valid sequence + 1 (1 for the first)
    ///  8  u32 state      BootImageState (1 = Pending)
    /// 12  u32 size       image size in bytes (1 .. slot size)
    /// 16  u32 image CRC  CRC32 (IEEE) of the image's size bytes in the staging slot
    /// 20  u32 record CRC CRC32 of bytes 0..19
    /// </code>
    /// Writing erases the sector first (4 KB, ~25 ms at most), programs the 24 bytes and reads them
    /// back. Allocation: none after construction.
    /// </remarks>
    public sealed class BootStateRecord
    {
        /// <summary>"CFBS".</summary>
        public const uint Magic = 0x43464253;

        /// <summary>Bytes of the record.</summary>
        public const int Length = 24;

        private readonly Sst25Flash _flash;
        private readonly FlashRegion _region;
        private readonly BootStateStore _store;
        private readonly byte[] _buffer = new byte[Length];
        private uint _sequence;
        private BootImageState _state;
        private int _imageSize;
        private uint _imageCrc;
        private string _refusal;

        /// <summary>Creates the record over <paramref name="region"/> (normally FlashMap.BootStateA).</summary>
        public BootStateRecord(Sst25Flash flash, FlashRegion region)
        {
            if (flash == null) throw new ArgumentNullException("flash");
            if (region == null) throw new ArgumentNullException("region");
            if (region.Size < Length) throw new ArgumentException("boot-state region too small", "region");
            _flash = flash;
            _region = region;
        }

        /// <summary>Creates the record as a view of <paramref name="store"/> (the A/B boot-state log).</summary>
        public BootStateRecord(BootStateStore store)
        {
            if (store == null) throw new ArgumentNullException("store");
            _store = store;
        }

        /// <summary>The store underneath, or null for the legacy single-sector record.</summary>
        public BootStateStore Store { get { return _store; } }

        /// <summary>Sequence of the record last read or written (0 when none is valid).</summary>
        public uint Sequence { get { return _sequence; } }

        /// <summary>State of the record last read or written.</summary>
        public BootImageState State { get { return _state; } }

        /// <summary>Image size of the record last read or written.</summary>
        public int ImageSize { get { return _imageSize; } }

        /// <summary>Image CRC32 of the record last read or written.</summary>
        public uint ImageCrc { get { return _imageCrc; } }

        /// <summary>
        /// Reads the record from flash. True when it is valid (magic, record CRC, known state, size
        /// within the slot); otherwise the properties read as "none" and false is returned.
        /// Flash errors propagate (Sst25Exception, SpiBusTimeoutException).
        /// </summary>
        public bool Read()
        {
            if (_store != null)
            {
                BootState s = _store.Read();
                if (s.State != BootImageState.Pending || s.PendingImageSize <= 0)
                {
                    Forget();
                    return false;
                }

                _sequence = _store.Sequence;
                _state = BootImageState.Pending;
                _imageSize = s.PendingImageSize;
                _imageCrc = s.PendingImageCrc;
                return true;
            }

            _flash.Read(_region.Start, _buffer, 0, Length);
            if (SparkMessages.ReadUInt32(_buffer, 0) != Magic
                || SparkMessages.ReadUInt32(_buffer, 20) != Crc32.Compute(_buffer, 0, 20))
            {
                Forget();
                return false;
            }

            uint state = SparkMessages.ReadUInt32(_buffer, 8);
            uint size = SparkMessages.ReadUInt32(_buffer, 12);
            if (state != (uint)BootImageState.Pending || size == 0 || size > 0x7FFFFFFF)
            {
                Forget();
                return false;
            }

            _sequence = SparkMessages.ReadUInt32(_buffer, 4);
            _state = (BootImageState)(int)state;
            _imageSize = (int)size;
            _imageCrc = SparkMessages.ReadUInt32(_buffer, 16);
            return true;
        }

        /// <summary>
        /// Writes a Pending record for an image of <paramref name="imageSize"/> bytes whose CRC32 is
        /// <paramref name="imageCrc"/>, with no version gate (see the overload with the version, which
        /// the OTA service uses). True when written; false (and the properties read as none) when the
        /// read-back does not match or, over a store, when the state refuses a pending image
        /// (<see cref="Refusal"/>). Flash errors propagate.
        /// </summary>
        public bool WritePending(int imageSize, uint imageCrc)
        {
            return WritePending(imageSize, imageCrc, 0, false, false);
        }

        /// <summary>
        /// Writes a Pending record for an image of <paramref name="imageSize"/> bytes whose CRC32 is
        /// <paramref name="imageCrc"/> and whose packed version is <paramref name="imageVersion"/>.
        /// Legacy record: erase the sector, program, read back (no version gate: it keeps no versions).
        /// Over a store, under its lock, the state decides first (Ota/Boot/BOOT-DESIGN.md, state table,
        /// event "OTA pending"), and a refusal writes nothing and sets <see cref="Refusal"/>:
        /// <list type="bullet">
        /// <item>RollbackPending (the app asked for a revert): refused, <see cref="ReasonRevertPending"/>;</item>
        /// <item>a version below the security counter: refused, <see cref="OtaImagePolicy.ReasonDowngrade"/>;</item>
        /// <item>the running image's version without <paramref name="reinstall"/>: refused, <see cref="OtaImagePolicy.ReasonSameVersion"/>;</item>
        /// <item>Testing (the running image is unconfirmed): Pending with <see cref="BootStateFlags.KeepBackup"/>
        /// and the test counters kept, so <see cref="Erase"/> can give Testing back (the backup slot holds
        /// the last confirmed image and must stay);</item>
        /// <item>Pending: replaced, its KeepBackup and counters kept;</item>
        /// <item>anything else (None, Confirmed): Pending without KeepBackup, counters reset.</item>
        /// </list>
        /// <see cref="BootStateFlags.Reinstall"/> is set when <paramref name="reinstall"/>. True when
        /// written and read back; false otherwise (the properties then read as none). Flash errors
        /// propagate.
        /// </summary>
        public bool WritePending(int imageSize, uint imageCrc, uint imageVersion, bool reinstall)
        {
            return WritePending(imageSize, imageCrc, imageVersion, reinstall, true);
        }

        /// <summary>Why the last WritePending over a store wrote nothing (null when it wrote, or failed
        /// only its read-back): <see cref="ReasonRevertPending"/>, <see cref="OtaImagePolicy.ReasonDowngrade"/>
        /// or <see cref="OtaImagePolicy.ReasonSameVersion"/>.</summary>
        public string Refusal
        {
            get { return _refusal; }
        }

        /// <summary>Reason: the running image asked for a revert; no image may become pending before the rollback.</summary>
        public const string ReasonRevertPending = "revert pending";

        private bool WritePending(int imageSize, uint imageCrc, uint imageVersion, bool reinstall, bool gate)
        {
            if (imageSize <= 0) throw new ArgumentOutOfRangeException("imageSize");
            _refusal = null;
            if (_store != null)
            {
                // Read-modify-write under the store's lock: DeploymentControl and the safe-mode request write it too.
                lock (_store)
                {
                    return WritePendingToStore(imageSize, imageCrc, imageVersion, reinstall, gate);
                }
            }

            uint sequence = Read() ? _sequence + 1 : 1;
            SparkMessages.WriteUInt32(_buffer, 0, Magic);
            SparkMessages.WriteUInt32(_buffer, 4, sequence);
            SparkMessages.WriteUInt32(_buffer, 8, (uint)BootImageState.Pending);
            SparkMessages.WriteUInt32(_buffer, 12, (uint)imageSize);
            SparkMessages.WriteUInt32(_buffer, 16, imageCrc);
            SparkMessages.WriteUInt32(_buffer, 20, Crc32.Compute(_buffer, 0, 20));
            _flash.EraseSector(_region.Start);
            _flash.Program(_region.Start, _buffer, 0, Length);
            if (!_flash.Verify(_region.Start, _buffer, 0, Length))
            {
                Forget();
                return false;
            }

            _sequence = sequence;
            _state = BootImageState.Pending;
            _imageSize = imageSize;
            _imageCrc = imageCrc;
            return true;
        }

        /// <summary>Clears the pending image: legacy, erases the record's sector; over a store, only when
        /// the newest state is Pending, appends the state from before it: Testing when the entry carries
        /// <see cref="BootStateFlags.KeepBackup"/> (test counters kept), else None (other fields kept).
        /// Any other state (Testing, Confirmed, an install under way) is left alone. Flash errors
        /// propagate; over a store, an entry that does not verify throws InvalidOperationException (the
        /// pending state may still be the newest).</summary>
        public void Erase()
        {
            if (_store != null)
            {
                lock (_store)
                {
                    EraseInStore();
                }

                return;
            }

            _flash.EraseSector(_region.Start);
            Forget();
        }

        private void EraseInStore()
        {
            BootState s = _store.Read();
            if (s.State != BootImageState.Pending)
            {
                Forget();
                return;
            }

            s.ClearPending();
            bool written = _store.Write(s);
            Forget();
            if (!written) throw new InvalidOperationException("boot-state entry did not verify");
        }

        private bool WritePendingToStore(int imageSize, uint imageCrc, uint imageVersion, bool reinstall, bool gate)
        {
            BootState s = _store.Read();
            if (s.State == BootImageState.RollbackPending)
            {
                // The revert goes first: a Pending written now would lose KeepBackup's meaning and the
                // backup (the last confirmed image) would be overwritten by the reverted one.
                _refusal = ReasonRevertPending;
            }
            else if (gate && imageVersion < s.SecurityCounter)
            {
                _refusal = OtaImagePolicy.ReasonDowngrade;
            }
            else if (gate && s.ActiveVersion != 0 && imageVersion == s.ActiveVersion && !reinstall)
            {
                _refusal = OtaImagePolicy.ReasonSameVersion;
            }

            if (_refusal != null)
            {
                Forget();
                return false;
            }

            if (s.State == BootImageState.Testing)
            {
                s.Flags |= BootStateFlags.KeepBackup;
            }
            else if (s.State != BootImageState.Pending)
            {
                s.Flags &= ~BootStateFlags.KeepBackup;
                s.BootAttempts = 0;
                s.WatchdogResets = 0;
            }

            if (reinstall) s.Flags |= BootStateFlags.Reinstall;
            else s.Flags &= ~BootStateFlags.Reinstall;
            s.State = BootImageState.Pending;
            s.PendingImageSize = imageSize;
            s.PendingImageCrc = imageCrc;
            s.InstallProgress = 0;
            if (!_store.Write(s))
            {
                Forget();
                return false;
            }

            _sequence = _store.Sequence;
            _state = BootImageState.Pending;
            _imageSize = imageSize;
            _imageCrc = imageCrc;
            return true;
        }

        private void Forget()
        {
            _sequence = 0;
            _state = BootImageState.None;
            _imageSize = 0;
            _imageCrc = 0;
        }
    }
}
