using System;

namespace CoreFirmware.Application.Json
{
    /// <summary>
    /// Turns the decimal digits of a JSON number into the correctly rounded double (IEEE 754 round
    /// half to even: the double nearest to the exact decimal value), without Math.
    /// </summary>
    /// <remarks>
    /// <para>Fast path (the usual prices and readings): up to 15 significant digits and a small
    /// decimal exponent need one exact multiplication or division by an exact power of ten, so the
    /// one rounding of the floating-point unit is the correct one. Nothing is allocated.</para>
    /// <para>Slow path (Clinger's AlgorithmR): an estimate from repeated scaling, a few units in the
    /// last place off at most, is corrected one ulp at a time by comparing the exact decimal value
    /// with the exact midpoints between neighbouring doubles in big-integer arithmetic. The first
    /// <see cref="MaxDigits"/> significant digits take part exactly; digits past them only count as
    /// "something non-zero follows", which decides every case, because a midpoint between two
    /// doubles never has more than 767 significant digits. The big integers live in three fixed
    /// arrays of <see cref="BigWords"/> words (1,152 bytes) allocated the first time the slow path
    /// runs and kept; the slow path runs under a lock.</para>
    /// </remarks>
    internal static class DecimalToDouble
    {
        /// <summary>Significant digits taken exactly (more than the 767 a midpoint can have).</summary>
        public const int MaxDigits = 800;

        // 96 words = 3,072 bits. The largest number compared is about 2^2,670: 800 digits
        // (2^2,658) against a 55-bit midpoint times 5^1,123 (the smallest decimal exponent left:
        // 10^-323 for the leading digit, 800 digits below it).
        private const int BigWords = 96;

        // Each round moves the estimate by one ulp; the estimate is within a few ulps.
        private const int MaxRounds = 64;

        private const long FractionMask = 0xFFFFFFFFFFFFFL;
        private const long HiddenBit = 1L << 52;
        private const long InfinityBits = 0x7FF0000000000000L;
        private const uint FivePow13 = 1220703125;

        // 10^0 .. 10^22 are exact doubles (10^22 < 2^53 * 2^22): the exact-product fast path.
        private static readonly double[] PowersOfTen = BuildPowersOfTen();

        private static readonly object Sync = new object();
        private static uint[] _digits;  // the significant digits as an integer, times 5^e10 when e10 > 0
        private static uint[] _left;
        private static uint[] _right;
        private static int _digitsLength;
        private static int _exponent10;
        private static bool _truncated;

        /// <summary>
        /// Converts the positive number 0.d1d2...dn * 10^<paramref name="pointExponent"/>, whose
        /// <paramref name="digitCount"/> significant digits are the digit bytes of
        /// <paramref name="text"/>[<paramref name="first"/>..<paramref name="end"/>) (a '.' among them
        /// is skipped; the first and the last are not '0'). Returns false when the value rounds past
        /// double.MaxValue; a value below half the smallest subnormal gives 0.
        /// </summary>
        public static bool TryConvert(byte[] text, int first, int end, int digitCount, int pointExponent, out double value)
        {
            value = 0;
            // |value| >= 10^309 is past double.MaxValue (1.8e308); |value| < 10^-324 is below half of
            // the smallest subnormal (2.5e-324).
            if (pointExponent > 309) return false;
            if (pointExponent < -323) return true;

            if (digitCount <= 15)
            {
                long m = ReadDigits(text, first, end, digitCount);
                int e = pointExponent - digitCount;   // value = m * 10^e
                double[] powers = PowersOfTen;
                if (e >= 0 && e <= 22 + 15 - digitCount)
                {
                    double d = m;
                    if (e > 22)
                    {
                        d *= powers[e - 22];          // still an integer below 10^15: exact
                        e = 22;
                    }

                    value = d * powers[e];
                    return true;
                }

                if (e < 0 && e >= -22)
                {
                    value = m / powers[-e];
                    return true;
                }
            }

            lock (Sync)
            {
                return SlowPath(text, first, end, digitCount, pointExponent, out value);
            }
        }

