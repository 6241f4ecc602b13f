using System.Diagnostics;
using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Ota.Crypto;
using CoreFirmware.Ota.Image;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// Image-signature verification on CoreCLR: the firmware's managed ECDSA P-256 verifier
/// (Ota/Crypto, what a board without crypto runs) beside HostCrypto (OpenSSL through .NET, key
/// import included), and a whole 64 KB image checked by ImageVerifier over ManagedImageCrypto
/// from RAM (SHA-256 of 64 KB + one verification). The nanoCLR figures for the same code are in
/// Ota/Crypto/CRYPTO-ON-DEVICE.md (nanoCLR has no place in this host benchmark).
/// </summary>
/// <remarks>Medians of <see cref="Rounds"/> timed rounds after a warm-up; wall-clock time.</remarks>
public sealed class CryptoBenchmark : IBenchmark
{
    private const string Bench = "crypto";
    private const int Rounds = 7;
    private const int PerRound = 100;
    private const int PayloadSize = 64 * 1024;
    private const uint BoardId = 0x43524B31;

    public string Name => Bench;

    public void Run(BenchmarkReport report)
    {
        report.Setting(Bench, $"median of {Rounds} rounds of {PerRound} calls after warm-up; one P-256 key; 64 KB random payload");
        using ECDsa key = ImageSigner.GenerateKey();
        byte[] pub = ImageSigner.PublicKeyPoint(key);
        byte[] digest = SHA256.HashData("benchmark"u8);
        byte[] sig = ImageSigner.LowS(key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)); // a high s is refused before any work
        var verifier = new EcdsaP256Verifier();
        using var host = new HostCrypto();

        report.Add(Bench, "ECDSA P-256 verify, managed (EcdsaP256Verifier)",
            MedianMs(() => verifier.Verify(pub, 0, digest, 0, sig, 0)), "ms", "0.000");
        report.Add(Bench, "ECDSA P-256 verify, HostCrypto (OpenSSL, key import included)",
            MedianMs(() => host.EcdsaP256Verify(pub, 0, digest, 0, sig, 0)), "ms", "0.000");

        var payload = new byte[PayloadSize];
        new Random(1).NextBytes(payload);
        byte[] image = ImageSigner.Sign(payload, new ImageVersion(1, 0, 0, 1), BoardId, key);
        var flash = new RamFlash(image);
        var imageVerifier = new ImageVerifier(new ManagedImageCrypto(), pub, BoardId);
        report.Add(Bench, "64 KB image, ImageVerifier over ManagedImageCrypto (from RAM)",
            MedianMs(() => imageVerifier.Verify(flash, 0, image.Length, image.Length) == ImageVerifyResult.Ok), "ms", "0.000");
    }

    private static double MedianMs(Func<bool> call)
    {
        for (int i = 0; i < PerRound; i++)
        {
            if (!call()) throw new InvalidOperationException("verification failed");
        }

        var rounds = new List<double>();
        for (int r = 0; r < Rounds; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < PerRound; i++) call();
            rounds.Add(sw.Elapsed.TotalMilliseconds / PerRound);
        }

        rounds.Sort();
        return rounds[Rounds / 2];
    }

    private sealed class RamFlash(byte[] data) : IFlashReader
    {
        public void Read(int address, byte[] buffer, int offset, int count) => Array.Copy(data, address, buffer, offset, count);
    }
}
