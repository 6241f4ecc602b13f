namespace CoreFirmware.Ota.Protocol
{
    /// <summary>Outcome of a handshake step. Anything but <see cref="Ok"/> means: drop the link.</summary>
    public enum HandshakeResult
    {
        /// <summary>Step succeeded.</summary>
        Ok = 0,

        /// <summary>A null buffer, bad offset/count or a key array of the wrong size.</summary>
        InvalidArgument,

        /// <summary>The received block is not the exact length the step expects (40, 256 or 384).</summary>
        WrongLength,

        /// <summary>RSA decryption failed (wrong key, tampered or garbage block).</summary>
        DecryptFailed,

        /// <summary>The decrypted plaintext has the wrong length (device reply under 52 bytes,
        /// session block not 40 bytes).</summary>
        BadPlaintext,

        /// <summary>The device echoed a different nonce.</summary>
        NonceMismatch,

        /// <summary>The cloud's signature over the session key does not verify.</summary>
        BadSignature,

        /// <summary>The device reply plaintext (nonce, id, key DER) exceeds 245 bytes.</summary>
        PlaintextTooLong,

        /// <summary>A key does not give the block size the protocol fixes (device key must be
        /// RSA-1024, server key RSA-2048), or RSA encryption/signing failed.</summary>
        WrongKeySize,

        /// <summary>The output buffer is too small.</summary>
        BufferTooSmall,

        /// <summary>A step was called out of order (e.g. reading the reply before a nonce was set).</summary>
        InvalidState,

        /// <summary>The board's crypto provider does not implement an operation the step needs (RSA).</summary>
        CryptoNotSupported
    }
}
