using System.Text;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Network;
using Xunit;

namespace CoreFirmware.Tests.Cc3000;

/// <summary>
/// Regression for a test-host crash in a full run on a loaded machine: the CC3000 model's socket
/// thread was inside NetworkStream.Read when the connection was disposed (the model's closer thread
/// after the host closed the socket, or a power cycle), NetworkStream threw InvalidOperationException
/// "The stream does not support reading", nothing caught it on that thread, and the process died.
/// <see cref="DisposedMidCallStream"/> opens that window on purpose, so the race happens every time.
/// </summary>
[Trait("Category", "Cc3000")]
public class Cc3000ModelSocketCloseRaceTests
{
    private static readonly TimeSpan Bound = Eventually.Short;

    [Fact]
    public void HostClosesTheSocketWhileTheModelIsInsideRead()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var inWindow = new ManualResetEventSlim();
        var closed = new ManualResetEventSlim();
        DisposedMidCallStream? stream = null;
        rig.Cc3000.Model.StreamForTests = c => stream = new DisposedMidCallStream(c.Client, duringWrite: false, () =>
        {
            inWindow.Set();
            closed.Wait(Bound);
        });

        int s = rig.OpenConnected(rig.User, server.Port);
        Assert.True(inWindow.Wait(Bound), "the model's socket thread never read");
        Assert.Equal(0, rig.User.Close(s));
        closed.Set();

        Eventually.Until(() => stream!.Thrown != null, Bound, "the read in the window to throw");
        Assert.IsType<InvalidOperationException>(stream!.Thrown);
        AssertSlotStillWorks(rig, server.Port);
    }

    [Fact]
    public void HostClosesTheSocketWhileTheModelIsInsideWrite()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var inWindow = new ManualResetEventSlim();
        var closed = new ManualResetEventSlim();
        DisposedMidCallStream? stream = null;
        rig.Cc3000.Model.StreamForTests = c => stream = new DisposedMidCallStream(c.Client, duringWrite: true, () =>
        {
            inWindow.Set();
            closed.Wait(Bound);
        });

        int s = rig.OpenConnected(rig.User, server.Port);
        Assert.Equal(5, rig.User.Send(s, "hello"u8.ToArray(), 0, 5, 2000));
        Assert.True(inWindow.Wait(Bound), "the model's socket thread never wrote");
        Assert.Equal(0, rig.User.Close(s));
        closed.Set();

        Eventually.Until(() => stream!.Thrown != null, Bound, "the write in the window to throw");
        Assert.IsType<InvalidOperationException>(stream!.Thrown);
        AssertSlotStillWorks(rig, server.Port);
    }

    [Fact]
    public void ConnectionDisposedUnderAnOpenSocketEndsItAsReset()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        DisposedMidCallStream? stream = null;
        rig.Cc3000.Model.StreamForTests = c => stream = new DisposedMidCallStream(c.Client, duringWrite: false, () => { });

        int s = rig.OpenConnected(rig.User, server.Port);
        Eventually.Until(() => stream?.Thrown != null, Bound, "the read in the window to throw");
        Assert.IsType<InvalidOperationException>(stream!.Thrown);

        // The host sees the connection end (reset), not a socket that waits forever.
        int r = rig.User.Receive(s, new byte[16], 0, 16, 5000);
        Assert.Equal((int)SocketError.ConnectionReset, r);
        Assert.Equal(0, rig.User.Close(s));
        AssertSlotStillWorks(rig, server.Port);
    }

    // The slot's host thread lives on: the next socket (same module socket number) carries data.
    private static void AssertSlotStillWorks(Cc3000TestRig rig, int port)
    {
        rig.Cc3000.Model.StreamForTests = null;
        int s = rig.OpenConnected(rig.User, port);
        byte[] ping = Encoding.ASCII.GetBytes("still alive");
        Assert.Equal(ping.Length, rig.User.Send(s, ping, 0, ping.Length, 2000));
        var echo = new byte[ping.Length];
        int got = 0;
        while (got < echo.Length)
        {
            int n = rig.User.Receive(s, echo, got, echo.Length - got, 5000);
            Assert.True(n > 0, $"echo receive returned {(SocketError)n}");
            got += n;
        }
        Assert.Equal(ping, echo);
        Assert.Equal(0, rig.User.Close(s));
        rig.AssertCleanBus();
        rig.Cc3000.Model.Faults.AssertNone("CC3000 model");
    }
}
