using System;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Ota.Update
{
    /// <summary>
    /// Writes an incoming image into the staging slot: erases just ahead of the data (64 KB blocks
    /// where aligned, 32 KB / 4 KB units otherwise, never past the sector that holds the image's last
    /// byte), programs each chunk at its offset and reads it back to check its CRC32. Every flash
    /// operation goes through <see cref="Sst25Flash"/> (one bus transaction each, BusPriority.Flash).
    /// </summary>
    /// <remarks>
    /// Offsets are relative to the slot. Erasing is monotonic: everything below
    /// <see cref="ErasedBytes"/> has been erased for this image; a chunk beyond it (fast OTA, out of
    /// order) first erases the gap. Flash errors propagate as the driver's exceptions
    /// (Sst25Exception, Sst25TimeoutException, SpiBusTimeoutException). Allocation: none after
    /// construction (one <see cref="ScratchSize"/>-byte read-back buffer).
    /// </remarks>
    public sealed class StagingWriter
    {
        /// <summary>Read-back buffer: one flash program transaction (Sst25Flash.ProgramChunkSize).</summary>
        public const int ScratchSize = 256;

        private readonly Sst25Flash _flash;
        private readonly FlashRegion _slot;
        private readonly byte[] _scratch = new byte[ScratchSize];
        private int _imageSize;
        private int _eraseEnd;
        private int _erased;
        private int _erases;
        private IWorkProgress _progress;

        /// <summary>Creates the writer for <paramref name="slot"/> (normally FlashMap.Staging).</summary>
        public StagingWriter(Sst25Flash flash, FlashRegion slot)
        {
            if (flash == null) throw new ArgumentNullException("flash");
            if (slot == null) throw new ArgumentNullException("slot");
            if (slot.Start % Sst25Flash.SectorSize != 0 || slot.Size % Sst25Flash.SectorSize != 0)
                throw new ArgumentException("staging slot must be sector-aligned", "slot");
            _flash = flash;
            _slot = slot;
        }

        /// <summary>
        /// Told every <see cref="ImageVerifier.ProgressStepBytes"/> of a <see cref="ReadCrc"/> (the whole
        /// image's CRC at UpdateDone: 1-4 s for 640 KB on a 168 MHz Cortex-M4, estimate); null: nobody.
        /// </summary>
        public IWorkProgress Progress
        {
            get { return _progress; }
            set { _progress = value; }
        }

        /// <summary>Largest image the slot holds.</summary>
        public int SlotSize { get { return _slot.Size; } }

        /// <summary>The flash the slot is on (to verify the image in place).</summary>
        public Sst25Flash Flash { get { return _flash; } }

        /// <summary>The slot.</summary>
        public FlashRegion Slot { get { return _slot; } }

        /// <summary>Size of the image being written (0 before <see cref="Begin"/>).</summary>
        public int ImageSize { get { return _imageSize; } }

        /// <summary>Bytes from the slot start erased for this image so far.</summary>
        public int ErasedBytes { get { return _erased; } }

        /// <summary>Erase operations issued for this image.</summary>
        public int EraseOperations { get { return _erases; } }

        /// <summary>
        /// Starts an image of <paramref name="imageSize"/> bytes. Touches no flash. Throws
        /// ArgumentOutOfRangeException when the size is 0 or larger than the slot.
        /// </summary>
        public void Begin(int imageSize)
        {
            if (imageSize <= 0 || imageSize > _slot.Size) throw new ArgumentOutOfRangeException("imageSize");
            _imageSize = imageSize;
            _eraseEnd = ((imageSize + Sst25Flash.SectorSize - 1) / Sst25Flash.SectorSize) * Sst25Flash.SectorSize;
            _erased = 0;
            _erases = 0;
        }

        /// <summary>
        /// Makes sure [0, <paramref name="endOffset"/>) is erased (clipped to the image's last
        /// sector), erasing the largest aligned unit that stays within the image each step.
        /// </summary>
        public void EnsureErased(int endOffset)
        {
            if (_imageSize == 0) throw new InvalidOperationException("Begin first");
            if (endOffset > _eraseEnd) endOffset = _eraseEnd;
            while (_erased < endOffset)
            {
                int address = _slot.Start + _erased;
                int left = _eraseEnd - _erased;
                int unit;
                if (address % Sst25Flash.Block64Size == 0 && left >= Sst25Flash.Block64Size)
                {
                    _flash.EraseBlock64(address);
                    unit = Sst25Flash.Block64Size;
                }
                else if (address % Sst25Flash.Block32Size == 0 && left >= Sst25Flash.Block32Size)
                {
                    _flash.EraseBlock32(address);
                    unit = Sst25Flash.Block32Size;
                }
                else
                {
                    _flash.EraseSector(address);
                    unit = Sst25Flash.SectorSize;
                }

                _erases++;
                _erased += unit;
            }
        }

        /// <summary>
        /// Writes <paramref name="count"/> bytes at slot offset <paramref name="offset"/> (erasing
        /// ahead as needed) and reads them back: true when the read-back CRC32 equals the data's.
        /// The range must lie within the image (ArgumentOutOfRangeException otherwise). The area must
        /// not have been written before for this image (NOR programs only clear bits).
        /// </summary>
        public bool WriteChunk(int offset, byte[] data, int dataOffset, int count)
        {
            if (data == null) throw new ArgumentNullException("data");
            if (offset < 0 || count <= 0 || offset > _imageSize - count) throw new ArgumentOutOfRangeException("offset");
            if (dataOffset < 0 || dataOffset > data.Length - count) throw new ArgumentOutOfRangeException("dataOffset");
            EnsureErased(offset + count);
            int address = _slot.ToAbsolute(offset, count);
            _flash.Program(address, data, dataOffset, count);
            return ReadCrc(offset, count) == Crc32.Compute(data, dataOffset, count);
        }

        /// <summary>The CRC32 of slot bytes [offset, offset + count) as read back from flash now.</summary>
        public uint ReadCrc(int offset, int count)
        {
            int address = _slot.ToAbsolute(offset, count);
            IWorkProgress progress = _progress;
            int total = count;
            int nextReport = ImageVerifier.ProgressStepBytes;
            uint crc = 0;
            while (count > 0)
            {
                int n = count < ScratchSize ? count : ScratchSize;
                _flash.Read(address, _scratch, 0, n);
                crc = Crc32.Update(crc, _scratch, 0, n);
                address += n;
                count -= n;
                if (progress != null && total - count >= nextReport)
                {
                    progress.Progress(total - count, total);
                    nextReport += ImageVerifier.ProgressStepBytes;
                }
            }

            return crc;
        }
    }
}