        private static bool SlowPath(byte[] text, int first, int end, int digitCount, int pointExponent, out double value)
        {
            if (_digits == null)
            {
                _digits = new uint[BigWords];
                _left = new uint[BigWords];
                _right = new uint[BigWords];
            }

            int kept = digitCount < MaxDigits ? digitCount : MaxDigits;
            _truncated = digitCount > MaxDigits; // the last digit is not 0, so something non-zero was cut
            _exponent10 = pointExponent - kept;    // value = D * 10^e10 (+ what was cut)
            _digitsLength = FromDigits(_digits, text, first, end, kept);
            if (_exponent10 > 0) _digitsLength = MultiplyPow5(_digits, _digitsLength, _exponent10);

            long bits = BitConverter.DoubleToInt64Bits(Estimate(text, first, end, digitCount, pointExponent));
            for (int round = 0; round < MaxRounds; round++)
            {
                int biased = (int)(bits >> 52);
                long m = bits & FractionMask;
                int k;
                if (biased == 0)
                {
                    k = -1074;
                }
                else
                {
                    m |= HiddenBit;
                    k = biased - 1075;
                }

                // The estimate is m * 2^k; compare the exact value with it, then with the midpoint on that side.
                int c = CompareWith(2 * m, k - 1);
                if (c == 0) break;
                if (c > 0)
                {
                    int h = CompareWith(2 * m + 1, k - 1);
                    if (h < 0 || (h == 0 && (m & 1) == 0)) break;
                    bits++;
                    if (bits >= InfinityBits)
                    {
                        value = 0;
                        return false;
                    }

                    if (h == 0) break; // a tie goes to the even neighbour
                }
                else
                {
                    // Below a power of two (other than the smallest normal) the gap is half as wide.
                    int l = (m == HiddenBit && biased > 1) ? CompareWith(4 * m - 1, k - 2) : CompareWith(2 * m - 1, k - 1);
                    if (l > 0 || (l == 0 && (m & 1) == 0)) break;
                    bits--;
                    if (bits == 0 || l == 0) break;
                }
            }

            value = BitConverter.Int64BitsToDouble(bits);
            return true;
        }

        /// <summary>
        /// Sign of (exact value - <paramref name="x"/> * 2^<paramref name="k"/>). Both sides are made
        /// integers: value = D * 5^e10 * 2^e10, so with e10 &lt; 0 both are multiplied by 5^-e10.
        /// </summary>
        private static int CompareWith(long x, int k)
        {
            uint[] left = _left;
            uint[] right = _right;
            int leftLength = _digitsLength;
            Array.Copy(_digits, left, leftLength);
            int rightLength = FromULong(right, (ulong)x);
            if (_exponent10 < 0) rightLength = MultiplyPow5(right, rightLength, -_exponent10);
            int shift = _exponent10 - k;
            if (shift > 0)
            {
                leftLength = ShiftLeft(left, leftLength, shift);
            }
            else if (shift < 0)
            {
                rightLength = ShiftLeft(right, rightLength, -shift);
            }

            int c = Compare(left, leftLength, right, rightLength);
            return c == 0 && _truncated ? 1 : c;
        }

        // Within a few ulps: the first 18 digits, scaled by exact powers of ten (each step rounds once).
        private static double Estimate(byte[] text, int first, int end, int digitCount, int pointExponent)
        {
            int n = digitCount < 18 ? digitCount : 18;
            double v = ReadDigits(text, first, end, n);
            int e = pointExponent - n;
            double[] powers = PowersOfTen;
            if (e > 0)
            {
                while (e > 22)
                {
                    v *= powers[22];
                    e -= 22;
                }

                v *= powers[e];
            }
            else if (e < 0)
            {
                e = -e;
                while (e > 22)
                {
                    v /= powers[22];
                    e -= 22;
                }

                v /= powers[e];
            }

            if (v > double.MaxValue) return double.MaxValue;
            if (v < double.Epsilon) return double.Epsilon;
            return v;
        }

