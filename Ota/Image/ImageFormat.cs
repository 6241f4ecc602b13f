namespace CoreFirmware.Ota.Image
{
    /// <summary>
    /// The signed image format (format version 1). All integers little-endian.
    /// <code>
    /// header (32 bytes)
    ///   0  u32 magic           0x49574643 ("CFWI" in file order)
    ///   4  u16 format version  1
    ///   6  u16 header size     32
    ///   8  u32 board id        e.g. SparkCoreBoard.ImageBoardId
    ///  12  u8  version major
    ///  13  u8  version minor
    ///  14  u16 version revision
    ///  16  u32 version build
    ///  20  u32 payload size    bytes of payload after the header
    ///  24  u32 flags           0 (none defined yet)
    ///  28  u32 reserved        0
    /// payload (payload size bytes)
    /// trailer
    ///   0  u16 trailer magic   0x5446
    ///   2  u16 trailer size    bytes of the whole trailer, these 4 included
    ///   entries: u8 tag, u8 reserved 0 (else Malformed), u16 value length, value
    ///     0x01 key hash         32 bytes: SHA-256 of the 65-byte signing public key (optional)
    ///     0x10 SHA-256          32 bytes: SHA-256 of header + payload
    ///     0x20 ECDSA P-256      64 bytes: r || s (big-endian each) over the SHA-256 above
    /// </code>
    /// Nothing follows the trailer: an image of known length (an OTA transfer, a file) with bytes after
    /// it is Malformed. The signature covers the digest, so the device hashes the image in pieces from
    /// flash and makes one verify call. The signature's s is at most n / 2 (low S): the verifiers refuse
    /// the other of the two encodings ECDSA allows.
    /// </summary>
    public static class ImageFormat
    {
        /// <summary>Header magic (bytes 'C' 'F' 'W' 'I' in the file).</summary>
        public const uint Magic = 0x49574643;

        /// <summary>The only format version this firmware reads.</summary>
        public const int FormatVersion = 1;

        /// <summary>Header size of format version 1.</summary>
        public const int HeaderSize = 32;

        /// <summary>Trailer magic.</summary>
        public const int TrailerMagic = 0x5446;

        /// <summary>Size of the trailer's own magic + size fields.</summary>
        public const int TrailerInfoSize = 4;

        /// <summary>Size of a TLV entry's tag, reserved and length fields.</summary>
        public const int EntryHeaderSize = 4;

        /// <summary>Tag: SHA-256 of the signing public key (optional).</summary>
        public const int TagKeyHash = 0x01;

        /// <summary>Tag: SHA-256 of header + payload.</summary>
        public const int TagSha256 = 0x10;

        /// <summary>Tag: ECDSA P-256 signature r || s over the SHA-256 entry's digest.</summary>
        public const int TagEcdsaP256 = 0x20;

        /// <summary>Length of a SHA-256 value.</summary>
        public const int Sha256Size = 32;

        /// <summary>Length of an ECDSA P-256 signature (r || s).</summary>
        public const int SignatureSize = 64;

        /// <summary>Length of an uncompressed P-256 public key (0x04 || X || Y).</summary>
        public const int PublicKeySize = 65;

        /// <summary>
        /// Largest trailer the device reads: the three defined entries need 4 + 36 + 36 + 68 = 144
        /// bytes; 256 leaves room for a few unknown (skipped) entries.
        /// </summary>
        public const int MaxTrailerSize = 256;

        /// <summary>The trailer the signer writes: key hash, SHA-256, signature.</summary>
        public const int StandardTrailerSize = TrailerInfoSize + 3 * EntryHeaderSize + Sha256Size + Sha256Size + SignatureSize;

        /// <summary>Smallest possible trailer: SHA-256 and signature, no key hash.</summary>
        public const int MinTrailerSize = TrailerInfoSize + 2 * EntryHeaderSize + Sha256Size + SignatureSize;

        /// <summary>floor(n / 2) of P-256's group order n, big-endian: the largest s of a signature the
        /// low-S rule accepts.</summary>
        public static readonly byte[] HalfOrder = new byte[]
        {
            0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0xDE, 0x73, 0x7D, 0x56, 0xD3, 0x8B, 0xCF, 0x42, 0x79, 0xDC, 0xE5, 0x61, 0x7E, 0x31, 0x92, 0xA8,
        };

        /// <summary>True when the 32-byte big-endian s at b[offset] is at most n / 2 (the low-S rule).</summary>
        public static bool IsLowS(byte[] b, int offset)
        {
            for (int i = 0; i < 32; i++)
            {
                int x = b[offset + i];
                int h = HalfOrder[i];
                if (x != h) return x < h;
            }

            return true;
        }

        /// <summary>Reads a little-endian u16.</summary>
        public static int ReadUInt16(byte[] b, int offset)
        {
            return b[offset] | (b[offset + 1] << 8);
        }

        /// <summary>Reads a little-endian u32.</summary>
        public static uint ReadUInt32(byte[] b, int offset)
        {
            return (uint)(b[offset] | (b[offset + 1] << 8) | (b[offset + 2] << 16) | (b[offset + 3] << 24));
        }

        /// <summary>Writes a little-endian u16.</summary>
        public static void WriteUInt16(byte[] b, int offset, int value)
        {
            b[offset] = (byte)value;
            b[offset + 1] = (byte)(value >> 8);
        }

        /// <summary>Writes a little-endian u32.</summary>
        public static void WriteUInt32(byte[] b, int offset, uint value)
        {
            b[offset] = (byte)value;
            b[offset + 1] = (byte)(value >> 8);
            b[offset + 2] = (byte)(value >> 16);
            b[offset + 3] = (byte)(value >> 24);
        }
    }
}
