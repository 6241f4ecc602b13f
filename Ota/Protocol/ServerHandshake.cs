using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// The cloud side of the Spark handshake as pure byte-level steps, for the local cloud (and for
    /// tests): <see cref="SetNonce"/> (send those 40 bytes plain), <see cref="ReadDeviceReply"/> on
    /// exactly 256 received bytes, look up the device's key by <see cref="DeviceId"/>, then
    /// <see cref="BuildSessionKey"/> and send its 384 bytes. Randomness (nonce, session bytes) comes
    /// from the caller, so the steps are deterministic and need no RNG in <see cref="ICrypto"/>.
    /// </summary>
    /// <remarks>
    /// Like spark-protocol 0.1.6 (Handshake.read_coreid) it accepts a device reply plaintext of 52
    /// bytes or more; bytes after the id are the device's public key DER, offered to the cloud.
    /// spark-protocol uses the key stored for the id, and only saves an offered key when it has
    /// none (failing that handshake); which key to trust is the caller's choice here.
    /// </remarks>
    public sealed class ServerHandshake
    {
        private readonly ICrypto _crypto;
        private readonly byte[] _serverPrivateKeyDer;
        private readonly byte[] _nonce = new byte[Handshake.NonceLength];
        private readonly byte[] _deviceId = new byte[Handshake.DeviceIdLength];
        private readonly byte[] _plain = new byte[Handshake.DeviceReplyLength];
        private readonly byte[] _offeredKey = new byte[Handshake.MaxDeviceReplyPlaintext - Handshake.MinDeviceReplyPlaintext];
        private readonly byte[] _hmac = new byte[Handshake.HmacLength];
        private int _offeredKeyLength;
        private bool _nonceSet;
        private bool _replyRead;

        /// <summary>Creates the cloud side with its RSA-2048 private key (DER; kept, not copied).</summary>
        public ServerHandshake(ICrypto crypto, byte[] serverPrivateKeyDer)
        {
            _crypto = crypto;
            _serverPrivateKeyDer = serverPrivateKeyDer;
        }

        /// <summary>The nonce set by <see cref="SetNonce"/>.</summary>
        public byte[] Nonce { get { return _nonce; } }

        /// <summary>The device id read by <see cref="ReadDeviceReply"/> (12 bytes).</summary>
        public byte[] DeviceId { get { return _deviceId; } }

        /// <summary>Length of the public key DER the device offered (0 if none).</summary>
        public int OfferedKeyLength { get { return _offeredKeyLength; } }

        /// <summary>Copies the offered key DER into a new array (allocates; once per handshake). Null if none.</summary>
        public byte[] CopyOfferedKey()
        {
            if (_offeredKeyLength == 0)
            {
                return null;
            }

            byte[] key = new byte[_offeredKeyLength];
            System.Array.Copy(_offeredKey, 0, key, 0, _offeredKeyLength);
            return key;
        }

        /// <summary>Step 1: takes 40 random bytes as the nonce; the caller sends them as they are.</summary>
        public HandshakeResult SetNonce(byte[] random, int offset, int count)
        {
            if (random == null || offset < 0 || count < 0 || offset > random.Length - count)
            {
                return HandshakeResult.InvalidArgument;
            }

            if (count != Handshake.NonceLength)
            {
                return HandshakeResult.WrongLength;
            }

            System.Array.Copy(random, offset, _nonce, 0, Handshake.NonceLength);
            _nonceSet = true;
            _replyRead = false;
            _offeredKeyLength = 0;
            return HandshakeResult.Ok;
        }

        /// <summary>
        /// Step 2: decrypts the device's 256-byte reply with the cloud's private key and checks the
        /// nonce. On Ok, <see cref="DeviceId"/> and the offered key are available.
        /// </summary>
        public HandshakeResult ReadDeviceReply(byte[] block, int offset, int count)
        {
            if (_crypto == null || _serverPrivateKeyDer == null || block == null
                || offset < 0 || count < 0 || offset > block.Length - count)
            {
                return HandshakeResult.InvalidArgument;
            }

            if (!_nonceSet)
            {
                return HandshakeResult.InvalidState;
            }

            _replyRead = false;
            if (count != Handshake.DeviceReplyLength)
            {
                return HandshakeResult.WrongLength;
            }

            int n = _crypto.RsaDecrypt(_serverPrivateKeyDer, block, offset, count, _plain, 0, _plain.Length);
            HandshakeResult result = CheckReply(n);
            System.Array.Clear(_plain, 0, _plain.Length);
            return result;
        }

        private HandshakeResult CheckReply(int n)
        {
            if (n < 0)
            {
                return HandshakeResult.DecryptFailed;
            }

            if (n < Handshake.MinDeviceReplyPlaintext || n > Handshake.MaxDeviceReplyPlaintext)
            {
                return HandshakeResult.BadPlaintext;
            }

            int diff = 0;
            for (int i = 0; i < Handshake.NonceLength; i++)
            {
                diff |= _plain[i] ^ _nonce[i];
            }

            if (diff != 0)
            {
                return HandshakeResult.NonceMismatch;
            }

            System.Array.Copy(_plain, Handshake.NonceLength, _deviceId, 0, Handshake.DeviceIdLength);
            _offeredKeyLength = n - Handshake.MinDeviceReplyPlaintext;
            System.Array.Copy(_plain, Handshake.MinDeviceReplyPlaintext, _offeredKey, 0, _offeredKeyLength);
            _replyRead = true;
            return HandshakeResult.Ok;
        }

        /// <summary>
        /// Step 3: encrypts the 40 session bytes (<paramref name="session"/>, random, chosen by the
        /// caller) with the device's RSA-1024 public key, signs the HMAC-SHA1 of that ciphertext, writes
        /// the 384-byte answer and loads <paramref name="keys"/>. WrongKeySize when the device key
        /// does not give a 128-byte block or the cloud key a 256-byte signature.
        /// </summary>
        public HandshakeResult BuildSessionKey(byte[] devicePublicKeyDer, byte[] session, int sessionOffset, int sessionCount,
            byte[] output, int outputOffset, int outputCapacity, SessionKeys keys, out int written)
        {
            written = 0;
            if (_crypto == null || _serverPrivateKeyDer == null || devicePublicKeyDer == null || keys == null
                || session == null || sessionOffset < 0 || sessionCount < 0 || sessionOffset > session.Length - sessionCount
                || output == null || outputOffset < 0 || outputCapacity < 0 || outputOffset > output.Length - outputCapacity)
            {
                return HandshakeResult.InvalidArgument;
            }

            if (!_replyRead)
            {
                return HandshakeResult.InvalidState;
            }

            if (sessionCount != Handshake.SessionLength)
            {
                return HandshakeResult.WrongLength;
            }

            if (outputCapacity < Handshake.SessionBlockLength)
            {
                return HandshakeResult.BufferTooSmall;
            }

            // RsaEncrypt writes one modulus-sized block: give it only 128 bytes of room, so a larger
            // device key is refused rather than overrunning into the signature area.
            int n = _crypto.RsaEncrypt(devicePublicKeyDer, session, sessionOffset, Handshake.SessionLength,
                output, outputOffset, Handshake.SessionCiphertextLength);
            if (n != Handshake.SessionCiphertextLength)
            {
                return HandshakeResult.WrongKeySize;
            }

            if (_crypto.HmacSha1(session, sessionOffset, Handshake.SessionLength, output, outputOffset,
                    Handshake.SessionCiphertextLength, _hmac, 0) != Handshake.HmacLength)
            {
                return HandshakeResult.WrongKeySize;
            }

            n = _crypto.RsaSignRaw(_serverPrivateKeyDer, _hmac, 0, Handshake.HmacLength,
                output, outputOffset + Handshake.SessionCiphertextLength, Handshake.SignatureLength);
            System.Array.Clear(_hmac, 0, _hmac.Length);
            if (n != Handshake.SignatureLength)
            {
                return HandshakeResult.WrongKeySize;
            }

            keys.Load(session, sessionOffset);
            written = Handshake.SessionBlockLength;
            return HandshakeResult.Ok;
        }
    }
}
