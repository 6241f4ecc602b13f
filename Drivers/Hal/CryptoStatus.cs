namespace CoreFirmware.Drivers.Hal
{
    /// <summary>
    /// Failure codes returned by <see cref="ICrypto"/> methods. Every length-returning method gives
    /// a non-negative byte count on success and one of these (all negative) on failure.
    /// </summary>
    public static class CryptoStatus
    {
        /// <summary>A buffer argument was null, or an offset/count lay outside its array.</summary>
        public const int InvalidArgument = -1;

        /// <summary>The key material could not be parsed, or has the wrong size.</summary>
        public const int InvalidKey = -2;

        /// <summary>The input has a length the operation cannot take (e.g. AES input not a multiple
        /// of 16, RSA plaintext longer than the modulus allows, RSA ciphertext not modulus-sized).</summary>
        public const int InvalidLength = -3;

        /// <summary>The output area is smaller than the result.</summary>
        public const int BufferTooSmall = -4;

        /// <summary>Decryption produced malformed padding (PKCS#1 v1.5 or PKCS#7).</summary>
        public const int BadPadding = -5;

        /// <summary>The primitive failed for another reason (reported by the platform).</summary>
        public const int Failed = -6;

        /// <summary>This implementation does not provide the operation (e.g. a verification-only
        /// implementation asked for RSA or AES).</summary>
        public const int NotSupported = -7;
    }
}
