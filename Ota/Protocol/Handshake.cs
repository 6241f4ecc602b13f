namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// Byte layout of the Spark handshake (spark-protocol 0.1.6 lib/Handshake.js), shared by
    /// <see cref="DeviceHandshake"/> and <see cref="ServerHandshake"/>:
    /// <list type="number">
    /// <item>cloud to device, plain: 40-byte random nonce;</item>
    /// <item>device to cloud: 256 bytes = RSA-2048 PKCS#1 v1.5 encryption with the cloud's public key
    /// of nonce (40, as received) || device id (12, STM32 unique id in address order) || the
    /// device's public key as DER SubjectPublicKeyInfo (162 bytes for RSA-1024; optional for the
    /// cloud, which accepts any plaintext of 52 bytes or more);</item>
    /// <item>cloud to device: 384 bytes = 128-byte RSA-1024 PKCS#1 v1.5 encryption with the device's
    /// public key of the 40 session bytes (AES key 16 || IV 16 || salt 8), then a 256-byte RSA
    /// block-type-1 signature with the cloud's private key over HMAC-SHA1(key = the 40 session
    /// bytes, data = the 128-byte ciphertext) — raw, with no DigestInfo (ursa privateEncrypt);</item>
    /// <item>both sides switch to AES-128-CBC framing (<see cref="SecureFraming"/>); the device sends
    /// Hello first, then the cloud.</item>
    /// </list>
    /// </summary>
    public static class Handshake
    {
        /// <summary>Nonce the cloud sends first (Handshake.NONCE_BYTES).</summary>
        public const int NonceLength = 40;

        /// <summary>Device id: the STM32's 96-bit unique id (Handshake.ID_BYTES).</summary>
        public const int DeviceIdLength = 12;

        /// <summary>Session bytes: AES key, IV, salt (Handshake.SESSION_BYTES).</summary>
        public const int SessionLength = 40;

        /// <summary>Offset of the IV in the session bytes.</summary>
        public const int SessionIvOffset = 16;

        /// <summary>Offset of the salt in the session bytes (the 0.1.6 cloud does not use it).</summary>
        public const int SessionSaltOffset = 32;

        /// <summary>Size of the device's reply: one RSA-2048 block.</summary>
        public const int DeviceReplyLength = 256;

        /// <summary>Largest plaintext one RSA-2048 PKCS#1 v1.5 block carries: 256 - 11.</summary>
        public const int MaxDeviceReplyPlaintext = DeviceReplyLength - 11;

        /// <summary>Nonce plus device id: the shortest device reply plaintext the cloud accepts.</summary>
        public const int MinDeviceReplyPlaintext = NonceLength + DeviceIdLength;

        /// <summary>Encrypted session bytes: one RSA-1024 block.</summary>
        public const int SessionCiphertextLength = 128;

        /// <summary>The cloud's signature: one RSA-2048 block.</summary>
        public const int SignatureLength = 256;

        /// <summary>The cloud's whole answer: ciphertext then signature.</summary>
        public const int SessionBlockLength = SessionCiphertextLength + SignatureLength;

        /// <summary>HMAC-SHA1 output size.</summary>
        public const int HmacLength = 20;

        /// <summary>DER SubjectPublicKeyInfo of an RSA-1024 key with exponent 65537.</summary>
        public const int DevicePublicKeyDerLength = 162;
    }
}
