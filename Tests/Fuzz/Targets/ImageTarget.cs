using System.Security.Cryptography;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Fuzz.Engine;
using CoreFirmware.Ota.Crypto;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Fuzz.Targets;

/// <summary>
/// The signed image's header and trailer as the device reads them: ImageHeader (read, check,
/// write back) and ImageVerifier (header checks, trailer TLV parse, streaming SHA-256, the
/// firmware's own ECDSA P-256 verify) over an image in a flash slot. Invariants: reads stay within
/// the delivered bytes; the same verdict twice; a header reads back to the bytes it came from; and
/// authenticity: an image verifies only when its signed part (header and payload) is exactly that
/// of a seed signed with the corpus key. (This target exercises the existing parser; whether extra
/// trailer bytes are refused is the boot-state work's rule, not an invariant here.)
/// </summary>
public sealed class ImageTarget : IFuzzTarget
{
    /// <summary>Slot size the target verifies against: 4 KB keeps the seeds' "too large" edge in reach.</summary>
    public const int SlotSize = 4096;

    /// <summary>The 65-byte public point the seeds were signed with (Corpus/image.pub.bin).</summary>
    public static string PublicKeyPath => Path.Combine(AppContext.BaseDirectory, "Corpus", "image.pub.bin");

    private readonly ImageVerifier _verifier;
    private readonly ImageHeader _header = new();
    private readonly HashSet<string> _authentic;
    private readonly byte[] _written = new byte[ImageFormat.HeaderSize];

    public ImageTarget()
    {
        _verifier = new ImageVerifier(new ManagedImageCrypto(), File.ReadAllBytes(PublicKeyPath), SparkCoreBoard.ImageBoardId);
        _authentic = FuzzCorpus.Load(Name)
            .Where(seed => _verifier.Verify(new SlotReader(seed), 0, SlotSize, seed.Length) == ImageVerifyResult.Ok)
            .Select(seed => SignedPartHash(seed, _verifier.Header))
            .ToHashSet();
        if (_authentic.Count == 0) throw new InvalidOperationException("no seed image verifies with Corpus/image.pub.bin (run write-seeds)");
    }

    public string Name => "image";

    public int MaxInputLength => SlotSize + 64;

    public IReadOnlyList<byte[]> Dictionary { get; } =
    [
        [0x43, 0x46, 0x57, 0x49], [0x01, 0x00, 0x20, 0x00], [0x43, 0x4B, 0x50, 0x53], [0x46, 0x54], [0x10, 0x00, 0x20, 0x00],
        [0x20, 0x00, 0x40, 0x00], [0x01, 0x00, 0x20, 0x00], [0x30, 0x00, 0x00, 0x00], [0x00, 0x01], [0xFF, 0xFF, 0xFF, 0xFF], [0x00, 0x00, 0x00, 0x80],
    ];

    public string Run(byte[] input)
    {
        if (input.Length >= ImageFormat.HeaderSize)
        {
            _header.Read(input, 0);
            _header.Write(_written, 0);
            FuzzInvariantException.Check(_written.AsSpan(0, 28).SequenceEqual(input.AsSpan(0, 28)) && _written.AsSpan(28, 4).SequenceEqual(new byte[4]),
                "the header does not write back to the bytes it was read from");
            _ = _header.Check(SparkCoreBoard.ImageBoardId, SlotSize);
        }

        var slot = new SlotReader(input);
        ImageVerifyResult r = _verifier.Verify(slot, 0, SlotSize, input.Length);
        FuzzInvariantException.Check(Enum.IsDefined(r), $"result {(int)r}");
        int length = _verifier.ImageLength;
        ImageVerifyResult again = _verifier.Verify(slot, 0, SlotSize, input.Length);
        FuzzInvariantException.Check(again == r && _verifier.ImageLength == length, $"verified {r} then {again}");
        if (r == ImageVerifyResult.Ok)
        {
            FuzzInvariantException.Check(_authentic.Contains(SignedPartHash(input, _verifier.Header)), "an image whose signed part no seed has verified");
            FuzzInvariantException.Check(length > ImageFormat.HeaderSize + (int)_verifier.Header.PayloadSize && length <= input.Length, $"image length {length} of {input.Length}");
        }
        else
        {
            FuzzInvariantException.Check(length == 0, $"{r} with image length {length}");
        }

        return $"{r}:{(input.Length > length && r == ImageVerifyResult.Ok ? "tail" : "")}";
    }

    private static string SignedPartHash(byte[] image, ImageHeader header) =>
        Convert.ToHexString(SHA256.HashData(image.AsSpan(0, ImageFormat.HeaderSize + (int)header.PayloadSize)));

    /// <summary>A slot holding exactly the delivered bytes: a read outside them breaks an invariant.</summary>
    private sealed class SlotReader(byte[] image) : IFlashReader
    {
        public void Read(int address, byte[] buffer, int offset, int count)
        {
            FuzzInvariantException.Check(address >= 0 && count >= 0 && address + count <= image.Length, $"read of {count} bytes at {address}, {image.Length} delivered");
            Array.Copy(image, address, buffer, offset, count);
        }
    }
}
