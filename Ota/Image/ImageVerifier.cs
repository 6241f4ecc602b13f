using System;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Sst25;

namespace CoreFirmware.Ota.Image
{
    /// <summary>
    /// Verifies a signed image (<see cref="ImageFormat"/>) held in external flash, e.g. the staging
    /// slot, without loading it whole: header checks, trailer parse, streaming SHA-256 of header +
    /// payload in <see cref="ChunkSize"/> pieces (<see cref="Sha256"/>), then one
    /// <see cref="ICrypto.EcdsaP256Verify"/> with the device's public key.
    /// </summary>
    /// <remarks>
    /// <para>Allocation: every buffer (chunk, trailer, digests, hasher, header) is allocated in the
    /// constructor; <see cref="Verify"/> itself allocates nothing (what the flash driver and the
    /// ICrypto implementation allocate is theirs to state). Not thread-safe: one verifier per user.</para>
    /// <para>Order of checks (first failure wins): TooLarge (more bytes than the slot), Truncated
    /// (no full header), BadMagic, UnsupportedVersion, Malformed (reserved word), WrongBoard, TooLarge
    /// (declared size vs slot), Truncated (missing bytes or malformed trailer), Malformed (a trailer
    /// entry's reserved byte; bytes after the trailer when the length is known), BadHash,
    /// BadSignature (missing, another key's hash, s above n / 2, or not verifying).</para>
    /// <para>Two uses: <see cref="Verify"/> for an image whose length is known (an OTA transfer, a
    /// staged image with its recorded size): it must end exactly at its trailer;
    /// <see cref="VerifyInSlot"/> for a slot whose image length is not recorded (the application
    /// slot, the backup, the factory image): whatever follows the trailer in the slot is not the
    /// image's (erased flash, or what an earlier, larger image left there).</para>
    /// </remarks>
    public sealed class ImageVerifier
    {
        /// <summary>
        /// Bytes read from flash per hash step: 256 = one SST25 page (Sst25Flash.ProgramChunkSize),
        /// small enough for the STM32F103's 20 KB RAM; a 640 KB slot is 2560 reads.
        /// </summary>
        public const int ChunkSize = 256;

        /// <summary>
        /// Bytes hashed between two calls of <see cref="Progress"/>: 16 KB, 40 calls for a 640 KB slot.
        /// Hashing 16 KB takes about 11 ms on nanoCLR on the development host and, at the assumed 35-100 x
        /// slower 168 MHz Cortex-M4, 0.4-1.1 s on the device: far inside the watchdog's check-in timeout.
        /// </summary>
        public const int ProgressStepBytes = 16 * 1024;

        private readonly ICrypto _crypto;
        private readonly byte[] _publicKey;
        private readonly uint _boardId;
        private readonly byte[] _keyHash = new byte[ImageFormat.Sha256Size];
        private readonly byte[] _chunk = new byte[ChunkSize];
        private readonly byte[] _trailer = new byte[ImageFormat.MaxTrailerSize];
        private readonly byte[] _digest = new byte[ImageFormat.Sha256Size];
        private readonly Sha256 _sha = new Sha256();
        private readonly ImageHeader _header = new ImageHeader();
        private int _imageLength;
        private IWorkProgress _progress;

        /// <summary>Creates a verifier for images signed with <paramref name="publicKey"/> for board <paramref name="boardId"/>.</summary>
        /// <param name="crypto">Provides ECDSA P-256 verification.</param>
        /// <param name="publicKey">The 65-byte uncompressed P-256 point (0x04 || X || Y); copied.</param>
        /// <param name="boardId">This board's id (e.g. SparkCoreBoard.ImageBoardId).</param>
        public ImageVerifier(ICrypto crypto, byte[] publicKey, uint boardId)
        {
            if (crypto == null) throw new ArgumentNullException("crypto");
            if (publicKey == null) throw new ArgumentNullException("publicKey");
            if (publicKey.Length != ImageFormat.PublicKeySize || publicKey[0] != 0x04)
            {
                throw new ArgumentException("expected a 65-byte uncompressed P-256 point", "publicKey");
            }

            _crypto = crypto;
            _publicKey = new byte[ImageFormat.PublicKeySize];
            Array.Copy(publicKey, _publicKey, ImageFormat.PublicKeySize);
            _boardId = boardId;
            _sha.Begin();
            _sha.Update(_publicKey, 0, _publicKey.Length);
            _sha.Finish(_keyHash, 0);
        }

