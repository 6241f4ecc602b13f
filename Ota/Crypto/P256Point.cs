namespace CoreFirmware.Ota.Crypto
{
    /// <summary>
    /// A point of the P-256 curve in Jacobian coordinates: (X, Y, Z) stands for the affine point
    /// (X / Z^2, Y / Z^3); Z = 0 is the point at infinity. An affine point is stored with Z = 1.
    /// Coordinates are <see cref="P256Field"/> elements; <see cref="P256Curve"/> does the arithmetic.
    /// </summary>
    /// <remarks>Allocation: the three coordinates (3 x 8 words) in the constructor.</remarks>
    public sealed class P256Point
    {
        /// <summary>Jacobian X.</summary>
        public readonly uint[] X = P256Field.NewElement();

        /// <summary>Jacobian Y.</summary>
        public readonly uint[] Y = P256Field.NewElement();

        /// <summary>Jacobian Z (0 at infinity, 1 for an affine point).</summary>
        public readonly uint[] Z = P256Field.NewElement();

        /// <summary>True for the point at infinity (Z = 0).</summary>
        public bool IsInfinity
        {
            get { return P256Field.IsZero(Z); }
        }

        /// <summary>Makes this the point at infinity.</summary>
        public void SetInfinity()
        {
            P256Field.Set(X, 1);
            P256Field.Set(Y, 1);
            P256Field.Set(Z, 0);
        }

        /// <summary>Makes this the affine point (x, y) (Z = 1). The caller has checked it is on the curve.</summary>
        public void SetAffine(uint[] x, uint[] y)
        {
            P256Field.Copy(X, x);
            P256Field.Copy(Y, y);
            P256Field.Set(Z, 1);
        }

        /// <summary>Makes this a copy of <paramref name="other"/>.</summary>
        public void CopyFrom(P256Point other)
        {
            P256Field.Copy(X, other.X);
            P256Field.Copy(Y, other.Y);
            P256Field.Copy(Z, other.Z);
        }
    }
}
