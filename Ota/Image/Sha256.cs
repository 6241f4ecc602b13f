using System;

namespace CoreFirmware.Ota.Image
{
    /// <summary>
    /// Incremental SHA-256 (FIPS 180-4) in plain firmware C#, so an image held in external flash can
    /// be hashed in fixed pieces (<c>ICrypto.Sha256</c> is one-shot and would need the whole
    /// image in RAM). Usage: <see cref="Begin"/>, any number of <see cref="Update"/>, <see cref="Finish"/>.
    /// </summary>
    /// <remarks>
    /// Allocation: the 64-word round constants are one static array; each instance allocates its
    /// state (8 words), message schedule (64 words) and 64-byte block buffer in the constructor and
    /// nothing after. Not thread-safe: one instance per user.
    /// </remarks>
    public sealed class Sha256
    {
        /// <summary>Digest length in bytes.</summary>
        public const int DigestSize = 32;

        /// <summary>Block length in bytes.</summary>
        public const int BlockSize = 64;

        // FIPS 180-4 section 4.2.2: first 32 bits of the fractional parts of the cube roots of the
        // first 64 primes.
        private static readonly uint[] K = new uint[]
        {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        };

        private readonly uint[] _h = new uint[8];
        private readonly uint[] _w = new uint[64];
        private readonly byte[] _block = new byte[BlockSize];
        private int _blockFill;
        private long _totalBytes;
        private bool _started;

        /// <summary>Creates a hasher; call <see cref="Begin"/> before use.</summary>
        public Sha256()
        {
        }

        /// <summary>Starts a new digest (discarding any unfinished one).</summary>
        public void Begin()
        {
            // FIPS 180-4 section 5.3.3 initial hash value.
            _h[0] = 0x6a09e667; _h[1] = 0xbb67ae85; _h[2] = 0x3c6ef372; _h[3] = 0xa54ff53a;
            _h[4] = 0x510e527f; _h[5] = 0x9b05688c; _h[6] = 0x1f83d9ab; _h[7] = 0x5be0cd19;
            _blockFill = 0;
            _totalBytes = 0;
            _started = true;
        }

        /// <summary>Adds data[offset..offset+count) to the digest.</summary>
        /// <exception cref="InvalidOperationException"><see cref="Begin"/> was not called.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range lies outside the array.</exception>
        public void Update(byte[] data, int offset, int count)
        {
            if (!_started) throw new InvalidOperationException("Begin first");
            if (data == null) throw new ArgumentNullException("data");
            if (offset < 0 || count < 0 || offset > data.Length - count) throw new ArgumentOutOfRangeException("count");
            _totalBytes += count;
            while (count > 0)
            {
                if (_blockFill == 0 && count >= BlockSize)
                {
                    Compress(data, offset);
                    offset += BlockSize;
                    count -= BlockSize;
                    continue;
                }

                int n = BlockSize - _blockFill;
                if (n > count) n = count;
                Array.Copy(data, offset, _block, _blockFill, n);
                _blockFill += n;
                offset += n;
                count -= n;
                if (_blockFill == BlockSize)
                {
                    Compress(_block, 0);
                    _blockFill = 0;
                }
            }
        }

        /// <summary>
        /// Pads, writes the 32-byte digest at output[outputOffset] and ends the digest (call
        /// <see cref="Begin"/> again for another).
        /// </summary>
        public void Finish(byte[] output, int outputOffset)
        {
            if (!_started) throw new InvalidOperationException("Begin first");
            if (output == null) throw new ArgumentNullException("output");
            if (outputOffset < 0 || outputOffset > output.Length - DigestSize) throw new ArgumentOutOfRangeException("outputOffset");
            long bits = _totalBytes * 8;
            _block[_blockFill++] = 0x80;
            if (_blockFill > BlockSize - 8)
            {
                while (_blockFill < BlockSize) _block[_blockFill++] = 0;
                Compress(_block, 0);
                _blockFill = 0;
            }

            while (_blockFill < BlockSize - 8) _block[_blockFill++] = 0;
            for (int i = 0; i < 8; i++)
            {
                _block[BlockSize - 1 - i] = (byte)(bits >> (8 * i));
            }

            Compress(_block, 0);
            for (int i = 0; i < 8; i++)
            {
                uint v = _h[i];
                output[outputOffset + 4 * i] = (byte)(v >> 24);
                output[outputOffset + 4 * i + 1] = (byte)(v >> 16);
                output[outputOffset + 4 * i + 2] = (byte)(v >> 8);
                output[outputOffset + 4 * i + 3] = (byte)v;
            }

            _blockFill = 0;
            _started = false;
        }

        private static uint Rotr(uint x, int n)
        {
            return (x >> n) | (x << (32 - n));
        }

        private void Compress(byte[] data, int offset)
        {
            uint[] w = _w;
            for (int t = 0; t < 16; t++)
            {
                int p = offset + 4 * t;
                w[t] = ((uint)data[p] << 24) | ((uint)data[p + 1] << 16) | ((uint)data[p + 2] << 8) | data[p + 3];
            }

            for (int t = 16; t < 64; t++)
            {
                uint x = w[t - 15];
                uint y = w[t - 2];
                uint s0 = Rotr(x, 7) ^ Rotr(x, 18) ^ (x >> 3);
                uint s1 = Rotr(y, 17) ^ Rotr(y, 19) ^ (y >> 10);
                w[t] = w[t - 16] + s0 + w[t - 7] + s1;
            }

            uint a = _h[0], b = _h[1], c = _h[2], d = _h[3], e = _h[4], f = _h[5], g = _h[6], h = _h[7];
            for (int t = 0; t < 64; t++)
            {
                uint t1 = h + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
                uint t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
                h = g;
                g = f;
                f = e;
                e = d + t1;
                d = c;
                c = b;
                b = a;
                a = t1 + t2;
            }

            _h[0] += a; _h[1] += b; _h[2] += c; _h[3] += d;
            _h[4] += e; _h[5] += f; _h[6] += g; _h[7] += h;
        }
    }
}
