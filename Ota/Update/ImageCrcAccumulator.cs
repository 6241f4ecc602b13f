using System;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Ota.Update
{
    /// <summary>
    /// The CRC32 (IEEE, as <see cref="Crc32"/>) of a whole image built from its chunks in ANY order,
    /// so fast OTA (chunks out of order, resends) gets the same end-to-end check as slow OTA
    /// without keeping a CRC per chunk.
    /// </summary>
    /// <remarks>
    /// <para>Why this works: the CRC register update is linear over GF(2) in (register, data). With
    /// g(x) the register after processing x from a zero register and Z the operator "process one
    /// zero byte", an image M of length L cut into chunks gives
    /// CRC32(M) = NOT( Z^L(0xFFFFFFFF) XOR (XOR over chunks of Z^(bytes after the chunk)(g(chunk))) ).
    /// Z^n is a 32x32 bit matrix (32 uints, one column per bit). At <see cref="Begin"/> we build
    /// T = Z^(chunk size), U = Z^(length of the last chunk) and T^(2^j) for the powers the chunk
    /// count needs; each chunk then costs its own CRC plus at most <see cref="MaxPowerBits"/>
    /// matrix-vector products (32 conditional XORs each).</para>
    /// <para>Allocation: all matrices are allocated in the constructor; nothing after.</para>
    /// </remarks>
    public sealed class ImageCrcAccumulator
    {
        /// <summary>Bits of the chunk-count exponent supported: up to 65536 chunks.</summary>
        public const int MaxPowerBits = 16;

        private const uint Polynomial = 0xEDB88320;
        private const int Dim = 32;

        private readonly uint[] _chunkOp = new uint[Dim];
        private readonly uint[] _tailOp = new uint[Dim];
        private readonly uint[] _powers = new uint[MaxPowerBits * Dim];
        private readonly uint[] _base = new uint[Dim];
        private readonly uint[] _result = new uint[Dim];
        private readonly uint[] _tmp = new uint[Dim];
        private int _imageSize;
        private int _chunkSize;
        private int _chunkCount;
        private int _lastLength;
        private uint _initTerm;
        private uint _acc;

        /// <summary>Chunks of the image started by <see cref="Begin"/>.</summary>
        public int ChunkCount { get { return _chunkCount; } }

        /// <summary>Starts an image of <paramref name="imageSize"/> bytes cut into chunks of <paramref name="chunkSize"/>.</summary>
        public void Begin(int imageSize, int chunkSize)
        {
            if (imageSize <= 0) throw new ArgumentOutOfRangeException("imageSize");
            if (chunkSize <= 0) throw new ArgumentOutOfRangeException("chunkSize");
            int count = (imageSize - 1) / chunkSize + 1;
            if (count > (1 << MaxPowerBits)) throw new ArgumentOutOfRangeException("chunkSize", "too many chunks");
            _imageSize = imageSize;
            _chunkSize = chunkSize;
            _chunkCount = count;
            _lastLength = imageSize - (count - 1) * chunkSize;
            BuildZeroBytesOperator(chunkSize, _chunkOp);
            BuildZeroBytesOperator(_lastLength, _tailOp);
            Array.Copy(_chunkOp, 0, _powers, 0, Dim);
            for (int j = 1; j < MaxPowerBits; j++)
            {
                Compose(_powers, j * Dim, _powers, (j - 1) * Dim, _powers, (j - 1) * Dim);
            }

            // Z^L applied to the initial register: L = (count - 1) * chunkSize + lastLength.
            _initTerm = Times(_tailOp, 0, ApplyChunkShift(0xFFFFFFFF, count - 1));
            _acc = 0;
        }

        /// <summary>
        /// Adds chunk <paramref name="index"/>: <paramref name="count"/> must be its length within
        /// the image (the chunk size, or the rest for the last chunk). Each index must be added once.
        /// </summary>
        public void Add(int index, byte[] data, int offset, int count)
        {
            if (index < 0 || index >= _chunkCount) throw new ArgumentOutOfRangeException("index");
            int expected = index == _chunkCount - 1 ? _lastLength : _chunkSize;
            if (count != expected) throw new ArgumentOutOfRangeException("count");
            uint raw = Crc32.Update(0xFFFFFFFF, data, offset, count) ^ 0xFFFFFFFF;
            if (index < _chunkCount - 1)
            {
                raw = Times(_tailOp, 0, raw);
                raw = ApplyChunkShift(raw, _chunkCount - 2 - index);
            }

            _acc ^= raw;
        }

        /// <summary>The CRC32 of the image, valid once every chunk was added.</summary>
        public uint Result
        {
            get { return (_initTerm ^ _acc) ^ 0xFFFFFFFF; }
        }

        /// <summary>Image size given to <see cref="Begin"/>.</summary>
        public int ImageSize { get { return _imageSize; } }

        // T^k v through the stored powers T^(2^j).
        private uint ApplyChunkShift(uint v, int k)
        {
            int j = 0;
            while (k != 0 && v != 0)
            {
                if ((k & 1) != 0)
                {
                    v = Times(_powers, j * Dim, v);
                }

                k >>= 1;
                j++;
            }

            return v;
        }

        // op = Z^n (n zero bytes), by squaring the one-byte operator.
        private void BuildZeroBytesOperator(int n, uint[] op)
        {
            for (int i = 0; i < Dim; i++)
            {
                _base[i] = ZeroByte(1u << i);
                _result[i] = 1u << i;
            }

            while (n != 0)
            {
                if ((n & 1) != 0)
                {
                    Compose(_tmp, 0, _base, 0, _result, 0);
                    Array.Copy(_tmp, 0, _result, 0, Dim);
                }

                n >>= 1;
                if (n != 0)
                {
                    Compose(_tmp, 0, _base, 0, _base, 0);
                    Array.Copy(_tmp, 0, _base, 0, Dim);
                }
            }

            Array.Copy(_result, 0, op, 0, Dim);
        }

        // One zero byte through the reflected CRC register.
        private static uint ZeroByte(uint v)
        {
            for (int k = 0; k < 8; k++)
            {
                v = (v & 1) != 0 ? (v >> 1) ^ Polynomial : v >> 1;
            }

            return v;
        }

        // outp = a . b (apply b, then a). outp must not overlap a or b.
        private static void Compose(uint[] outp, int outOff, uint[] a, int aOff, uint[] b, int bOff)
        {
            for (int i = 0; i < Dim; i++)
            {
                outp[outOff + i] = Times(a, aOff, b[bOff + i]);
            }
        }

        private static uint Times(uint[] m, int off, uint v)
        {
            uint sum = 0;
            int i = off;
            while (v != 0)
            {
                if ((v & 1) != 0)
                {
                    sum ^= m[i];
                }

                v >>= 1;
                i++;
            }

            return sum;
        }
    }
}
