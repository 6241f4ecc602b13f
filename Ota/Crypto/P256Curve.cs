namespace CoreFirmware.Ota.Crypto
{
    /// <summary>
    /// The NIST P-256 curve y^2 = x^3 - 3x + b over GF(p) (FIPS 186-4 D.1.2.3): its constants and
    /// the point operations ECDSA verification needs, on <see cref="P256Point"/>s in Jacobian
    /// coordinates so that only the final conversion to affine needs a field inversion.
    /// </summary>
    /// <remarks>
    /// <para>Formulas: doubling with a = -3 (3 multiplications + 5 squarings); addition in the
    /// classic Jacobian form (12M + 4S, 8M + 3S when the second point has Z = 1), which checks
    /// the two exceptional cases itself: equal points (it doubles) and opposite points (infinity).
    /// Every result may be written over an operand.</para>
    /// <para>Not constant-time (public inputs only). Allocation: the field and 11 temporaries
    /// (120 words) in the constructor, nothing after. Not thread-safe: one per user.</para>
    /// </remarks>
    public sealed class P256Curve
    {
        /// <summary>The curve coefficient b, least significant limb first.</summary>
        public static readonly uint[] B = new uint[]
        {
            0x27D2604B, 0x3BCE3C3E, 0xCC53B0F6, 0x651D06B0, 0x769886BC, 0xB3EBBD55, 0xAA3A93E7, 0x5AC635D8,
        };

        /// <summary>The base point's x, least significant limb first.</summary>
        public static readonly uint[] Gx = new uint[]
        {
            0xD898C296, 0xF4A13945, 0x2DEB33A0, 0x77037D81, 0x63A440F2, 0xF8BCE6E5, 0xE12C4247, 0x6B17D1F2,
        };

        /// <summary>The base point's y, least significant limb first.</summary>
        public static readonly uint[] Gy = new uint[]
        {
            0x37BF51F5, 0xCBB64068, 0x6B315ECE, 0x2BCE3357, 0x7C0F9E16, 0x8EE7EB4A, 0xFE1A7F9B, 0x4FE342E2,
        };

        private readonly P256Field _f = new P256Field();
        private readonly uint[] _t1 = P256Field.NewElement();
        private readonly uint[] _t2 = P256Field.NewElement();
        private readonly uint[] _t3 = P256Field.NewElement();
        private readonly uint[] _t4 = P256Field.NewElement();
        private readonly uint[] _t5 = P256Field.NewElement();
        private readonly uint[] _t6 = P256Field.NewElement();
        private readonly uint[] _t7 = P256Field.NewElement();
        private readonly uint[] _t8 = P256Field.NewElement();
        private readonly uint[] _x3 = P256Field.NewElement();
        private readonly uint[] _y3 = P256Field.NewElement();
        private readonly uint[] _z3 = P256Field.NewElement();

        /// <summary>The field arithmetic this curve uses (for callers that share its scratch).</summary>
        public P256Field Field
        {
            get { return _f; }
        }

        /// <summary>
        /// True when (x, y) is a point of the curve: both coordinates below p and
        /// y^2 = x^3 - 3x + b. (The point at infinity has no affine coordinates, so it never passes.)
        /// </summary>
        public bool IsOnCurve(uint[] x, uint[] y)
        {
            if (P256Field.Compare(x, P256Field.P) >= 0 || P256Field.Compare(y, P256Field.P) >= 0)
            {
                return false;
            }

            _f.Sqr(_t1, x);                 // x^2
            P256Field.Set(_t2, 3);
            P256Field.Sub(_t1, _t1, _t2);   // x^2 - 3
            _f.Mul(_t1, _t1, x);            // x^3 - 3x
            P256Field.Add(_t1, _t1, B);     // x^3 - 3x + b
            _f.Sqr(_t2, y);                 // y^2
            return P256Field.Equal(_t1, _t2);
        }

        /// <summary>r = 2p.</summary>
        public void Double(P256Point r, P256Point p)
        {
            if (p.IsInfinity)
            {
                r.SetInfinity();
                return;
            }

            P256Field f = _f;
            uint[] delta = _t1, gamma = _t2, beta = _t3, alpha = _t4, t = _t5, u = _t6;
            f.Sqr(delta, p.Z);                  // delta = Z^2
            f.Sqr(gamma, p.Y);                  // gamma = Y^2
            f.Mul(beta, p.X, gamma);            // beta = X gamma
            P256Field.Sub(t, p.X, delta);
            P256Field.Add(u, p.X, delta);
            f.Mul(t, t, u);                     // (X - delta)(X + delta)
            P256Field.Add(alpha, t, t);
            P256Field.Add(alpha, alpha, t);     // alpha = 3 (X - delta)(X + delta)

            P256Field.Add(t, p.Y, p.Z);
            f.Sqr(t, t);
            P256Field.Sub(t, t, gamma);
            P256Field.Sub(r.Z, t, delta);       // Z3 = (Y + Z)^2 - gamma - delta (p.Y, p.Z no longer read)

            P256Field.Add(beta, beta, beta);
            P256Field.Add(beta, beta, beta);    // 4 beta
            P256Field.Add(u, beta, beta);       // 8 beta
            f.Sqr(t, alpha);
            P256Field.Sub(r.X, t, u);           // X3 = alpha^2 - 8 beta

            P256Field.Sub(beta, beta, r.X);
            f.Mul(beta, alpha, beta);           // alpha (4 beta - X3)
            f.Sqr(gamma, gamma);
            P256Field.Add(gamma, gamma, gamma);
            P256Field.Add(gamma, gamma, gamma);
            P256Field.Add(gamma, gamma, gamma); // 8 gamma^2
            P256Field.Sub(r.Y, beta, gamma);    // Y3 = alpha (4 beta - X3) - 8 gamma^2
        }

        /// <summary>r = p + q for any p, q (infinity, equal and opposite points included).</summary>
        public void Add(P256Point r, P256Point p, P256Point q)
        {
            if (p.IsInfinity)
            {
                r.CopyFrom(q);
                return;
            }

            if (q.IsInfinity)
            {
                r.CopyFrom(p);
                return;
            }

            P256Field f = _f;
            uint[] u1 = _t1, u2 = _t2, s1 = _t3, s2 = _t4, h = _t5, rr = _t6, hh = _t7, hhh = _t8;
            bool qAffine = P256Field.IsOne(q.Z);

            f.Sqr(hh, p.Z);                     // Z1^2 (hh used as scratch here)
            f.Mul(u2, q.X, hh);                 // U2 = X2 Z1^2
            f.Mul(s2, q.Y, hh);
            f.Mul(s2, s2, p.Z);                 // S2 = Y2 Z1^3
            if (qAffine)
            {
                P256Field.Copy(u1, p.X);        // U1 = X1
                P256Field.Copy(s1, p.Y);        // S1 = Y1
            }
            else
            {
                f.Sqr(hh, q.Z);
                f.Mul(u1, p.X, hh);             // U1 = X1 Z2^2
                f.Mul(s1, p.Y, hh);
                f.Mul(s1, s1, q.Z);             // S1 = Y1 Z2^3
            }

            P256Field.Sub(h, u2, u1);           // H = U2 - U1
            P256Field.Sub(rr, s2, s1);          // R = S2 - S1
            if (P256Field.IsZero(h))
            {
                if (P256Field.IsZero(rr))
                {
                    Double(r, p);               // p == q
                }
                else
                {
                    r.SetInfinity();            // p == -q
                }

                return;
            }

            f.Mul(_z3, p.Z, h);
            if (!qAffine)
            {
                f.Mul(_z3, _z3, q.Z);           // Z3 = Z1 Z2 H
            }

            f.Sqr(hh, h);                       // H^2
            f.Mul(hhh, hh, h);                  // H^3
            f.Mul(u1, u1, hh);                  // V = U1 H^2
            f.Sqr(_x3, rr);
            P256Field.Sub(_x3, _x3, hhh);
            P256Field.Sub(_x3, _x3, u1);
            P256Field.Sub(_x3, _x3, u1);        // X3 = R^2 - H^3 - 2V
            P256Field.Sub(_y3, u1, _x3);
            f.Mul(_y3, rr, _y3);
            f.Mul(s1, s1, hhh);
            P256Field.Sub(_y3, _y3, s1);        // Y3 = R (V - X3) - S1 H^3

            P256Field.Copy(r.X, _x3);
            P256Field.Copy(r.Y, _y3);
            P256Field.Copy(r.Z, _z3);
        }

        /// <summary>
        /// The affine x (and y) of p, which must not be infinity: one field inversion.
        /// <paramref name="y"/> may be null when only x is wanted.
        /// </summary>
        public void ToAffine(uint[] x, uint[] y, P256Point p)
        {
            P256Field f = _f;
            f.Invert(_t1, p.Z);                 // 1/Z
            f.Sqr(_t2, _t1);                    // 1/Z^2
            f.Mul(x, p.X, _t2);
            if (y != null)
            {
                f.Mul(_t2, _t2, _t1);           // 1/Z^3
                f.Mul(y, p.Y, _t2);
            }
        }
    }
}