        /// <summary>
        /// Called every <see cref="ProgressStepBytes"/> of the hash and once before the signature check
        /// (null: nobody is told). A 640 KB slot takes 15-45 s to hash on a 168 MHz Cortex-M4 with the
        /// managed SHA-256: longer than the system watchdog's check-in timeout, so whoever verifies on a
        /// watched thread sets this to check in (OtaService, Bootloader).
        /// </summary>
        public IWorkProgress Progress
        {
            get { return _progress; }
            set { _progress = value; }
        }

        /// <summary>The header read by the last <see cref="Verify"/> (valid when it got past Truncated/BadMagic).</summary>
        public ImageHeader Header
        {
            get { return _header; }
        }

        /// <summary>Bytes of the whole image (header + payload + trailer) found by the last
        /// <see cref="Verify"/> that returned Ok; 0 otherwise.</summary>
        public int ImageLength
        {
            get { return _imageLength; }
        }

        /// <summary>
        /// Verifies the image of exactly <paramref name="imageLength"/> bytes stored at
        /// <paramref name="slotAddress"/> in a slot of <paramref name="slotSize"/> bytes: fewer bytes
        /// than the image needs is Truncated, more (bytes after the trailer) is Malformed.
        /// </summary>
        /// <param name="flash">The flash holding the slot: the external SST25 (initialised) or the internal flash.</param>
        /// <param name="slotAddress">Flash address of the slot (the header's first byte).</param>
        /// <param name="slotSize">Slot size: the bound on the whole image.</param>
        /// <param name="imageLength">Bytes actually written to the slot (what the OTA transfer delivered).</param>
        /// <returns>Ok, or the first failure found.</returns>
        /// <exception cref="Sst25Exception">The external flash failed (timeouts included); not an image verdict.</exception>
        public ImageVerifyResult Verify(IFlashReader flash, int slotAddress, int slotSize, int imageLength)
        {
            return Check(flash, slotAddress, slotSize, imageLength, true);
        }

        /// <summary>
        /// Verifies the image at the start of the slot at <paramref name="slotAddress"/> of
        /// <paramref name="slotSize"/> bytes, whose length is not recorded: the image's own header and
        /// trailer say where it ends, and the bytes after it are not looked at.
        /// </summary>
        /// <exception cref="Sst25Exception">The external flash failed (timeouts included); not an image verdict.</exception>
        public ImageVerifyResult VerifyInSlot(IFlashReader flash, int slotAddress, int slotSize)
        {
            return Check(flash, slotAddress, slotSize, slotSize, false);
        }

