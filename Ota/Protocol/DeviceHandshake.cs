using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// The device side of the Spark handshake as pure byte-level steps (no sockets): the caller
    /// reads exactly 40 bytes, calls <see cref="BuildDeviceReply"/> and sends the 256 bytes it
    /// writes, reads exactly 384 bytes and calls <see cref="ReadSessionKey"/>. Any result but Ok
    /// means: close the socket and retry later. Timeouts are the caller's: 30 s per read
    /// (<see cref="SparkProtocol.HandshakeStepTimeoutMilliseconds"/>).
    /// </summary>
    /// <remarks>
    /// Layout in <see cref="Handshake"/>. The scratch buffers are allocated once in the constructor
    /// and zeroed after each step; the session bytes never leave this object except through the
    /// <see cref="SessionKeys"/> the caller passes in, and only after the signature verified.
    /// </remarks>
    public sealed class DeviceHandshake
    {
        private readonly ICrypto _crypto;
        private readonly byte[] _deviceId;
        private readonly byte[] _devicePublicKeyDer;
        private readonly byte[] _devicePrivateKeyDer;
        private readonly byte[] _serverPublicKeyDer;
        private readonly byte[] _plain = new byte[Handshake.MaxDeviceReplyPlaintext];
        private readonly byte[] _session = new byte[Handshake.SessionCiphertextLength];
        private readonly byte[] _hmac = new byte[Handshake.HmacLength];

        /// <summary>
        /// Creates the device side. <paramref name="deviceId"/> is the 12-byte id; the keys are DER
        /// (see <see cref="ICrypto"/>): the device's RSA-1024 public key as it is sent to the cloud,
        /// its private key, and the cloud's RSA-2048 public key. The arrays are kept, not copied.
        /// </summary>
        public DeviceHandshake(ICrypto crypto, byte[] deviceId, byte[] devicePublicKeyDer,
            byte[] devicePrivateKeyDer, byte[] serverPublicKeyDer)
        {
            _crypto = crypto;
            _deviceId = deviceId;
            _devicePublicKeyDer = devicePublicKeyDer;
            _devicePrivateKeyDer = devicePrivateKeyDer;
            _serverPublicKeyDer = serverPublicKeyDer;
        }

        /// <summary>
        /// Step 1: from the cloud's 40-byte nonce, writes the 256-byte RSA block
        /// {nonce, device id, device public key DER} at <paramref name="output"/>[<paramref name="outputOffset"/>].
        /// </summary>
        public HandshakeResult BuildDeviceReply(byte[] nonce, int nonceOffset, int nonceCount,
            byte[] output, int outputOffset, int outputCapacity, out int written)
        {
            written = 0;
            if (_crypto == null || _deviceId == null || _deviceId.Length != Handshake.DeviceIdLength
                || _serverPublicKeyDer == null || nonce == null || output == null
                || nonceOffset < 0 || nonceCount < 0 || nonceOffset > nonce.Length - nonceCount
                || outputOffset < 0 || outputCapacity < 0 || outputOffset > output.Length - outputCapacity)
            {
                return HandshakeResult.InvalidArgument;
            }

            if (nonceCount != Handshake.NonceLength)
            {
                return HandshakeResult.WrongLength;
            }

            int keyLength = _devicePublicKeyDer == null ? 0 : _devicePublicKeyDer.Length;
            int plainLength = Handshake.MinDeviceReplyPlaintext + keyLength;
            if (plainLength > Handshake.MaxDeviceReplyPlaintext)
            {
                return HandshakeResult.PlaintextTooLong;
            }

            if (outputCapacity < Handshake.DeviceReplyLength)
            {
                return HandshakeResult.BufferTooSmall;
            }

            System.Array.Copy(nonce, nonceOffset, _plain, 0, Handshake.NonceLength);
            System.Array.Copy(_deviceId, 0, _plain, Handshake.NonceLength, Handshake.DeviceIdLength);
            if (keyLength > 0)
            {
                System.Array.Copy(_devicePublicKeyDer, 0, _plain, Handshake.MinDeviceReplyPlaintext, keyLength);
            }

            int n = _crypto.RsaEncrypt(_serverPublicKeyDer, _plain, 0, plainLength, output, outputOffset, outputCapacity);
            System.Array.Clear(_plain, 0, _plain.Length);
            if (n == CryptoStatus.NotSupported)
            {
                // Not a key problem: this board's crypto has no RSA (a provisioning or build mistake).
                return HandshakeResult.CryptoNotSupported;
            }

            if (n != Handshake.DeviceReplyLength)
            {
                // A wrong-size or unparsable server key (or a platform failure).
                return HandshakeResult.WrongKeySize;
            }

            written = n;
            return HandshakeResult.Ok;
        }

        /// <summary>
        /// Step 2: checks the cloud's 384-byte answer and, only if the signature verifies, loads the
        /// session key, IV and salt into <paramref name="keys"/>. WrongLength for any other length,
        /// DecryptFailed / BadPlaintext for a block this device's key does not open to 40 bytes,
        /// BadSignature when the signature is not the cloud's over this block.
        /// </summary>
        public HandshakeResult ReadSessionKey(byte[] block, int offset, int count, SessionKeys keys)
        {
            if (_crypto == null || _devicePrivateKeyDer == null || _serverPublicKeyDer == null || keys == null
                || block == null || offset < 0 || count < 0 || offset > block.Length - count)
            {
                return HandshakeResult.InvalidArgument;
            }

            if (count != Handshake.SessionBlockLength)
            {
                return HandshakeResult.WrongLength;
            }

            HandshakeResult result = ReadSessionKeyCore(block, offset, keys);
            System.Array.Clear(_session, 0, _session.Length);
            System.Array.Clear(_hmac, 0, _hmac.Length);
            return result;
        }

        private HandshakeResult ReadSessionKeyCore(byte[] block, int offset, SessionKeys keys)
        {
            int n = _crypto.RsaDecrypt(_devicePrivateKeyDer, block, offset, Handshake.SessionCiphertextLength,
                _session, 0, _session.Length);
            if (n < 0)
            {
                return HandshakeResult.DecryptFailed;
            }

            if (n != Handshake.SessionLength)
            {
                return HandshakeResult.BadPlaintext;
            }

            if (_crypto.HmacSha1(_session, 0, Handshake.SessionLength, block, offset, Handshake.SessionCiphertextLength,
                    _hmac, 0) != Handshake.HmacLength)
            {
                return HandshakeResult.BadSignature;
            }

            if (!_crypto.RsaVerifyRaw(_serverPublicKeyDer, block, offset + Handshake.SessionCiphertextLength,
                    Handshake.SignatureLength, _hmac, 0, Handshake.HmacLength))
            {
                return HandshakeResult.BadSignature;
            }

            keys.Load(_session, 0);
            return HandshakeResult.Ok;
        }
    }
}
