using System;

namespace CoreFirmware.Ota.Crypto
{
    /// <summary>
    /// Arithmetic modulo the P-256 prime p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (FIPS 186-4 D.1.2.3).
    /// An element is a uint[8] of 32-bit limbs, least significant limb first, always fully reduced
    /// (0 &lt;= a &lt; p). Every operation writes its result to <c>r</c>, which may be the same array
    /// as an operand.
    /// </summary>
    /// <remarks>
    /// <para>Multiplication is schoolbook into 16 limbs followed by the NIST fast reduction (a fixed
    /// sum of word-permuted copies, FIPS 186-4 D.2.3), which costs additions only.</para>
    /// <para>Not constant-time: it is used to verify signatures, where every input is public.</para>
    /// <para>Allocation: each instance allocates its product and inversion scratch (16 + 2 x 8 words)
    /// in the constructor and nothing after. Not thread-safe: one instance per user.</para>
    /// </remarks>
    public sealed class P256Field
    {
        /// <summary>Limbs in an element.</summary>
        public const int Limbs = 8;

        /// <summary>Bytes in the big-endian encoding of an element.</summary>
        public const int Bytes = 32;

        /// <summary>The prime p, least significant limb first.</summary>
        public static readonly uint[] P = new uint[]
        {
            0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0xFFFFFFFF,
        };

        private readonly uint[] _wide = new uint[2 * Limbs];
        private readonly uint[] _invBase = new uint[Limbs];
        private readonly uint[] _invAcc = new uint[Limbs];

        /// <summary>A new element, zero.</summary>
        public static uint[] NewElement()
        {
            return new uint[Limbs];
        }

        /// <summary>r = a * b mod p.</summary>
        public void Mul(uint[] r, uint[] a, uint[] b)
        {
            uint[] w = _wide;
            Array.Clear(w, 0, 2 * Limbs);
            for (int i = 0; i < Limbs; i++)
            {
                ulong ai = a[i];
                ulong carry = 0;
                for (int j = 0; j < Limbs; j++)
                {
                    // (2^32-1)^2 + 2 (2^32-1) = 2^64 - 1: never overflows.
                    ulong t = ai * b[j] + w[i + j] + carry;
                    w[i + j] = (uint)t;
                    carry = t >> 32;
                }

                w[i + Limbs] = (uint)carry;
            }

            Reduce(r);
        }

        /// <summary>r = a^2 mod p (cross products computed once and doubled: 36 limb products, not 64).</summary>
        public void Sqr(uint[] r, uint[] a)
        {
            uint[] w = _wide;
            Array.Clear(w, 0, 2 * Limbs);
            for (int i = 0; i < Limbs - 1; i++)
            {
                ulong ai = a[i];
                ulong carry = 0;
                for (int j = i + 1; j < Limbs; j++)
                {
                    ulong t = ai * a[j] + w[i + j] + carry;
                    w[i + j] = (uint)t;
                    carry = t >> 32;
                }

                w[i + Limbs] = (uint)carry;
            }

            // Double the cross products and add the squares a[i]^2 at limb 2i.
            ulong c = 0;
            for (int i = 0; i < Limbs; i++)
            {
                ulong ai = a[i];
                ulong sq = ai * ai;
                ulong lo = ((ulong)w[2 * i] << 1) + (uint)sq + c;
                w[2 * i] = (uint)lo;
                ulong hi = ((ulong)w[2 * i + 1] << 1) + (sq >> 32) + (lo >> 32);
                w[2 * i + 1] = (uint)hi;
                c = hi >> 32;
            }

            Reduce(r);
        }

        // The 512-bit product in _wide, as words c0..c15, is congruent to
        // s1 + 2 s2 + 2 s3 + s4 + s5 - d1 - d2 - d3 - d4 (FIPS 186-4 D.2.3); summed here word by word
        // with a signed carry, then the carry word (between -4 and 6) folded back with
        // 2^256 = 2^224 - 2^192 - 2^96 + 1 (mod p), then at most a subtraction or addition of p.
        private void Reduce(uint[] r)
        {
            uint[] w = _wide;
            long c0 = w[0], c1 = w[1], c2 = w[2], c3 = w[3], c4 = w[4], c5 = w[5], c6 = w[6], c7 = w[7];
            long c8 = w[8], c9 = w[9], c10 = w[10], c11 = w[11], c12 = w[12], c13 = w[13], c14 = w[14], c15 = w[15];

            long acc = c0 + c8 + c9 - c11 - c12 - c13 - c14;
            uint r0 = (uint)acc;
            acc >>= 32;
            acc += c1 + c9 + c10 - c12 - c13 - c14 - c15;
            uint r1 = (uint)acc;
            acc >>= 32;
            acc += c2 + c10 + c11 - c13 - c14 - c15;
            uint r2 = (uint)acc;
            acc >>= 32;
            acc += c3 + 2 * (c11 + c12) + c13 - c15 - c8 - c9;
            uint r3 = (uint)acc;
            acc >>= 32;
            acc += c4 + 2 * (c12 + c13) + c14 - c9 - c10;
            uint r4 = (uint)acc;
            acc >>= 32;
            acc += c5 + 2 * (c13 + c14) + c15 - c10 - c11;
            uint r5 = (uint)acc;
            acc >>= 32;
            acc += c6 + 3 * c14 + 2 * c15 + c13 - c8 - c9;
            uint r6 = (uint)acc;
            acc >>= 32;
            acc += c7 + 3 * c15 + c8 - c10 - c11 - c12 - c13;
            uint r7 = (uint)acc;
            long top = acc >> 32;

            // Fold top * 2^256 = top * (2^224 - 2^192 - 2^96 + 1).
            acc = (long)r0 + top;
            r[0] = (uint)acc;
            acc >>= 32;
            acc += r1;
            r[1] = (uint)acc;
            acc >>= 32;
            acc += r2;
            r[2] = (uint)acc;
            acc >>= 32;
            acc += (long)r3 - top;
            r[3] = (uint)acc;
            acc >>= 32;
            acc += r4;
            r[4] = (uint)acc;
            acc >>= 32;
            acc += r5;
            r[5] = (uint)acc;
            acc >>= 32;
            acc += (long)r6 - top;
            r[6] = (uint)acc;
            acc >>= 32;
            acc += (long)r7 + top;
            r[7] = (uint)acc;
            top = acc >> 32;

            // Now -1 <= top <= 1; bring the value into [0, p).
            while (top < 0)
            {
                top += AddLimbs(r, r, P);
            }

            while (top > 0 || Compare(r, P) >= 0)
            {
                top -= SubLimbs(r, r, P);
            }
        }

