using Xunit;

namespace CoreFirmware.Tests.Support;

/// <summary>The zero-allocation helper must still see a genuine allocation.</summary>
public sealed class AllocationsTests
{
    private sealed class Small
    {
        public int Value;
    }

    [Fact]
    public void AnAllocatingLoopIsReported()
    {
        object? last = null;
        void Once(int i) => last = new Small { Value = i };
        for (int i = 0; i < 10; i++) Once(i);

        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 100; i++) Once(i);
        });

        // 100 objects of at least 24 bytes each in every attempt: the minimum over attempts cannot be below that.
        Assert.True(allocated >= 100 * 24, $"reported {allocated} bytes");
        Assert.NotNull(last);
    }

    [Fact]
    public void AnAllocationFreeLoopReportsZero()
    {
        var data = new byte[256];
        int sum = 0;
        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 1000; i++) sum += data[i & 255];
        });

        Assert.Equal(0, allocated);
        Assert.Equal(0, sum);
    }
}
