using System.Numerics;
using System.Security.Cryptography;

namespace CoreFirmware.Tests.Crypto;

/// <summary>
/// A slow, obviously-correct P-256 over <see cref="BigInteger"/> in affine coordinates: the oracle
/// the firmware's limb arithmetic is checked against, and a way to build signatures .NET will not
/// make (keys d = 1 or n - 1, chosen nonces, a chosen digest).
/// </summary>
internal static class P256Reference
{
    public static readonly BigInteger P = Hex("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
    public static readonly BigInteger N = Hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
    public static readonly BigInteger B = Hex("5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B");
    public static readonly Point G = new(
        Hex("6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"),
        Hex("4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5"));

    /// <summary>An affine point; <see cref="Infinity"/> has no coordinates.</summary>
    public readonly record struct Point(BigInteger X, BigInteger Y, bool IsInfinity = false)
    {
        public static readonly Point Infinity = new(0, 0, true);
    }

    public static BigInteger Hex(string hex) => BigInteger.Parse("0" + hex, System.Globalization.NumberStyles.HexNumber);

    public static BigInteger Mod(BigInteger x, BigInteger m)
    {
        BigInteger r = x % m;
        return r.Sign < 0 ? r + m : r;
    }

    public static BigInteger Inverse(BigInteger x, BigInteger m) => BigInteger.ModPow(Mod(x, m), m - 2, m);

    public static uint[] ToLimbs(BigInteger x)
    {
        var limbs = new uint[8];
        for (int i = 0; i < 8; i++)
        {
            limbs[i] = (uint)(x & 0xFFFFFFFF);
            x >>= 32;
        }

        return limbs;
    }

    public static BigInteger FromLimbs(uint[] limbs)
    {
        BigInteger x = 0;
        for (int i = 7; i >= 0; i--) x = (x << 32) | limbs[i];
        return x;
    }

    /// <summary>Big-endian, exactly 32 bytes (x must be below 2^256).</summary>
    public static byte[] ToBytes32(BigInteger x)
    {
        byte[] raw = x.ToByteArray(isUnsigned: true, isBigEndian: true);
        var b = new byte[32];
        raw.CopyTo(b, 32 - raw.Length);
        return b;
    }

    public static BigInteger FromBytes(ReadOnlySpan<byte> b) => new(b, isUnsigned: true, isBigEndian: true);

    public static BigInteger RandomBelow(BigInteger bound, Random rng)
    {
        var b = new byte[32];
        while (true)
        {
            rng.NextBytes(b);
            BigInteger x = FromBytes(b);
            if (x < bound) return x;
        }
    }

    public static bool IsOnCurve(Point q) =>
        !q.IsInfinity && Mod(q.Y * q.Y - (q.X * q.X * q.X - 3 * q.X + B), P) == 0;

    /// <summary>A curve point with this x (either of the two), or null when x^3 - 3x + b is not a square mod p.</summary>
    public static Point? PointWithX(BigInteger x)
    {
        BigInteger rhs = Mod(x * x * x - 3 * x + B, P);
        BigInteger y = BigInteger.ModPow(rhs, (P + 1) / 4, P); // p = 3 mod 4
        return Mod(y * y, P) == rhs ? new Point(Mod(x, P), y) : null;
    }

    /// <summary>The first curve point whose x is at least <paramref name="from"/>.</summary>
    public static Point FirstPointFrom(BigInteger from)
    {
        for (BigInteger x = from; ; x++)
        {
            if (PointWithX(x) is Point q) return q;
        }
    }

    public static Point Negate(Point q) => q.IsInfinity ? q : new Point(q.X, Mod(-q.Y, P));

    public static Point Add(Point a, Point b)
    {
        if (a.IsInfinity) return b;
        if (b.IsInfinity) return a;
        BigInteger lambda;
        if (a.X == b.X)
        {
            if (Mod(a.Y + b.Y, P) == 0) return Point.Infinity;
            lambda = Mod((3 * a.X * a.X - 3) * Inverse(2 * a.Y, P), P);
        }
        else
        {
            lambda = Mod((b.Y - a.Y) * Inverse(b.X - a.X, P), P);
        }

        BigInteger x = Mod(lambda * lambda - a.X - b.X, P);
        return new Point(x, Mod(lambda * (a.X - x) - a.Y, P));
    }

    public static Point Multiply(BigInteger k, Point q)
    {
        Point result = Point.Infinity;
        for (int bit = (int)k.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = Add(result, result);
            if (!(k >> bit).IsEven) result = Add(result, q);
        }

        return result;
    }

    /// <summary>The 65-byte uncompressed encoding 04 || X || Y.</summary>
    public static byte[] Encode(Point q) => [0x04, .. ToBytes32(q.X), .. ToBytes32(q.Y)];

    /// <summary>ECDSA signature r || s with private key d and nonce k over the digest value e (not
    /// reduced), in its low-S form (s &lt;= n / 2, as the image signer emits and the verifier requires).</summary>
    public static byte[] Sign(BigInteger d, BigInteger k, BigInteger e)
    {
        BigInteger r = Mod(Multiply(k, G).X, N);
        BigInteger s = Mod(Inverse(k, N) * (e + r * d), N);
        if (r == 0 || s == 0) throw new ArgumentException("degenerate nonce");
        return [.. ToBytes32(r), .. ToBytes32(BigInteger.Min(s, N - s))];
    }

    /// <summary>True when the signature's s is at most n / 2 (the low-S rule).</summary>
    public static bool IsLowS(byte[] signature) => FromBytes(signature.AsSpan(32, 32)) <= N / 2;

    /// <summary>The low-S form of r || s: (r, n - s) when s &gt; n / 2. Both verify under plain ECDSA.</summary>
    public static byte[] LowS(byte[] signature)
    {
        BigInteger s = FromBytes(signature.AsSpan(32, 32));
        return s <= N / 2 ? signature : [.. signature.AsSpan(0, 32), .. ToBytes32(N - s)];
    }

    /// <summary>A .NET signature of <paramref name="digest"/> in its low-S form.</summary>
    public static byte[] SignLow(ECDsa key, byte[] digest) =>
        LowS(key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    /// <summary>
    /// A valid (digest, r || s) for any public point q, its private key unknown: pick u1, u2, take
    /// R = u1 G + u2 q, r = x(R) mod n, s = r / u2, e = u1 s. (Possible because the digest is chosen,
    /// not hashed from a message.) With <paramref name="zeroDigest"/>, u1 = 0 and R = u2 q: for a
    /// point q off the curve this keeps every operation on the one curve through q.
    /// </summary>
    public static (byte[] Digest, byte[] Signature) SignatureForAnyKey(Point q, Random rng, bool zeroDigest = false)
    {
        BigInteger u1 = zeroDigest ? 0 : RandomBelow(N, rng), u2 = RandomBelow(N, rng);
        BigInteger r = Mod(Add(Multiply(u1, G), Multiply(u2, q)).X, N);
        BigInteger s = Mod(r * Inverse(u2, N), N);
        // (r, s) and (r, n - s) verify alike (-R has R's x); hand out the low-S one.
        return (ToBytes32(Mod(u1 * s, N)), [.. ToBytes32(r), .. ToBytes32(BigInteger.Min(s, N - s))]);
    }

    /// <summary>A .NET P-256 key's public point as 04 || X || Y.</summary>
    public static byte[] PublicKey(ECDsa key)
    {
        ECParameters p = key.ExportParameters(false);
        return [0x04, .. p.Q.X!, .. p.Q.Y!];
    }

    /// <summary>.NET's verdict on (public key, digest, r || s); an unimportable key is a refusal.</summary>
    public static bool DotNetVerify(byte[] publicKey, byte[] digest, byte[] signature)
    {
        if (publicKey.Length != 65 || publicKey[0] != 0x04) return false;
        try
        {
            using var ec = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = publicKey[1..33], Y = publicKey[33..65] },
            });
            return ec.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