        /// <summary>r = a + b mod p.</summary>
        public static void Add(uint[] r, uint[] a, uint[] b)
        {
            uint carry = AddLimbs(r, a, b);
            if (carry != 0 || Compare(r, P) >= 0)
            {
                SubLimbs(r, r, P);
            }
        }

        /// <summary>r = a - b mod p.</summary>
        public static void Sub(uint[] r, uint[] a, uint[] b)
        {
            if (SubLimbs(r, a, b) != 0)
            {
                AddLimbs(r, r, P);
            }
        }

        /// <summary>r = a^-1 mod p (Fermat: a^(p-2)); the inverse of 0 comes out as 0.</summary>
        public void Invert(uint[] r, uint[] a)
        {
            // p - 2 = P with its lowest limb 0xFFFFFFFD. Left-to-right square-and-multiply.
            Array.Copy(a, _invBase, Limbs);
            Array.Copy(a, _invAcc, Limbs); // the exponent's top bit
            for (int bit = 254; bit >= 0; bit--)
            {
                Sqr(_invAcc, _invAcc);
                uint limb = bit < 32 ? 0xFFFFFFFDu : P[bit >> 5];
                if (((limb >> (bit & 31)) & 1) != 0)
                {
                    Mul(_invAcc, _invAcc, _invBase);
                }
            }

            Array.Copy(_invAcc, r, Limbs);
        }

        /// <summary>r = a.</summary>
        public static void Copy(uint[] r, uint[] a)
        {
            Array.Copy(a, r, Limbs);
        }

        /// <summary>r = the small value v.</summary>
        public static void Set(uint[] r, uint v)
        {
            Array.Clear(r, 0, Limbs);
            r[0] = v;
        }

        /// <summary>True when a is 0.</summary>
        public static bool IsZero(uint[] a)
        {
            uint any = 0;
            for (int i = 0; i < Limbs; i++)
            {
                any |= a[i];
            }

            return any == 0;
        }

        /// <summary>True when a is 1.</summary>
        public static bool IsOne(uint[] a)
        {
            uint any = a[0] ^ 1u;
            for (int i = 1; i < Limbs; i++)
            {
                any |= a[i];
            }

            return any == 0;
        }

        /// <summary>True when a and b hold the same value.</summary>
        public static bool Equal(uint[] a, uint[] b)
        {
            return Compare(a, b) == 0;
        }

        /// <summary>-1, 0 or 1 as the 256-bit integer a is below, equal to or above b.</summary>
        public static int Compare(uint[] a, uint[] b)
        {
            for (int i = Limbs - 1; i >= 0; i--)
            {
                if (a[i] != b[i])
                {
                    return a[i] < b[i] ? -1 : 1;
                }
            }

            return 0;
        }

        /// <summary>r = a + b as 256-bit integers; returns the carry out (0 or 1).</summary>
        public static uint AddLimbs(uint[] r, uint[] a, uint[] b)
        {
            ulong carry = 0;
            for (int i = 0; i < Limbs; i++)
            {
                carry += (ulong)a[i] + b[i];
                r[i] = (uint)carry;
                carry >>= 32;
            }

            return (uint)carry;
        }

        /// <summary>r = a - b as 256-bit integers; returns the borrow out (0 or 1).</summary>
        public static uint SubLimbs(uint[] r, uint[] a, uint[] b)
        {
            long borrow = 0;
            for (int i = 0; i < Limbs; i++)
            {
                borrow += (long)a[i] - b[i];
                r[i] = (uint)borrow;
                borrow >>= 32;
            }

            return (uint)(-borrow);
        }

        /// <summary>Reads a 32-byte big-endian integer into r (no reduction: check with <see cref="Compare"/>).</summary>
        public static void FromBytes(uint[] r, byte[] src, int offset)
        {
            for (int i = 0; i < Limbs; i++)
            {
                int at = offset + Bytes - 4 - 4 * i;
                r[i] = ((uint)src[at] << 24) | ((uint)src[at + 1] << 16) | ((uint)src[at + 2] << 8) | src[at + 3];
            }
        }

        /// <summary>Writes a as a 32-byte big-endian integer.</summary>
        public static void ToBytes(uint[] a, byte[] dst, int offset)
        {
            for (int i = 0; i < Limbs; i++)
            {
                int at = offset + Bytes - 4 - 4 * i;
                uint v = a[i];
                dst[at] = (byte)(v >> 24);
                dst[at + 1] = (byte)(v >> 16);
                dst[at + 2] = (byte)(v >> 8);
                dst[at + 3] = (byte)v;
            }
        }
    }
}