        // The first count digits of text[first..end) as an integer (count <= 18).
        private static long ReadDigits(byte[] text, int first, int end, int count)
        {
            long m = 0;
            for (int i = first; i < end && count > 0; i++)
            {
                int d = text[i] - '0';
                if (d < 0 || d > 9) continue; // the decimal point
                m = m * 10 + d;
                count--;
            }

            return m;
        }

        // ---- big integers: little-endian 32-bit words, with a length; every result fits BigWords.

        private static int FromDigits(uint[] big, byte[] text, int first, int end, int count)
        {
            int length = 0;
            uint group = 0;
            uint scale = 1;
            for (int i = first; i < end && count > 0; i++)
            {
                int d = text[i] - '0';
                if (d < 0 || d > 9) continue;
                group = group * 10 + (uint)d;
                scale *= 10;
                count--;
                if (scale == 1000000000)
                {
                    length = MultiplyAdd(big, length, scale, group);
                    group = 0;
                    scale = 1;
                }
            }

            return scale > 1 ? MultiplyAdd(big, length, scale, group) : length;
        }

        private static int FromULong(uint[] big, ulong x)
        {
            big[0] = (uint)x;
            big[1] = (uint)(x >> 32);
            return big[1] != 0 ? 2 : big[0] != 0 ? 1 : 0;
        }

        // big = big * factor + addend.
        private static int MultiplyAdd(uint[] big, int length, uint factor, uint addend)
        {
            ulong carry = addend;
            for (int i = 0; i < length; i++)
            {
                ulong p = (ulong)big[i] * factor + carry;
                big[i] = (uint)p;
                carry = p >> 32;
            }

            if (carry != 0)
            {
                if (length == big.Length) throw new InvalidOperationException("big integer overflow");
                big[length++] = (uint)carry;
            }

            return length;
        }

        private static int MultiplyPow5(uint[] big, int length, int n)
        {
            while (n >= 13)
            {
                length = MultiplyAdd(big, length, FivePow13, 0);
                n -= 13;
            }

            uint rest = 1;
            for (; n > 0; n--) rest *= 5;
            return rest > 1 ? MultiplyAdd(big, length, rest, 0) : length;
        }

        private static int ShiftLeft(uint[] big, int length, int bits)
        {
            if (length == 0) return 0;
            int words = bits >> 5;
            int rest = bits & 31;
            if (length + words + 1 > big.Length) throw new InvalidOperationException("big integer overflow");
            if (rest == 0)
            {
                for (int i = length - 1; i >= 0; i--) big[i + words] = big[i];
            }
            else
            {
                big[length + words] = big[length - 1] >> (32 - rest);
                for (int i = length - 1; i > 0; i--)
                {
                    big[i + words] = (big[i] << rest) | (big[i - 1] >> (32 - rest));
                }

                big[words] = big[0] << rest;
                length++;
            }

            for (int i = 0; i < words; i++) big[i] = 0;
            length += words;
            while (length > 0 && big[length - 1] == 0) length--;
            return length;
        }

        private static int Compare(uint[] a, int aLength, uint[] b, int bLength)
        {
            if (aLength != bLength) return aLength > bLength ? 1 : -1;
            for (int i = aLength - 1; i >= 0; i--)
            {
                if (a[i] != b[i]) return a[i] > b[i] ? 1 : -1;
            }

            return 0;
        }

        private static double[] BuildPowersOfTen()
        {
            double[] powers = new double[23];
            double p = 1.0;
            for (int k = 0; k < powers.Length; k++)
            {
                powers[k] = p; // each product is exact up to 10^22
                p *= 10.0;
            }

            return powers;
        }
    }
}
