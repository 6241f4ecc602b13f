using CoreFirmware.Drivers.Spi;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Spi;

public class SpiBusArbiterTests
{
    [Fact]
    public void FreeBusIsGrantedAtOnce()
    {
        var arbiter = new SpiBusArbiter(new VirtualClock());
        Assert.True(arbiter.TryAcquire(BusPriority.UserNetwork, 0));
        Assert.True(arbiter.IsHeldByCurrentThread);
        arbiter.Release();
        Assert.False(arbiter.IsHeld);
    }
}
