using CoreFirmware.Ota.Protocol;
using Xunit;
using static CoreFirmware.Tests.Protocol.ProtocolTestKeys;

namespace CoreFirmware.Tests.Protocol;

/// <summary>
/// The protocol readers check indexes and arrays and say so with ArgumentException types, never an
/// IndexOutOfRangeException or a stale value from a previous message (issue 12, item 4).
/// </summary>
[Trait("Category", "Protocol")]
public sealed class ProtocolArgumentTests
{
    [Fact]
    public void OptionAccessorsCheckTheIndex()
    {
        var m = new CoapMessage();
        // Two options first, then a message with one: index 1 must not give the old message's option.
        Assert.Equal(CoapResult.Ok, m.Decode(Hex("41 02 12 34 07 B1 63 44 CB F4 39 26 FF 31 32"), 0, 15));
        Assert.Equal(CoapResult.Ok, m.Decode(Hex("40 01 00 01 B1 64"), 0, 6));
        Assert.Equal(CoapOption.UriPath, m.GetOptionNumber(0));
        foreach (int bad in new[] { -1, 1, CoapMessage.MaxOptions, int.MaxValue })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => m.GetOptionNumber(bad));
            Assert.Throws<ArgumentOutOfRangeException>(() => m.GetOptionOffset(bad));
            Assert.Throws<ArgumentOutOfRangeException>(() => m.GetOptionLength(bad));
        }
    }

    [Fact]
    public void TokenEqualsChecksItsRange()
    {
        var m = new CoapMessage();
        Assert.Equal(CoapResult.Ok, m.Decode(Hex("41 02 12 34 07"), 0, 5));
        Assert.True(m.TokenEquals([9, 7], 1, 1));
        Assert.Throws<ArgumentNullException>(() => m.TokenEquals(null!, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.TokenEquals([7], 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.TokenEquals([7], -1, 1));
        Assert.False(m.TokenEquals([7], 0, 0));
    }

    [Fact]
    public void MissedChunkReaderChecksTheIndex()
    {
        var m = new CoapMessage();
        // GET "c", CON, payload 00 01 00 05: two missed chunks.
        Assert.Equal(CoapResult.Ok, m.Decode(Hex("40 01 00 07 B1 63 FF 00 01 00 05"), 0, 11));
        Assert.Equal(2, SparkMessages.ReadMissedChunkCount(m));
        Assert.Equal(5, SparkMessages.ReadMissedChunk(m, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparkMessages.ReadMissedChunk(m, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SparkMessages.ReadMissedChunk(m, -1));
        Assert.Throws<ArgumentNullException>(() => SparkMessages.ReadMissedChunk(null!, 0));
    }
}
