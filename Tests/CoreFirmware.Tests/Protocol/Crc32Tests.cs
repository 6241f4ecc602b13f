using System.Text;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Protocol;

[Trait("Category", "Protocol")]
public class Crc32Tests
{
    private static uint Crc(string s)
    {
        byte[] b = Encoding.ASCII.GetBytes(s);
        return Crc32.Compute(b, 0, b.Length);
    }

    [Fact]
    public void KnownVectors()
    {
        Assert.Equal(0xCBF43926u, Crc("123456789"));
        Assert.Equal(0x00000000u, Crc(""));
        Assert.Equal(0xE8B7BE43u, Crc("a"));
        Assert.Equal(0x414FA339u, Crc("The quick brown fox jumps over the lazy dog"));
        // 256 zero bytes: a zero-padded last OTA chunk of the default size.
        Assert.Equal(0x0D968558u, Crc32.Compute(new byte[256], 0, 256));
    }

    [Fact]
    public void MatchesBitwiseReferenceAndIncrementalEqualsWhole()
    {
        var rng = new Random(1234);
        for (int t = 0; t < 200; t++)
        {
            var data = new byte[rng.Next(0, 700)];
            rng.NextBytes(data);
            uint expected = Reference(data);
            Assert.Equal(expected, Crc32.Compute(data, 0, data.Length));
            int split = data.Length == 0 ? 0 : rng.Next(0, data.Length);
            uint part = Crc32.Update(0, data, 0, split);
            Assert.Equal(expected, Crc32.Update(part, data, split, data.Length - split));
        }
    }

    [Fact]
    public void RespectsOffsetAndCount()
    {
        byte[] b = Encoding.ASCII.GetBytes("xx123456789yy");
        Assert.Equal(0xCBF43926u, Crc32.Compute(b, 2, 9));
    }

    [Fact]
    public void ComputeAllocatesNothing()
    {
        var data = new byte[594];
        Crc32.Compute(data, 0, data.Length);
        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                Crc32.Compute(data, 0, data.Length);
            }
        });

        Assert.Equal(0, allocated);
    }

    private static uint Reference(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return ~crc;
    }
}
