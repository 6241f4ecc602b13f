using System;

namespace CoreFirmware.Ota.Image
{
    /// <summary>
    /// The fields of a signed image's 32-byte header (layout in <see cref="ImageFormat"/>).
    /// Version is major.minor.revision+build (u8.u8.u16+u32).
    /// </summary>
    public sealed class ImageHeader
    {
        /// <summary>Magic as read.</summary>
        public uint Magic;

        /// <summary>Format version as read.</summary>
        public int FormatVersion;

        /// <summary>Header size as read.</summary>
        public int HeaderSize;

        /// <summary>Board the image is built for.</summary>
        public uint BoardId;

        /// <summary>Version major (u8).</summary>
        public int Major;

        /// <summary>Version minor (u8).</summary>
        public int Minor;

        /// <summary>Version revision (u16).</summary>
        public int Revision;

        /// <summary>Version build number (u32).</summary>
        public uint Build;

        /// <summary>Payload bytes after the header.</summary>
        public uint PayloadSize;

        /// <summary>Flags (<see cref="ImageFlags"/>).</summary>
        public uint Flags;

        /// <summary>The reserved word as read (must be 0).</summary>
        public uint Reserved;

        /// <summary>Reads the header fields from b[offset..offset+32) (no checks).</summary>
        public void Read(byte[] b, int offset)
        {
            if (b == null) throw new ArgumentNullException("b");
            if (offset < 0 || offset > b.Length - ImageFormat.HeaderSize) throw new ArgumentOutOfRangeException("offset");
            Magic = ImageFormat.ReadUInt32(b, offset);
            FormatVersion = ImageFormat.ReadUInt16(b, offset + 4);
            HeaderSize = ImageFormat.ReadUInt16(b, offset + 6);
            BoardId = ImageFormat.ReadUInt32(b, offset + 8);
            Major = b[offset + 12];
            Minor = b[offset + 13];
            Revision = ImageFormat.ReadUInt16(b, offset + 14);
            Build = ImageFormat.ReadUInt32(b, offset + 16);
            PayloadSize = ImageFormat.ReadUInt32(b, offset + 20);
            Flags = ImageFormat.ReadUInt32(b, offset + 24);
            Reserved = ImageFormat.ReadUInt32(b, offset + 28);
        }

        /// <summary>Writes the 32-byte header at b[offset] (reserved word 0).</summary>
        public void Write(byte[] b, int offset)
        {
            if (b == null) throw new ArgumentNullException("b");
            if (offset < 0 || offset > b.Length - ImageFormat.HeaderSize) throw new ArgumentOutOfRangeException("offset");
            ImageFormat.WriteUInt32(b, offset, Magic);
            ImageFormat.WriteUInt16(b, offset + 4, FormatVersion);
            ImageFormat.WriteUInt16(b, offset + 6, HeaderSize);
            ImageFormat.WriteUInt32(b, offset + 8, BoardId);
            b[offset + 12] = (byte)Major;
            b[offset + 13] = (byte)Minor;
            ImageFormat.WriteUInt16(b, offset + 14, Revision);
            ImageFormat.WriteUInt32(b, offset + 16, Build);
            ImageFormat.WriteUInt32(b, offset + 20, PayloadSize);
            ImageFormat.WriteUInt32(b, offset + 24, Flags);
            ImageFormat.WriteUInt32(b, offset + 28, 0);
        }

        /// <summary>
        /// The header checks that need no payload: magic, version, reserved word zero (else
        /// <see cref="ImageVerifyResult.Malformed"/>), board, and that header + payload + the smallest
        /// trailer fit <paramref name="slotSize"/>. OtaService can run this on the first 32 bytes before
        /// it erases the slot.
        /// </summary>
        public ImageVerifyResult Check(uint expectedBoardId, int slotSize)
        {
            if (Magic != ImageFormat.Magic) return ImageVerifyResult.BadMagic;
            if (FormatVersion != ImageFormat.FormatVersion || HeaderSize != ImageFormat.HeaderSize) return ImageVerifyResult.UnsupportedVersion;
            if (Reserved != 0) return ImageVerifyResult.Malformed;
            if (BoardId != expectedBoardId) return ImageVerifyResult.WrongBoard;
            if (PayloadSize > (uint)slotSize || (long)PayloadSize + ImageFormat.HeaderSize + ImageFormat.MinTrailerSize > slotSize)
            {
                return ImageVerifyResult.TooLarge;
            }

            return ImageVerifyResult.Ok;
        }
    }
}
