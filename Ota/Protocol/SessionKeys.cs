namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// The 40 session bytes the cloud chooses in the handshake, split as spark-protocol does
    /// (ICrypto.js CreateAESCipherStream): AES-128 key = bytes 0-15, IV = 16-31, salt = 32-39.
    /// </summary>
    public sealed class SessionKeys
    {
        private readonly byte[] _key = new byte[16];
        private readonly byte[] _iv = new byte[16];
        private readonly byte[] _salt = new byte[8];
        private bool _loaded;

        /// <summary>AES-128 key (16 bytes).</summary>
        public byte[] Key { get { return _key; } }

        /// <summary>Initial IV of both directions (16 bytes).</summary>
        public byte[] Iv { get { return _iv; } }

        /// <summary>Salt (8 bytes; the 0.1.6 cloud ignores it).</summary>
        public byte[] Salt { get { return _salt; } }

        /// <summary>True once keys are loaded.</summary>
        public bool IsLoaded { get { return _loaded; } }

        /// <summary>Splits 40 session bytes at <paramref name="offset"/>.</summary>
        public void Load(byte[] session, int offset)
        {
            System.Array.Copy(session, offset, _key, 0, 16);
            System.Array.Copy(session, offset + Handshake.SessionIvOffset, _iv, 0, 16);
            System.Array.Copy(session, offset + Handshake.SessionSaltOffset, _salt, 0, 8);
            _loaded = true;
        }

        /// <summary>Zeroes the keys.</summary>
        public void Clear()
        {
            System.Array.Clear(_key, 0, 16);
            System.Array.Clear(_iv, 0, 16);
            System.Array.Clear(_salt, 0, 8);
            _loaded = false;
        }
    }
}
