using CoreFirmware.Ota.Image;

namespace CoreFirmware.Cloud.Images;

/// <summary>One trailer entry as found in a file.</summary>
public sealed record ImageTlv(int Tag, int Offset, byte[] Value)
{
    public string TagName => Tag switch
    {
        ImageFormat.TagKeyHash => "KEYHASH",
        ImageFormat.TagSha256 => "SHA256",
        ImageFormat.TagEcdsaP256 => "ECDSA-P256",
        _ => $"0x{Tag:x2}",
    };
}

/// <summary>A parsed signed image (host side, for inspect and verify); Problem says what is malformed, if anything.</summary>
public sealed class SignedImage
{
    public required ImageHeader Header { get; init; }
    public required int Length { get; init; }
    public int TrailerOffset { get; init; }
    public int TrailerSize { get; init; }
    public IReadOnlyList<ImageTlv> Entries { get; init; } = [];
    public string? Problem { get; init; }

    public byte[]? Find(int tag) => Entries.FirstOrDefault(e => e.Tag == tag)?.Value;

    /// <summary>Parses header and trailer; never throws on malformed content (see <see cref="Problem"/>).</summary>
    public static SignedImage Parse(byte[] image)
    {
        var header = new ImageHeader();
        if (image.Length < ImageFormat.HeaderSize)
        {
            return new SignedImage { Header = header, Length = image.Length, Problem = "shorter than a header" };
        }

        header.Read(image, 0);
        if (header.Magic != ImageFormat.Magic)
        {
            return new SignedImage { Header = header, Length = image.Length, Problem = "bad magic" };
        }

        long body = (long)ImageFormat.HeaderSize + header.PayloadSize;
        if (image.Length < body + ImageFormat.TrailerInfoSize)
        {
            return new SignedImage { Header = header, Length = image.Length, Problem = "truncated: no trailer" };
        }

        int t = (int)body;
        int magic = ImageFormat.ReadUInt16(image, t);
        int size = ImageFormat.ReadUInt16(image, t + 2);
        if (magic != ImageFormat.TrailerMagic)
        {
            return new SignedImage { Header = header, Length = image.Length, TrailerOffset = t, Problem = "bad trailer magic" };
        }

        if (t + size > image.Length || size < ImageFormat.TrailerInfoSize)
        {
            return new SignedImage { Header = header, Length = image.Length, TrailerOffset = t, TrailerSize = size, Problem = "truncated trailer" };
        }

        var entries = new List<ImageTlv>();
        int p = t + ImageFormat.TrailerInfoSize;
        string? problem = null;
        while (p < t + size)
        {
            if (p + ImageFormat.EntryHeaderSize > t + size)
            {
                problem = "malformed trailer entry";
                break;
            }

            int len = ImageFormat.ReadUInt16(image, p + 2);
            if (p + ImageFormat.EntryHeaderSize + len > t + size)
            {
                problem = "trailer entry overruns the trailer";
                break;
            }

            entries.Add(new ImageTlv(image[p], p, image.AsSpan(p + ImageFormat.EntryHeaderSize, len).ToArray()));
            p += ImageFormat.EntryHeaderSize + len;
        }

        if (problem == null && t + size != image.Length)
        {
            problem = $"{image.Length - t - size} byte(s) after the trailer";
        }

        return new SignedImage { Header = header, Length = image.Length, TrailerOffset = t, TrailerSize = size, Entries = entries, Problem = problem };
    }
}
