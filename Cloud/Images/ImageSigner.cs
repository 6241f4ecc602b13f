using System.Numerics;
using System.Security.Cryptography;
using CoreFirmware.Ota.Image;

namespace CoreFirmware.Cloud.Images;

/// <summary>
/// Host side of the signed image format (<see cref="ImageFormat"/>): P-256 key pairs, signing,
/// verification and parsing. Keys are PEM: the private key PKCS#8 ("BEGIN PRIVATE KEY"), the
/// public key X.509 SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"); the device takes the raw 65-byte
/// point (<see cref="PublicKeyPoint"/>, written by keygen as a .pub.bin file).
/// </summary>
public static class ImageSigner
{
    /// <summary>Creates a new P-256 key.</summary>
    public static ECDsa GenerateKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Writes &lt;basePath&gt;.pem (private), .pub.pem (public) and .pub.bin (65-byte point); returns the three paths.</summary>
    public static (string Private, string Public, string Point) WriteKeyPair(ECDsa key, string basePath)
    {
        string priv = basePath + ".pem";
        string pub = basePath + ".pub.pem";
        string point = basePath + ".pub.bin";
        OwnerOnlyFile.WriteAllText(priv, key.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(pub, key.ExportSubjectPublicKeyInfoPem() + "\n");
        File.WriteAllBytes(point, PublicKeyPoint(key));
        return (priv, pub, point);
    }

    /// <summary>Loads a P-256 key from a PEM file (private or public), or a 65-byte raw point file.</summary>
    public static ECDsa LoadKey(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length == ImageFormat.PublicKeySize && bytes[0] == 0x04) return LoadPublicPoint(bytes);
        var key = ECDsa.Create();
        {
            try
            {
                key.ImportFromPem(File.ReadAllText(path));
            }
            catch (Exception e) when (e is ArgumentException || e is CryptographicException)
            {
                key.Dispose();
                throw new ArgumentException($"{path}: not a P-256 PEM key or 65-byte public point ({e.Message})");
            }
        }

        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new ArgumentException($"{path}: not a P-256 key");
        }

