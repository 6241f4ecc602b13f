using System.Diagnostics;
using CoreFirmware.Drivers.Cc3000;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Virtual.Network;
using Xunit;

namespace CoreFirmware.Tests.Cc3000;

/// <summary>The driver keeps trying to bring the network back, through a backoff.</summary>
[Trait("Category", "Cc3000")]
public class Cc3000RecoveryRetryTests
{
    [Fact]
    public void TheBackoffDoublesFromOneSecondUpToThirtySeconds()
    {
        int[] expected = { 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000 };
        for (int n = 0; n < expected.Length; n++) Assert.Equal(expected[n], Cc3000Driver.RetryDelayMilliseconds(n));
        Assert.Equal(30000, Cc3000Driver.RetryDelayMilliseconds(1000));
    }

    [Fact]
    public void AFailedRecoveryIsRetriedThroughTheBackoffUntilTheModuleComesBack()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        var model = rig.Cc3000.Model;
        driver.CommandTimeoutMilliseconds = 300;
        int s = rig.OpenConnected(rig.User, server.Port);

        // The module hangs, and then refuses to boot twice: the recovery in the Send fails ...
        model.FailNextBoots(2);
        model.InjectHang();
        var tx = new byte[] { 1, 2, 3 };
        Assert.Equal((int)SocketError.ModuleReset, rig.User.Send(s, tx, 0, tx.Length, 1000));
        Assert.Equal(1, driver.Recoveries);
        Assert.Equal(1, driver.FailedRecoveries);
        Assert.False(driver.IsNetworkUp);
        Assert.Equal(1, driver.ConsecutiveFailedAttempts);

        // ... and within the backoff Open says NetworkDown without trying again.
        Assert.Equal((int)SocketError.NetworkDown, rig.User.Open(100));
        Assert.Equal((int)SocketError.NetworkDown, rig.System.Open(100));
        Assert.Equal(1, driver.Recoveries);

        // Calls keep coming (as the system thread's would): the driver retries by itself.
        int opened = PollOpen(rig, 30_000);
        Assert.True(opened >= 0, "never came back: " + (SocketError)opened);
        Assert.True(driver.IsNetworkUp);
        Assert.Equal(3, driver.Recoveries);          // the failed one, one more failed boot, the good one
        Assert.Equal(2, driver.FailedRecoveries);
        Assert.Equal(0, driver.ConsecutiveFailedAttempts);
        Assert.True(model.IsAssociated);

        Assert.Equal(0, rig.User.Connect(opened, Cc3000TestRig.Loopback, server.Port, 2000));
        Cc3000AbortTests.AssertEchoes(rig, rig.User, opened);
        Assert.Equal((int)SocketError.InvalidSocket, rig.User.Receive(s, tx, 0, tx.Length, 100)); // the old socket is gone (its Send saw the reset)
        Assert.Equal(0, rig.User.Close(opened));
        Assert.Equal(0, model.OpenSockets);
        rig.AssertCleanBus();
    }

    [Fact]
    public void AnAccessPointDisconnectIsFollowedByARejoin()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        var model = rig.Cc3000.Model;

        model.SetAccessPointAvailable(false);
        Assert.True(Cc3000AbortTests.WaitFor(() => !driver.IsNetworkUp), "the disconnect event never came");
        Assert.Equal(1, driver.AccessPointDisconnects);
        model.SetAccessPointAvailable(true);

        int s = rig.OpenConnected(rig.User, server.Port);   // the Open rejoins
        Assert.Equal(1, driver.Rejoins);
        Assert.Equal(0, driver.FailedRejoins);
        Assert.Equal(0, driver.Recoveries);
        Cc3000AbortTests.AssertEchoes(rig, rig.User, s);
        Assert.Equal(0, rig.User.Close(s));
        rig.AssertCleanBus();
    }

    [Fact]
    public void RejoinsThatFailAreRetriedThroughTheBackoffUntilTheAccessPointIsBack()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        var model = rig.Cc3000.Model;
        driver.JoinTimeoutMilliseconds = 300;

        model.SetAccessPointAvailable(false);
        Assert.True(Cc3000AbortTests.WaitFor(() => !driver.IsNetworkUp), "the disconnect event never came");

        // The first rejoin fails (no access point) ...
        Assert.Equal((int)SocketError.NetworkDown, rig.User.Open(100));
        Assert.Equal(1, driver.Rejoins);
        Assert.True(Cc3000AbortTests.WaitFor(() =>
        {
            rig.User.Open(0);
            return driver.FailedRejoins == 1;
        }), "the first rejoin did not end");
        // ... and in the backoff nothing is tried.
        Assert.Equal((int)SocketError.NetworkDown, rig.User.Open(50));
        Assert.Equal(1, driver.Rejoins);

        model.SetAccessPointAvailable(true);
        int opened = PollOpen(rig, 30_000);
        Assert.True(opened >= 0, "never came back: " + (SocketError)opened);
        Assert.True(driver.Rejoins >= 2);
        Assert.Equal(driver.Rejoins - 1, driver.FailedRejoins);
        Assert.Equal(0, driver.Recoveries);
        Assert.Equal(0, driver.ConsecutiveFailedAttempts);
        Assert.Equal(0, rig.User.Connect(opened, Cc3000TestRig.Loopback, server.Port, 2000));
        Cc3000AbortTests.AssertEchoes(rig, rig.User, opened);
        Assert.Equal(0, rig.User.Close(opened));
        rig.AssertCleanBus();
    }

    // Opens until it works, as a system thread reconnecting to the cloud would; returns the handle or the last error.
    private static int PollOpen(Cc3000TestRig rig, int timeoutMs)
    {
        var sw = Stopwatch.StartNew();
        int r = (int)SocketError.NetworkDown;
        while (sw.ElapsedMilliseconds < timeoutMs)
        {
            r = rig.System.Open(500);
            if (r >= 0) return r;
            Thread.Sleep(50);
        }
        return r;
    }
}
