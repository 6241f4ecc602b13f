namespace CoreFirmware.Ota.Image
{
    /// <summary>The outcome of checking a signed image; each failure has its own value.</summary>
    public enum ImageVerifyResult
    {
        /// <summary>Header, size, board, digest and signature all good.</summary>
        Ok = 0,

        /// <summary>The first four bytes are not <see cref="ImageFormat.Magic"/>.</summary>
        BadMagic = 1,

        /// <summary>Format version or header size this firmware does not read.</summary>
        UnsupportedVersion = 2,

        /// <summary>The image is built for another board.</summary>
        WrongBoard = 3,

        /// <summary>Header + payload + trailer cannot fit the slot.</summary>
        TooLarge = 4,

        /// <summary>Fewer bytes are present than the header declares, or the trailer is incomplete or malformed.</summary>
        Truncated = 5,

        /// <summary>The SHA-256 entry is missing or differs from the digest of header + payload.</summary>
        BadHash = 6,

        /// <summary>The signature entry is missing, made by another key, or does not verify.</summary>
        BadSignature = 7,

        /// <summary>A reserved field (the header's reserved word, a trailer entry's reserved byte) is not
        /// zero, or bytes follow the trailer in an image whose length is known.</summary>
        Malformed = 8,
    }
}