        return key;
    }

    /// <summary>A P-256 public key from its 65-byte uncompressed point (what devices are provisioned with).</summary>
    public static ECDsa LoadPublicPoint(byte[] point)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (point.Length != ImageFormat.PublicKeySize || point[0] != 0x04) throw new ArgumentException("expected a 65-byte uncompressed P-256 point", nameof(point));
        var key = ECDsa.Create();
        key.ImportParameters(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[1..33], Y = point[33..65] },
        });
        return key;
    }

    /// <summary>The uncompressed public point 0x04 || X || Y (65 bytes).</summary>
    public static byte[] PublicKeyPoint(ECDsa key)
    {
        ECParameters p = key.ExportParameters(false);
        var point = new byte[ImageFormat.PublicKeySize];
        point[0] = 0x04;
        p.Q.X!.CopyTo(point, 1);
        p.Q.Y!.CopyTo(point, 33);
        return point;
    }

    /// <summary>Builds header + payload + trailer (key hash, SHA-256, ECDSA P-256 signature).</summary>
    public static byte[] Sign(byte[] payload, ImageVersion version, uint boardId, ECDsa privateKey, uint flags = 0)
    {
        int body = ImageFormat.HeaderSize + payload.Length;
        var image = new byte[body + ImageFormat.StandardTrailerSize];
        new ImageHeader
        {
            Magic = ImageFormat.Magic,
            FormatVersion = ImageFormat.FormatVersion,
            HeaderSize = ImageFormat.HeaderSize,
            BoardId = boardId,
            Major = version.Major,
            Minor = version.Minor,
            Revision = version.Revision,
            Build = version.Build,
            PayloadSize = (uint)payload.Length,
            Flags = flags,
        }.Write(image, 0);
        payload.CopyTo(image, ImageFormat.HeaderSize);

        byte[] digest = SHA256.HashData(image.AsSpan(0, body));
        byte[] signature = LowS(privateKey.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        byte[] keyHash = SHA256.HashData(PublicKeyPoint(privateKey));

        int p = body;
        ImageFormat.WriteUInt16(image, p, ImageFormat.TrailerMagic);
        ImageFormat.WriteUInt16(image, p + 2, ImageFormat.StandardTrailerSize);
        p += ImageFormat.TrailerInfoSize;
        p = Entry(image, p, ImageFormat.TagKeyHash, keyHash);
        p = Entry(image, p, ImageFormat.TagSha256, digest);
        p = Entry(image, p, ImageFormat.TagEcdsaP256, signature);
        return p == image.Length ? image : throw new InvalidOperationException("trailer size mismatch");
    }

    /// <summary>P-256's group order n.</summary>
    private static readonly BigInteger Order = new(Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"), isUnsigned: true, isBigEndian: true);

    /// <summary>
    /// The low-S form of an r || s signature: (r, n - s) when s &gt; n / 2, else unchanged. Both verify
    /// under plain ECDSA; the device and <see cref="Verify"/> accept only the low one, so a signature
    /// cannot be re-encoded into a second valid one.
    /// </summary>
    public static byte[] LowS(byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (signature.Length != ImageFormat.SignatureSize) throw new ArgumentException("expected r || s, 64 bytes", nameof(signature));
        if (ImageFormat.IsLowS(signature, 32)) return signature;
        var s = new BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        byte[] high = (Order - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] result = (byte[])signature.Clone();
        Array.Clear(result, 32, 32);
        high.CopyTo(result, 64 - high.Length);
        return result;
    }

    private static int Entry(byte[] image, int p, int tag, byte[] value)
    {
        image[p] = (byte)tag;
        image[p + 1] = 0;
        ImageFormat.WriteUInt16(image, p + 2, value.Length);
        value.CopyTo(image, p + ImageFormat.EntryHeaderSize);
        return p + ImageFormat.EntryHeaderSize + value.Length;
    }

    /// <summary>
    /// Host-side verification (independent of the firmware's streaming verifier, same verdicts):
    /// header checks against <paramref name="boardId"/> and <paramref name="slotSize"/> (the reserved
    /// word zero), the trailer (entries' reserved bytes zero, nothing after it: else Malformed), then
    /// the digest and the signature with <paramref name="publicKey"/> (low S only).
    /// </summary>
    public static ImageVerifyResult Verify(byte[] image, ECDsa publicKey, uint boardId, int slotSize)
    {
        if (image.Length > slotSize) return ImageVerifyResult.TooLarge;
        SignedImage parsed = SignedImage.Parse(image);
        if (image.Length < ImageFormat.HeaderSize) return ImageVerifyResult.Truncated;
        ImageVerifyResult r = parsed.Header.Check(boardId, slotSize);
        if (r != ImageVerifyResult.Ok) return r;
        if (parsed.Problem != null)
        {
            return parsed.Problem.Contains("after the trailer", StringComparison.Ordinal) ? ImageVerifyResult.Malformed : ImageVerifyResult.Truncated;
        }

        if (parsed.Entries.Any(e => image[e.Offset + 1] != 0)) return ImageVerifyResult.Malformed;

        int body = ImageFormat.HeaderSize + (int)parsed.Header.PayloadSize;
        byte[] digest = SHA256.HashData(image.AsSpan(0, body));
        byte[]? hash = parsed.Find(ImageFormat.TagSha256);
        if (hash == null || !hash.AsSpan().SequenceEqual(digest)) return ImageVerifyResult.BadHash;
        byte[]? keyHash = parsed.Find(ImageFormat.TagKeyHash);
        if (keyHash != null && !keyHash.AsSpan().SequenceEqual(SHA256.HashData(PublicKeyPoint(publicKey)))) return ImageVerifyResult.BadSignature;
        byte[]? signature = parsed.Find(ImageFormat.TagEcdsaP256);
        if (signature == null || signature.Length != ImageFormat.SignatureSize) return ImageVerifyResult.BadSignature;
        if (!ImageFormat.IsLowS(signature, 32)) return ImageVerifyResult.BadSignature;
        return publicKey.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? ImageVerifyResult.Ok
            : ImageVerifyResult.BadSignature;
    }
}