        private ImageVerifyResult Check(IFlashReader flash, int slotAddress, int slotSize, int imageLength, bool exact)
        {
            if (flash == null) throw new ArgumentNullException("flash");
            _imageLength = 0;
            if (slotSize <= 0) throw new ArgumentOutOfRangeException("slotSize");
            if (imageLength > slotSize) return ImageVerifyResult.TooLarge;
            if (imageLength < ImageFormat.HeaderSize) return ImageVerifyResult.Truncated;

            flash.Read(slotAddress, _chunk, 0, ImageFormat.HeaderSize);
            _header.Read(_chunk, 0);
            ImageVerifyResult r = _header.Check(_boardId, slotSize);
            if (r != ImageVerifyResult.Ok) return r;

            int body = ImageFormat.HeaderSize + (int)_header.PayloadSize;
            if (imageLength < body + ImageFormat.TrailerInfoSize) return ImageVerifyResult.Truncated;

            // Trailer: info, then entries.
            flash.Read(slotAddress + body, _trailer, 0, ImageFormat.TrailerInfoSize);
            int trailerSize = ImageFormat.ReadUInt16(_trailer, 2);
            if (ImageFormat.ReadUInt16(_trailer, 0) != ImageFormat.TrailerMagic
                || trailerSize < ImageFormat.TrailerInfoSize || trailerSize > ImageFormat.MaxTrailerSize)
            {
                return ImageVerifyResult.Truncated;
            }

            if (body + trailerSize > slotSize) return ImageVerifyResult.TooLarge;
            if (body + trailerSize > imageLength) return ImageVerifyResult.Truncated;
            if (exact && body + trailerSize != imageLength) return ImageVerifyResult.Malformed;
            flash.Read(slotAddress + body + ImageFormat.TrailerInfoSize, _trailer, ImageFormat.TrailerInfoSize,
                trailerSize - ImageFormat.TrailerInfoSize);

            int hashAt = -1;
            int signatureAt = -1;
            int keyHashAt = -1;
            int p = ImageFormat.TrailerInfoSize;
            while (p < trailerSize)
            {
                if (p + ImageFormat.EntryHeaderSize > trailerSize) return ImageVerifyResult.Truncated;
                int tag = _trailer[p];
                int length = ImageFormat.ReadUInt16(_trailer, p + 2);
                int value = p + ImageFormat.EntryHeaderSize;
                if (value + length > trailerSize) return ImageVerifyResult.Truncated;
                if (_trailer[p + 1] != 0) return ImageVerifyResult.Malformed;
                if (tag == ImageFormat.TagSha256)
                {
                    if (length != ImageFormat.Sha256Size || hashAt >= 0) return ImageVerifyResult.Truncated;
                    hashAt = value;
                }
                else if (tag == ImageFormat.TagEcdsaP256)
                {
                    if (length != ImageFormat.SignatureSize || signatureAt >= 0) return ImageVerifyResult.Truncated;
                    signatureAt = value;
                }
                else if (tag == ImageFormat.TagKeyHash)
                {
                    if (length != ImageFormat.Sha256Size || keyHashAt >= 0) return ImageVerifyResult.Truncated;
                    keyHashAt = value;
                }

                // Unknown tags are skipped (forward compatible); they are not covered by the signature.
                p = value + length;
            }

            // Streaming SHA-256 of header + payload.
            IWorkProgress progress = _progress;
            _sha.Begin();
            int done = 0;
            int nextReport = ProgressStepBytes;
            while (done < body)
            {
                int n = body - done;
                if (n > ChunkSize) n = ChunkSize;
                flash.Read(slotAddress + done, _chunk, 0, n);
                _sha.Update(_chunk, 0, n);
                done += n;
                if (progress != null && done >= nextReport)
                {
                    progress.Progress(done, body);
                    nextReport += ProgressStepBytes;
                }
            }

            _sha.Finish(_digest, 0);
            if (hashAt < 0 || !Same(_digest, 0, _trailer, hashAt, ImageFormat.Sha256Size)) return ImageVerifyResult.BadHash;
            if (signatureAt < 0) return ImageVerifyResult.BadSignature;
            if (keyHashAt >= 0 && !Same(_keyHash, 0, _trailer, keyHashAt, ImageFormat.Sha256Size)) return ImageVerifyResult.BadSignature;
            // Low S, whatever the ICrypto behind: (r, n - s) must not pass as a second valid signature.
            if (!ImageFormat.IsLowS(_trailer, signatureAt + 32)) return ImageVerifyResult.BadSignature;
            // The signature check is one call (2-4 s on the device, CRYPTO-ON-DEVICE.md): start it with a fresh check-in.
            if (progress != null) progress.Progress(body, body);
            if (!_crypto.EcdsaP256Verify(_publicKey, 0, _digest, 0, _trailer, signatureAt)) return ImageVerifyResult.BadSignature;
            _imageLength = body + trailerSize;
            return ImageVerifyResult.Ok;
        }

        private static bool Same(byte[] a, int aOffset, byte[] b, int bOffset, int count)
        {
            int diff = 0;
            for (int i = 0; i < count; i++)
            {
                diff |= a[aOffset + i] ^ b[bOffset + i];
            }

            return diff == 0;
        }
    }
}
