using System.Numerics;
using CoreFirmware.Ota.Crypto;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static CoreFirmware.Tests.Crypto.P256Reference;

namespace CoreFirmware.Tests.Crypto;

/// <summary>
/// The limb arithmetic under the managed ECDSA verifier (field mod p, scalars mod n, Jacobian
/// points) against <see cref="BigInteger"/> (<see cref="P256Reference"/>).
/// </summary>
[Trait("Category", "Crypto")]
public sealed class P256ArithmeticTests
{
    private static readonly BigInteger R = BigInteger.One << 256;

    // Values that stress carries and the reduction: 0, 1, p-1, p-2, 2^224 boundaries, all-ones limbs.
    private static readonly string[] EdgeFieldValues =
    [
        "0", "1", "2",
        "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFE", // p - 1
        "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFD", // p - 2
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        "00000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        "0000000100000000000000000000000000000000000000000000000000000000",
        "FFFFFFFF00000000000000000000000000000000000000000000000000000000",
        "00000000000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
        "8000000000000000000000000000000000000000000000000000000000000000",
    ];

    private static IEnumerable<BigInteger> FieldSamples(int seed, int count)
    {
        foreach (string hex in EdgeFieldValues) yield return Hex(hex);
        var rng = new Random(seed);
        for (int i = 0; i < count; i++) yield return RandomBelow(P, rng);
    }

    [Fact]
    public void FieldMulSqrAddSubAgreeWithBigIntegerOnEdgeAndRandomValues()
    {
        var f = new P256Field();
        var r = new uint[8];
        BigInteger[] values = FieldSamples(1, 40).ToArray();
        foreach (BigInteger a in values)
        {
            f.Sqr(r, ToLimbs(a));
            Assert.Equal(Mod(a * a, P), FromLimbs(r));
            foreach (BigInteger b in values)
            {
                f.Mul(r, ToLimbs(a), ToLimbs(b));
                Assert.Equal(Mod(a * b, P), FromLimbs(r));
                P256Field.Add(r, ToLimbs(a), ToLimbs(b));
                Assert.Equal(Mod(a + b, P), FromLimbs(r));
                P256Field.Sub(r, ToLimbs(a), ToLimbs(b));
                Assert.Equal(Mod(a - b, P), FromLimbs(r));
            }
        }
    }

    [Fact]
    public void FieldOperationsMayWriteOverTheirOperands()
    {
        var f = new P256Field();
        BigInteger a = Hex("0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF");
        BigInteger b = Hex("FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA987654321");
        uint[] x = ToLimbs(a);
        f.Mul(x, x, ToLimbs(b));
        Assert.Equal(Mod(a * b, P), FromLimbs(x));
        x = ToLimbs(a);
        f.Mul(x, x, x);
        Assert.Equal(Mod(a * a, P), FromLimbs(x));
        x = ToLimbs(a);
        f.Sqr(x, x);
        Assert.Equal(Mod(a * a, P), FromLimbs(x));
        x = ToLimbs(a);
        P256Field.Sub(x, ToLimbs(b), x);
        Assert.Equal(Mod(b - a, P), FromLimbs(x));
        x = ToLimbs(a);
        f.Invert(x, x);
        Assert.Equal(Inverse(a, P), FromLimbs(x));
    }

    [Fact]
    public void FieldInverseAgreesWithBigInteger()
    {
        var f = new P256Field();
        var r = new uint[8];
        foreach (BigInteger a in FieldSamples(2, 10).Where(v => v != 0))
        {
            f.Invert(r, ToLimbs(a));
            Assert.Equal(Inverse(a, P), FromLimbs(r));
            Assert.Equal(BigInteger.One, Mod(FromLimbs(r) * a, P));
        }
    }

    [Property(MaxTest = 500)]
    public Property FieldMultiplicationMatchesBigInteger() =>
        Prop.ForAll(FieldElement().ToArbitrary(), FieldElement().ToArbitrary(), (a, b) =>
        {
            var f = new P256Field();
            var r = new uint[8];
            f.Mul(r, ToLimbs(a), ToLimbs(b));
            return FromLimbs(r) == Mod(a * b, P);
        });

    // Random limbs, biased toward 0 and 0xFFFFFFFF so carries and the reduction's corrections show up.
    private static Gen<BigInteger> FieldElement() =>
        Gen.ArrayOf(Gen.Frequency(
                (3, ArbMap.Default.GeneratorFor<uint>()),
                (1, Gen.Constant(0u)),
                (1, Gen.Constant(0xFFFFFFFFu))), 8)
            .Select(limbs => Mod(FromLimbs(limbs), P));

    [Fact]
    public void ScalarMontgomeryMultiplyAndInverseAgreeWithBigInteger()
    {
        var sc = new P256Scalar();
        var rng = new Random(3);
        BigInteger rInv = Inverse(R, N);
        var samples = new List<BigInteger> { 1, 2, N - 1, N - 2, Hex("FFFFFFFF00000000FFFFFFFFFFFFFFFF") };
        for (int i = 0; i < 30; i++) samples.Add(RandomBelow(N, rng));
        var r = new uint[8];
        foreach (BigInteger a in samples)
        {
            foreach (BigInteger b in samples)
            {
                sc.MontMul(r, ToLimbs(a), ToLimbs(b));
                Assert.Equal(Mod(a * b * rInv, N), FromLimbs(r));
            }

            // Montgomery form, invert there, and back out with a plain 1: a^-1 mod n.
            sc.MontMul(r, ToLimbs(a), P256Scalar.R2);
            Assert.Equal(Mod(a * R, N), FromLimbs(r));
            sc.MontInvert(r, r);
            sc.MontMul(r, r, ToLimbs(1));
            Assert.Equal(Inverse(a, N), FromLimbs(r));
        }
    }

