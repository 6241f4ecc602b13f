using System.Security.Cryptography;
using Xunit;
using FwSha256 = CoreFirmware.Ota.Image.Sha256;

namespace CoreFirmware.Tests.Image;

[Trait("Category", "Image")]
public class Sha256Tests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(55)]
    [InlineData(56)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(119)]
    [InlineData(120)]
    [InlineData(1000)]
    [InlineData(70000)]
    public void MatchesSystemSha256ForAnySplit(int length)
    {
        var rng = new Random(length);
        var data = new byte[length];
        rng.NextBytes(data);
        byte[] expected = SHA256.HashData(data);
        var sha = new FwSha256();
        for (int round = 0; round < 4; round++)
        {
            sha.Begin();
            int p = 0;
            while (p < length)
            {
                int n = Math.Min(length - p, round == 0 ? length : rng.Next(1, 300));
                sha.Update(data, p, n);
                p += n;
            }

            var digest = new byte[40];
            sha.Finish(digest, 8);
            Assert.Equal(expected, digest[8..]);
        }
    }

    [Fact]
    public void KnownAnswerAbc()
    {
        var sha = new FwSha256();
        sha.Begin();
        sha.Update("abc"u8.ToArray(), 0, 3);
        var d = new byte[32];
        sha.Finish(d, 0);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(d));
    }

    [Fact]
    public void SteadyStateHashingAllocatesNothing()
    {
        var sha = new FwSha256();
        var chunk = new byte[256];
        var digest = new byte[32];
        for (int i = 0; i < 10; i++)
        {
            sha.Begin();
            sha.Update(chunk, 0, chunk.Length);
            sha.Finish(digest, 0);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            sha.Begin();
            sha.Update(chunk, 0, chunk.Length);
            sha.Update(chunk, 0, 17);
            sha.Finish(digest, 0);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
