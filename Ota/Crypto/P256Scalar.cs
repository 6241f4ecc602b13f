using System;

namespace CoreFirmware.Ota.Crypto
{
    /// <summary>
    /// Arithmetic modulo the P-256 group order n, for what ECDSA verification needs: the range check
    /// of r and s, w = s^-1 and u1 = e w, u2 = r w. Values are uint[8], least significant limb first
    /// (the layout of <see cref="P256Field"/>), fully reduced.
    /// </summary>
    /// <remarks>
    /// <para>Multiplication is Montgomery's (CIOS, R = 2^256): mont(a, b) = a b R^-1 mod n. The
    /// verifier turns s into Montgomery form (s R), inverts it there by Fermat, and one more mont
    /// with a plain e or r drops the R again: mont(e, s^-1 R) = e s^-1 mod n.</para>
    /// <para>Not constant-time (public inputs only). Allocation: each instance allocates its
    /// scratch (10 + 2 x 8 words) in the constructor and nothing after. Not thread-safe.</para>
    /// </remarks>
    public sealed class P256Scalar
    {
        /// <summary>Limbs in a scalar.</summary>
        public const int Limbs = 8;

        /// <summary>The group order n, least significant limb first.</summary>
        public static readonly uint[] N = new uint[]
        {
            0xFC632551, 0xF3B9CAC2, 0xA7179E84, 0xBCE6FAAD, 0xFFFFFFFF, 0xFFFFFFFF, 0x00000000, 0xFFFFFFFF,
        };

        /// <summary>floor(n / 2), least significant limb first: the largest s the low-S rule accepts.</summary>
        public static readonly uint[] HalfN = new uint[]
        {
            0x7E3192A8, 0x79DCE561, 0xD38BCF42, 0xDE737D56, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x7FFFFFFF,
        };

        /// <summary>R^2 mod n with R = 2^256: mont(a, R2) puts a into Montgomery form.</summary>
        public static readonly uint[] R2 = new uint[]
        {
            0xBE79EEA2, 0x83244C95, 0x49BD6FA6, 0x4699799C, 0x2B6BEC59, 0x2845B239, 0xF3D95620, 0x66E12D94,
        };

        // -n^-1 mod 2^32.
        private const uint NPrime = 0xEE00BC4F;

        // n - 2, the Fermat exponent, differs from n only in its lowest limb.
        private const uint NMinus2Low = 0xFC63254F;

        private readonly uint[] _t = new uint[Limbs + 2];
        private readonly uint[] _invBase = new uint[Limbs];
        private readonly uint[] _invAcc = new uint[Limbs];

        /// <summary>r = a b R^-1 mod n for a, b &lt; n.</summary>
        public void MontMul(uint[] r, uint[] a, uint[] b)
        {
            uint[] t = _t;
            Array.Clear(t, 0, Limbs + 2);
            for (int i = 0; i < Limbs; i++)
            {
                // t += a * b[i]
                ulong bi = b[i];
                ulong carry = 0;
                for (int j = 0; j < Limbs; j++)
                {
                    ulong s = a[j] * bi + t[j] + carry;
                    t[j] = (uint)s;
                    carry = s >> 32;
                }

                ulong top = t[Limbs] + carry;
                t[Limbs] = (uint)top;
                t[Limbs + 1] = (uint)(top >> 32);

                // t = (t + m n) / 2^32 with m chosen so the low limb cancels.
                ulong m = unchecked(t[0] * NPrime);
                carry = (t[0] + m * N[0]) >> 32;
                for (int j = 1; j < Limbs; j++)
                {
                    ulong s = m * N[j] + t[j] + carry;
                    t[j - 1] = (uint)s;
                    carry = s >> 32;
                }

                top = t[Limbs] + carry;
                t[Limbs - 1] = (uint)top;
                t[Limbs] = t[Limbs + 1] + (uint)(top >> 32);
            }

            // t < 2n: one conditional subtraction.
            if (t[Limbs] != 0 || CompareLimbs(t, N) >= 0)
            {
                long borrow = 0;
                for (int i = 0; i < Limbs; i++)
                {
                    borrow += (long)t[i] - N[i];
                    t[i] = (uint)borrow;
                    borrow >>= 32;
                }
            }

            Array.Copy(t, r, Limbs);
        }

        /// <summary>
        /// r = a^-1 R mod n given aR = a R mod n (a in Montgomery form, not 0): Fermat, a^(n-2),
        /// computed in Montgomery form. r may be aR.
        /// </summary>
        public void MontInvert(uint[] r, uint[] aR)
        {
            Array.Copy(aR, _invBase, Limbs);
            Array.Copy(aR, _invAcc, Limbs); // the exponent's top bit
            for (int bit = 254; bit >= 0; bit--)
            {
                MontMul(_invAcc, _invAcc, _invAcc);
                uint limb = bit < 32 ? NMinus2Low : N[bit >> 5];
                if (((limb >> (bit & 31)) & 1) != 0)
                {
                    MontMul(_invAcc, _invAcc, _invBase);
                }
            }

            Array.Copy(_invAcc, r, Limbs);
        }

        /// <summary>True when 0 &lt; a &lt; n: the range ECDSA requires of r and s.</summary>
        public static bool IsValidNonZero(uint[] a)
        {
            return !P256Field.IsZero(a) && CompareLimbs(a, N) < 0;
        }

        /// <summary>True when a &lt;= floor(n / 2): the low-S rule (of (r, s) and (r, n - s), which verify
        /// alike, only the low one is accepted, so a signature cannot be re-encoded into another valid one).</summary>
        public static bool IsLowS(uint[] a)
        {
            return CompareLimbs(a, HalfN) <= 0;
        }

        /// <summary>a = a mod n for any 256-bit a (a &lt; 2^256 &lt; 2n, so one subtraction at most).</summary>
        public static void ReduceOnce(uint[] a)
        {
            if (CompareLimbs(a, N) >= 0)
            {
                P256Field.SubLimbs(a, a, N);
            }
        }

        /// <summary>The bit at position <paramref name="bit"/> (0 = least significant) of a.</summary>
        public static int Bit(uint[] a, int bit)
        {
            return (int)((a[bit >> 5] >> (bit & 31)) & 1);
        }

        // Compares the low 8 limbs of a with b.
        private static int CompareLimbs(uint[] a, uint[] b)
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
    }
}