    [Fact]
    public void ScalarRangeCheckAndReduction()
    {
        Assert.False(P256Scalar.IsValidNonZero(ToLimbs(0)));
        Assert.True(P256Scalar.IsValidNonZero(ToLimbs(1)));
        Assert.True(P256Scalar.IsValidNonZero(ToLimbs(N - 1)));
        Assert.False(P256Scalar.IsValidNonZero(ToLimbs(N)));
        Assert.False(P256Scalar.IsValidNonZero(ToLimbs(R - 1)));
        foreach (BigInteger e in new[] { BigInteger.Zero, N - 1, N, N + 1, R - 1 })
        {
            uint[] x = ToLimbs(e);
            P256Scalar.ReduceOnce(x);
            Assert.Equal(Mod(e, N), FromLimbs(x));
        }
    }

    [Fact]
    public void ConstantsAreTheCurve()
    {
        Assert.Equal(P, FromLimbs(P256Field.P));
        Assert.Equal(N, FromLimbs(P256Scalar.N));
        Assert.Equal(B, FromLimbs(P256Curve.B));
        Assert.Equal(G.X, FromLimbs(P256Curve.Gx));
        Assert.Equal(G.Y, FromLimbs(P256Curve.Gy));
        Assert.Equal(Mod(R * R, N), FromLimbs(P256Scalar.R2));
        Assert.True(new P256Curve().IsOnCurve(ToLimbs(G.X), ToLimbs(G.Y)));
        Assert.True(Multiply(N, G).IsInfinity);
    }

    [Fact]
    public void OnCurveCheckRefusesOffCurveAndOutOfRangeCoordinates()
    {
        var curve = new P256Curve();
        Assert.False(curve.IsOnCurve(ToLimbs(G.X), ToLimbs(G.Y + 1)));
        Assert.False(curve.IsOnCurve(ToLimbs(0), ToLimbs(0)));
        Assert.False(curve.IsOnCurve(ToLimbs(P), ToLimbs(G.Y)));
        Assert.False(curve.IsOnCurve(ToLimbs((BigInteger.One << 256) - 1), ToLimbs(G.Y)));

        // A point with a small x has a second, non-canonical encoding x + p < 2^256.
        Point q = FirstPointFrom(1);
        Assert.True(curve.IsOnCurve(ToLimbs(q.X), ToLimbs(q.Y)));
        Assert.False(curve.IsOnCurve(ToLimbs(q.X + P), ToLimbs(q.Y)));
        // y + p would need a point with y below 2^256 - p (about 2^224): none can be found, so y >= p
        // is checked on its own.
        Assert.False(curve.IsOnCurve(ToLimbs(q.X), ToLimbs(P)));
        Assert.False(curve.IsOnCurve(ToLimbs(q.X), ToLimbs((BigInteger.One << 256) - 1)));
    }

    private static P256Point Jacobian(Point q, BigInteger z)
    {
        var p = new P256Point();
        if (q.IsInfinity)
        {
            p.SetInfinity();
            return p;
        }

        // (x z^2, y z^3, z): the same point with a non-trivial Z.
        ToLimbs(Mod(q.X * z * z, P)).CopyTo(p.X, 0);
        ToLimbs(Mod(q.Y * z * z * z, P)).CopyTo(p.Y, 0);
        ToLimbs(z).CopyTo(p.Z, 0);
        return p;
    }

    private static Point Affine(P256Curve curve, P256Point p)
    {
        if (p.IsInfinity) return Point.Infinity;
        var x = new uint[8];
        var y = new uint[8];
        curve.ToAffine(x, y, p);
        return new Point(FromLimbs(x), FromLimbs(y));
    }

    [Fact]
    public void PointDoubleAndAddAgreeWithTheAffineReferenceIncludingExceptionalCases()
    {
        var curve = new P256Curve();
        var rng = new Random(4);
        var points = new List<Point> { G, Negate(G), Multiply(2, G), Multiply(N - 1, G) };
        for (int i = 0; i < 6; i++) points.Add(Multiply(RandomBelow(N, rng), G));
        BigInteger z1 = RandomBelow(P, rng), z2 = RandomBelow(P, rng);
        var r = new P256Point();
        foreach (Point a in points)
        {
            curve.Double(r, Jacobian(a, z1));
            Assert.Equal(Add(a, a), Affine(curve, r));
            foreach (Point b in points.Append(a).Append(Negate(a)).Append(Point.Infinity))
            {
                Point expected = Add(a, b);
                curve.Add(r, Jacobian(a, z1), Jacobian(b, z2));   // both Jacobian
                Assert.Equal(expected, Affine(curve, r));
                curve.Add(r, Jacobian(a, z1), Jacobian(b, 1));    // mixed: b affine
                Assert.Equal(expected, Affine(curve, r));
            }
        }

        // Results written over an operand.
        P256Point acc = Jacobian(points[4], z1);
        curve.Add(acc, acc, Jacobian(points[5], 1));
        Assert.Equal(Add(points[4], points[5]), Affine(curve, acc));
        curve.Double(acc, acc);
        Assert.Equal(Multiply(2, Add(points[4], points[5])), Affine(curve, acc));
    }
}
