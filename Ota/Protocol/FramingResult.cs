namespace CoreFirmware.Ota.Protocol
{
    /// <summary>Outcome of a <see cref="SecureFraming"/> or <see cref="FrameReader"/> step.</summary>
    public enum FramingResult
    {
        /// <summary>Success.</summary>
        Ok = 0,

        /// <summary>A null buffer or an offset/count outside its array (caller error; no state change).</summary>
        InvalidArgument,

        /// <summary>No session keys yet (<see cref="SecureFraming.Start"/> not called).</summary>
        NotStarted,

        /// <summary>An earlier received frame failed: the stream is out of step, drop the link.</summary>
        Broken,

        /// <summary>The output area is too small (caller error; no state change).</summary>
        BufferTooSmall,

        /// <summary>A plaintext longer than <see cref="SecureFraming.MaxPlaintextLength"/> to send
        /// (caller error; no state change).</summary>
        MessageTooLong,

        /// <summary>A received frame whose length prefix disagrees with its size, or whose
        /// ciphertext is empty or not a multiple of 16.</summary>
        BadLength,

        /// <summary>A length prefix above <see cref="SecureFraming.MaxCiphertextLength"/>.</summary>
        FrameTooLong,

        /// <summary>Decryption gave malformed PKCS#7 padding (wrong key/IV, tampering, garbage).</summary>
        BadPadding,

        /// <summary>The crypto provider failed otherwise.</summary>
        CryptoFailed
    }
}
