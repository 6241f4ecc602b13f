namespace CoreFirmware.Ota.Crypto
{
    /// <summary>
    /// ECDSA verification over NIST P-256 (FIPS 186-4 section 6.4.2) of a 32-byte digest, in
    /// managed firmware code, for boards whose runtime has no cryptography (nanoCLR). Encodings are
    /// the ones <see cref="Drivers.Hal.ICrypto.EcdsaP256Verify"/> specifies and the image format
    /// uses: the public key is the 65-byte uncompressed SEC1 point 0x04 || X || Y, the signature
    /// 64 bytes r || s (IEEE P1363: two 32-byte big-endian integers).
    /// </summary>
    /// <remarks>
    /// <para>Refused (false, never an exception): a null buffer or one too short for its offset; a
    /// key not starting with 0x04, with a coordinate &gt;= p, or not on the curve; r or s equal to 0
    /// or &gt;= n; s &gt; n / 2 (the low-S rule: ECDSA itself accepts both s and n - s, so without the
    /// rule anyone could turn a signature into a second valid one, (r, n - s); the image signer emits
    /// the low one); a combination u1 G + u2 Q at infinity; and of course a wrong signature.</para>
    /// <para>The digest is taken whole as the integer e (a 256-bit digest needs no truncation for a
    /// 256-bit n) and reduced mod n. u1 G + u2 Q is computed with Shamir's trick: one pass of 256
    /// doublings, adding G, Q or a precomputed G + Q at each bit.</para>
    /// <para>Cost: 256 doublings, about 192 additions, one inversion mod n and one mod p: about
    /// 0.5 ms on CoreCLR, 45 ms on nanoCLR on the x86-64 host, an estimated 2-4 s on a 168 MHz
    /// STM32F4 (CRYPTO-ON-DEVICE.md). Not constant-time: every input of a verification is public.</para>
    /// <para>Allocation: the constructor allocates everything (field, scalar and curve scratch and
    /// 4 points: about 1.2 KB of limbs in 37 arrays; 3.9 KB measured on nanoCLR's 64-bit heap);
    /// <see cref="Verify"/> allocates nothing. Not thread-safe: one instance per user, or a lock.</para>
    /// </remarks>
    public sealed class EcdsaP256Verifier
    {
        /// <summary>Length of the uncompressed public key 0x04 || X || Y.</summary>
        public const int PublicKeySize = 65;

        /// <summary>Length of the digest.</summary>
        public const int DigestSize = 32;

        /// <summary>Length of the signature r || s.</summary>
        public const int SignatureSize = 64;

        private readonly P256Curve _curve = new P256Curve();
        private readonly P256Scalar _scalar = new P256Scalar();
        private readonly uint[] _qx = P256Field.NewElement();
        private readonly uint[] _qy = P256Field.NewElement();
        private readonly uint[] _r = P256Field.NewElement();
        private readonly uint[] _s = P256Field.NewElement();
        private readonly uint[] _e = P256Field.NewElement();
        private readonly uint[] _u1 = P256Field.NewElement();
        private readonly uint[] _u2 = P256Field.NewElement();
        private readonly uint[] _x = P256Field.NewElement();
        private readonly P256Point _g = new P256Point();
        private readonly P256Point _q = new P256Point();
        private readonly P256Point _gq = new P256Point();
        private readonly P256Point _acc = new P256Point();

        /// <summary>Creates a verifier with all its working storage.</summary>
        public EcdsaP256Verifier()
        {
            _g.SetAffine(P256Curve.Gx, P256Curve.Gy);
        }

        /// <summary>
        /// True only when <paramref name="signature"/> (r || s, 64 bytes at
        /// <paramref name="signatureOffset"/>) is a valid ECDSA P-256 signature of the 32-byte
        /// digest at <paramref name="digestOffset"/> under the 65-byte uncompressed public key at
        /// <paramref name="publicKeyOffset"/>; false for anything else.
        /// </summary>
        public bool Verify(byte[] publicKey, int publicKeyOffset, byte[] digest, int digestOffset,
            byte[] signature, int signatureOffset)
        {
            if (!InRange(publicKey, publicKeyOffset, PublicKeySize) || !InRange(digest, digestOffset, DigestSize)
                || !InRange(signature, signatureOffset, SignatureSize) || publicKey[publicKeyOffset] != 0x04)
            {
                return false;
            }

            // 0 < r < n, 0 < s <= n / 2 (low S).
            P256Field.FromBytes(_r, signature, signatureOffset);
            P256Field.FromBytes(_s, signature, signatureOffset + 32);
            if (!P256Scalar.IsValidNonZero(_r) || !P256Scalar.IsValidNonZero(_s) || !P256Scalar.IsLowS(_s))
            {
                return false;
            }

            // Q on the curve (which also rules out infinity and coordinates >= p).
            P256Field.FromBytes(_qx, publicKey, publicKeyOffset + 1);
            P256Field.FromBytes(_qy, publicKey, publicKeyOffset + 33);
            if (!_curve.IsOnCurve(_qx, _qy))
            {
                return false;
            }

            // e = digest mod n; w = s^-1 (in Montgomery form); u1 = e w, u2 = r w.
            P256Field.FromBytes(_e, digest, digestOffset);
            P256Scalar.ReduceOnce(_e);
            _scalar.MontMul(_s, _s, P256Scalar.R2);
            _scalar.MontInvert(_s, _s);
            _scalar.MontMul(_u1, _e, _s);
            _scalar.MontMul(_u2, _r, _s);

            // R = u1 G + u2 Q, most significant bit first.
            _q.SetAffine(_qx, _qy);
            _curve.Add(_gq, _g, _q);
            _acc.SetInfinity();
            for (int bit = 255; bit >= 0; bit--)
            {
                _curve.Double(_acc, _acc);
                int b1 = P256Scalar.Bit(_u1, bit);
                int b2 = P256Scalar.Bit(_u2, bit);
                if (b1 != 0 && b2 != 0)
                {
                    _curve.Add(_acc, _acc, _gq);
                }
                else if (b1 != 0)
                {
                    _curve.Add(_acc, _acc, _g);
                }
                else if (b2 != 0)
                {
                    _curve.Add(_acc, _acc, _q);
                }
            }

            // Explicit, though not load-bearing: at infinity ToAffine would give x = 0, never equal to r > 0.
            if (_acc.IsInfinity)
            {
                return false;
            }

            // Valid when x(R) mod n == r (x < p < 2n: one subtraction at most).
            _curve.ToAffine(_x, null, _acc);
            P256Scalar.ReduceOnce(_x);
            return P256Field.Equal(_x, _r);
        }

        private static bool InRange(byte[] b, int offset, int count)
        {
            return b != null && offset >= 0 && offset <= b.Length - count;
        }
    }
}
