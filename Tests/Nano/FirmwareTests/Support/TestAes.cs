using System;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Nano.FirmwareTests.Support
{
    /// <summary>
    /// AES-128-CBC with PKCS#7 padding written for the tests (FIPS-197), so the secure framing runs on
    /// nanoCLR, which has no AES; the rest as <see cref="CryptoBase"/> (SHA-256 and ECDSA from the
    /// firmware's ManagedImageCrypto, no RSA or HMAC). Checked against FIPS-197 C.1 and SP 800-38A F.2.1 (AesVectorTests).
    /// Slow and simple: a table-free S-box computed once, one block at a time.
    /// </summary>
    public sealed class TestAes : CryptoBase
    {
        private static readonly byte[] Sbox = new byte[256];
        private static readonly byte[] InvSbox = new byte[256];
        private static readonly byte[] Rcon = { 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1B, 0x36 };
        private static bool _tablesBuilt;

        private readonly byte[] _roundKeys = new byte[176];
        private readonly byte[] _block = new byte[16];
        private readonly byte[] _chain = new byte[16];
        private readonly byte[] _next = new byte[16];

        /// <summary>Creates the provider (the S-boxes are built on first use).</summary>
        public TestAes()
        {
            BuildTables();
        }

        /// <summary>Encrypts one 16-byte block in place with <paramref name="key"/> (ECB; for vectors and crafted frames).</summary>
        public void EncryptBlock(byte[] key, byte[] block, int offset)
        {
            ExpandKey(key);
            Encrypt(block, offset);
        }

        /// <inheritdoc />
        public override int AesCbcEncrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            if (key == null || iv == null || input == null || output == null || key.Length < 16 || iv.Length < 16) return CryptoStatus.InvalidArgument;
            if (inputOffset < 0 || inputCount < 0 || inputOffset > input.Length - inputCount) return CryptoStatus.InvalidArgument;
            int total = (inputCount / 16 + 1) * 16;
            if (outputOffset < 0 || outputCapacity < 0 || outputOffset > output.Length - outputCapacity) return CryptoStatus.InvalidArgument;
            if (outputCapacity < total) return CryptoStatus.BufferTooSmall;
            ExpandKey(key);
            Array.Copy(iv, 0, _chain, 0, 16);
            int pad = total - inputCount;
            for (int b = 0; b < total; b += 16)
            {
                for (int i = 0; i < 16; i++)
                {
                    int at = b + i;
                    byte p = at < inputCount ? input[inputOffset + at] : (byte)pad;
                    _block[i] = (byte)(p ^ _chain[i]);
                }

                Encrypt(_block, 0);
                Array.Copy(_block, 0, _chain, 0, 16);
                Array.Copy(_block, 0, output, outputOffset + b, 16);
            }

            return total;
        }

        /// <inheritdoc />
        public override int AesCbcDecrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity)
        {
            if (key == null || iv == null || input == null || output == null || key.Length < 16 || iv.Length < 16) return CryptoStatus.InvalidArgument;
            if (inputOffset < 0 || inputCount < 0 || inputOffset > input.Length - inputCount) return CryptoStatus.InvalidArgument;
            if (outputOffset < 0 || outputCapacity < 0 || outputOffset > output.Length - outputCapacity) return CryptoStatus.InvalidArgument;
            if (inputCount == 0 || inputCount % 16 != 0) return CryptoStatus.InvalidLength;
            if (outputCapacity < inputCount) return CryptoStatus.BufferTooSmall;
            ExpandKey(key);
            Array.Copy(iv, 0, _chain, 0, 16);
            for (int b = 0; b < inputCount; b += 16)
            {
                Array.Copy(input, inputOffset + b, _block, 0, 16);
                Array.Copy(_block, 0, _next, 0, 16);
                Decrypt(_block);
                for (int i = 0; i < 16; i++) output[outputOffset + b + i] = (byte)(_block[i] ^ _chain[i]);
                Array.Copy(_next, 0, _chain, 0, 16);
            }

            int pad = output[outputOffset + inputCount - 1];
            if (pad < 1 || pad > 16) return CryptoStatus.BadPadding;
            for (int i = 1; i <= pad; i++)
            {
                if (output[outputOffset + inputCount - i] != pad) return CryptoStatus.BadPadding;
            }

            return inputCount - pad;
        }

        // ---- the cipher ------------------------------------------------------------------------

        private static void BuildTables()
        {
            if (_tablesBuilt) return;
            // Powers and logarithms of the generator 3 in GF(2^8) give each byte's inverse.
            byte[] exp = new byte[256];
            byte[] log = new byte[256];
            int x = 1;
            for (int i = 0; i < 255; i++)
            {
                exp[i] = (byte)x;
                log[x] = (byte)i;
                x ^= Xtime(x); // x * 3
            }

            for (int a = 0; a < 256; a++)
            {
                int inv = a == 0 ? 0 : exp[(255 - log[a]) % 255];
                int s = inv ^ Rotl(inv, 1) ^ Rotl(inv, 2) ^ Rotl(inv, 3) ^ Rotl(inv, 4) ^ 0x63;
                Sbox[a] = (byte)s;
                InvSbox[s] = (byte)a;
            }

            _tablesBuilt = true;
        }

        private static int Rotl(int b, int n)
        {
            return ((b << n) | (b >> (8 - n))) & 0xFF;
        }

        private static int Xtime(int b)
        {
            b <<= 1;
            if ((b & 0x100) != 0) b ^= 0x11B;
            return b;
        }

        private static int Mul(int a, int b)
        {
            int r = 0;
            while (b != 0)
            {
                if ((b & 1) != 0) r ^= a;
                a = Xtime(a);
                b >>= 1;
            }

            return r;
        }

        private void ExpandKey(byte[] key)
        {
            Array.Copy(key, 0, _roundKeys, 0, 16);
            for (int i = 4; i < 44; i++)
            {
                int p = 4 * (i - 1);
                int t0 = _roundKeys[p], t1 = _roundKeys[p + 1], t2 = _roundKeys[p + 2], t3 = _roundKeys[p + 3];
                if (i % 4 == 0)
                {
                    int r = t0;
                    t0 = Sbox[t1] ^ Rcon[i / 4 - 1];
                    t1 = Sbox[t2];
                    t2 = Sbox[t3];
                    t3 = Sbox[r];
                }

                int q = 4 * (i - 4);
                _roundKeys[4 * i] = (byte)(_roundKeys[q] ^ t0);
                _roundKeys[4 * i + 1] = (byte)(_roundKeys[q + 1] ^ t1);
                _roundKeys[4 * i + 2] = (byte)(_roundKeys[q + 2] ^ t2);
                _roundKeys[4 * i + 3] = (byte)(_roundKeys[q + 3] ^ t3);
            }
        }

        private void AddRoundKey(byte[] s, int offset, int round)
        {
            for (int i = 0; i < 16; i++) s[offset + i] ^= _roundKeys[16 * round + i];
        }

        private void Encrypt(byte[] s, int o)
        {
            AddRoundKey(s, o, 0);
            for (int round = 1; round <= 10; round++)
            {
                for (int i = 0; i < 16; i++) s[o + i] = Sbox[s[o + i]];
                ShiftRows(s, o);
                if (round < 10)
                {
                    for (int c = 0; c < 4; c++)
                    {
                        int p = o + 4 * c;
                        int a0 = s[p], a1 = s[p + 1], a2 = s[p + 2], a3 = s[p + 3];
                        s[p] = (byte)(Xtime(a0) ^ Xtime(a1) ^ a1 ^ a2 ^ a3);
                        s[p + 1] = (byte)(a0 ^ Xtime(a1) ^ Xtime(a2) ^ a2 ^ a3);
                        s[p + 2] = (byte)(a0 ^ a1 ^ Xtime(a2) ^ Xtime(a3) ^ a3);
                        s[p + 3] = (byte)(Xtime(a0) ^ a0 ^ a1 ^ a2 ^ Xtime(a3));
                    }
                }

                AddRoundKey(s, o, round);
            }
        }

        private void Decrypt(byte[] s)
        {
            AddRoundKey(s, 0, 10);
            for (int round = 9; round >= 0; round--)
            {
                InvShiftRows(s);
                for (int i = 0; i < 16; i++) s[i] = InvSbox[s[i]];
                AddRoundKey(s, 0, round);
                if (round > 0)
                {
                    for (int c = 0; c < 4; c++)
                    {
                        int p = 4 * c;
                        int a0 = s[p], a1 = s[p + 1], a2 = s[p + 2], a3 = s[p + 3];
                        s[p] = (byte)(Mul(a0, 14) ^ Mul(a1, 11) ^ Mul(a2, 13) ^ Mul(a3, 9));
                        s[p + 1] = (byte)(Mul(a0, 9) ^ Mul(a1, 14) ^ Mul(a2, 11) ^ Mul(a3, 13));
                        s[p + 2] = (byte)(Mul(a0, 13) ^ Mul(a1, 9) ^ Mul(a2, 14) ^ Mul(a3, 11));
                        s[p + 3] = (byte)(Mul(a0, 11) ^ Mul(a1, 13) ^ Mul(a2, 9) ^ Mul(a3, 14));
                    }
                }
            }
        }

        private void ShiftRows(byte[] s, int o)
        {
            for (int r = 1; r < 4; r++)
            {
                for (int n = 0; n < r; n++)
                {
                    byte first = s[o + r];
                    s[o + r] = s[o + r + 4];
                    s[o + r + 4] = s[o + r + 8];
                    s[o + r + 8] = s[o + r + 12];
                    s[o + r + 12] = first;
                }
            }
        }

        private void InvShiftRows(byte[] s)
        {
            for (int r = 1; r < 4; r++)
            {
                for (int n = 0; n < r; n++)
                {
                    byte last = s[r + 12];
                    s[r + 12] = s[r + 8];
                    s[r + 8] = s[r + 4];
                    s[r + 4] = s[r];
                    s[r] = last;
                }
            }
        }
    }
}
