using System.Diagnostics;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Virtual.Network;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Cc3000;

/// <summary>ISocketAborter on the CC3000 socket views: what the socket broker relies on to preempt user sockets.</summary>
[Trait("Category", "Cc3000")]
public class Cc3000AbortTests
{
    private const int LongTimeout = 10_000;

    [Fact]
    public void TheViewsAreSocketAborters()
    {
        using var rig = new Cc3000TestRig();
        Assert.IsAssignableFrom<ISocketAborter>(rig.User);
        Assert.IsAssignableFrom<ISocketAborter>(rig.System);
    }

    [Fact]
    public void AbortWakesAReceiveBlockedWithALongTimeoutAndTheModuleSocketIsClosed()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var model = rig.Cc3000.Model;
        int victim = rig.OpenConnected(rig.User, server.Port);
        int other = rig.OpenConnected(rig.System, server.Port);
        Assert.Equal(2, model.OpenSockets);

        int result = int.MinValue;
        long elapsedMs = -1;
        var started = new ManualResetEventSlim();
        var receiver = TestThread.Start("receiver", () =>
        {
            var rx = new byte[64];
            started.Set();
            var sw = Stopwatch.StartNew();
            result = rig.User.Receive(victim, rx, 0, rx.Length, LongTimeout);
            elapsedMs = sw.ElapsedMilliseconds;
        });
        Assert.True(started.Wait(10_000), "the receiver did not start");
        Thread.Sleep(100); // let it poll a while
        ((ISocketAborter)rig.User).Abort(victim, SocketError.Preempted);
        Assert.True(receiver.Join(LongTimeout + 5000), "receive never returned");
        Assert.Equal((int)SocketError.Preempted, result);
        Assert.True(elapsedMs < LongTimeout / 2, $"receive returned after {elapsedMs} ms, its own timeout is {LongTimeout} ms");

        // The driver closed the module socket by itself; the other socket is still there.
        Assert.True(WaitFor(() => model.OpenSockets == 1), "module sockets: " + model.OpenSockets);

        // Every later call returns the reason ...
        var buf = new byte[] { 1, 2, 3 };
        Assert.Equal((int)SocketError.Preempted, rig.User.Receive(victim, buf, 0, buf.Length, 100));
        Assert.Equal((int)SocketError.Preempted, rig.User.Send(victim, buf, 0, buf.Length, 100));
        Assert.Equal((int)SocketError.Preempted, rig.User.Connect(victim, Cc3000TestRig.Loopback, server.Port, 100));
        Assert.Equal((int)SocketError.Preempted, rig.System.Receive(victim, buf, 0, buf.Length, 100));
        // ... but Close, which frees the handle.
        Assert.Equal(0, rig.User.Close(victim));
        Assert.Equal((int)SocketError.InvalidSocket, rig.User.Receive(victim, buf, 0, buf.Length, 100));
        Assert.Equal((int)SocketError.InvalidSocket, rig.User.Close(victim));

        // The other socket is unaffected.
        AssertEchoes(rig, rig.System, other);
        Assert.Equal(0, rig.System.Close(other));
        Assert.Equal(0, model.OpenSockets);
        rig.AssertCleanBus();
    }

    [Fact]
    public void AbortEndsASendWaitingForFreeBuffers()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var model = rig.Cc3000.Model;
        var driver = rig.Cc3000.Driver;
        int other = rig.OpenConnected(rig.System, server.Port);
        int victim = rig.OpenConnected(rig.User, server.Port);
        model.TransmitDelayMilliseconds = 2000; // a slow radio: the host runs out of buffers at once

        int result = int.MinValue;
        long elapsedMs = -1;
        var sender = TestThread.Start("sender", () =>
        {
            var tx = new byte[20 * 1460];
            var sw = Stopwatch.StartNew();
            result = rig.User.Send(victim, tx, 0, tx.Length, LongTimeout);
            elapsedMs = sw.ElapsedMilliseconds;
        });
        Assert.True(WaitFor(() => driver.FreeBuffers == 0), "the send never ran out of buffers");
        Thread.Sleep(50);
        Assert.True(sender.IsAlive, "the send should be waiting for buffers");
        ((ISocketAborter)rig.User).Abort(victim, SocketError.Preempted);
        Assert.True(sender.Join(LongTimeout + 5000), "send never returned");
        Assert.Equal((int)SocketError.Preempted, result);
        Assert.True(elapsedMs < LongTimeout / 2, $"send returned after {elapsedMs} ms, its own timeout is {LongTimeout} ms");

        // Closing the module socket gave its queued buffers back; the other socket works on.
        Assert.True(WaitFor(() => model.OpenSockets == 1), "module sockets: " + model.OpenSockets);
        model.TransmitDelayMilliseconds = 0;
        Assert.True(WaitFor(() => driver.FreeBuffers == driver.BufferCount), "free buffers: " + driver.FreeBuffers);
        AssertEchoes(rig, rig.System, other);

        var buf = new byte[4];
        Assert.Equal((int)SocketError.Preempted, rig.User.Send(victim, buf, 0, buf.Length, 100));
        Assert.Equal(0, rig.User.Close(victim));
        Assert.Equal(0, rig.System.Close(other));
        Assert.Equal(0, model.OpenSockets);
        Assert.Equal(0, driver.Recoveries);
        rig.AssertCleanBus();
    }

    [Fact]
    public void AbortEndsACallWaitingForTheCommandGate()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var model = rig.Cc3000.Model;
        var driver = rig.Cc3000.Driver;
        driver.CommandTimeoutMilliseconds = 300;
        int victim = rig.OpenConnected(rig.User, server.Port);

        // The system thread finds the module hung and recovers it with the gate held; the first boot
        // fails, so the gate stays held for the whole boot timeout (2 s).
        model.FailNextBoots(1);
        model.InjectHang();
        long resets = model.Resets;
        var recovering = TestThread.Start("recovering", () => rig.System.ResolveHost("x", out _, 1000));
        Assert.True(WaitFor(() => model.Resets > resets), "the recovery never started");

        int result = int.MinValue;
        long elapsedMs = -1;
        var receiver = TestThread.Start("receiver", () =>
        {
            var rx = new byte[16];
            var sw = Stopwatch.StartNew();
            result = rig.User.Receive(victim, rx, 0, rx.Length, LongTimeout);
            elapsedMs = sw.ElapsedMilliseconds;
        });
        Thread.Sleep(100); // queued at the gate behind the recovery
        ((ISocketAborter)rig.User).Abort(victim, SocketError.Preempted);
        Assert.True(receiver.Join(LongTimeout + 5000), "receive never returned");
        bool gateStillHeld = recovering.IsAlive;   // it left the queue, it was not let in
        Assert.Equal((int)SocketError.Preempted, result);
        Assert.True(elapsedMs < LongTimeout / 2, $"receive returned after {elapsedMs} ms, its own timeout is {LongTimeout} ms");
        Assert.True(gateStillHeld, "the receive only returned once the recovery had let the gate go");

        Assert.True(recovering.Join(30_000));
        Assert.Equal(0, rig.User.Close(victim));
        Assert.Equal(0, model.OpenSockets);
        rig.AssertCleanBus();
    }

    [Fact]
    public void AnIdleAbortedSocketIsClosedOnTheModuleByTheNextCallOfAnyone()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var model = rig.Cc3000.Model;
        int victim = rig.OpenConnected(rig.User, server.Port);
        int other = rig.OpenConnected(rig.System, server.Port);
        ((ISocketAborter)rig.System).Abort(victim, SocketError.Preempted);   // any view may abort any handle
        ((ISocketAborter)rig.User).Abort(victim, SocketError.ConnectionReset); // the first reason stays
        ((ISocketAborter)rig.User).Abort(12345, SocketError.Preempted);       // not open: ignored

        AssertEchoes(rig, rig.System, other); // the system socket's calls reap the aborted one
        Assert.Equal(1, model.OpenSockets);
        var buf = new byte[4];
        Assert.Equal((int)SocketError.Preempted, rig.User.Receive(victim, buf, 0, buf.Length, 100));

        // Handles that are aborted and never closed do not keep new sockets out.
        for (int round = 0; round < 24; round++) // 3 x the driver's 8 handle slots
        {
            int s = rig.OpenConnected(rig.User, server.Port);
            ((ISocketAborter)rig.User).Abort(s, SocketError.Preempted);
        }
        Assert.Equal(0, rig.System.Close(other));
        Assert.Equal(0, model.OpenSockets);
        rig.AssertCleanBus();
    }

    [Fact]
    public void AbortAllocatesNothing()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var aborter = (ISocketAborter)rig.User;
        int s = rig.OpenConnected(rig.User, server.Port);
        aborter.Abort(-1, SocketError.Preempted); // warm-up
        aborter.Abort(s + 1, SocketError.Preempted);
        long before = GC.GetAllocatedBytesForCurrentThread();
        aborter.Abort(s, SocketError.Preempted);
        for (int i = 0; i < 100; i++) aborter.Abort(s, SocketError.Preempted);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(0, rig.User.Close(s));
        Assert.True(WaitFor(() => rig.Cc3000.Model.OpenSockets == 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => aborter.Abort(s, SocketError.None));
    }

    internal static void AssertEchoes(Cc3000TestRig rig, INetworkSockets view, int socket)
    {
        var tx = new byte[] { 9, 8, 7, 6, 5 };
        Assert.Equal(tx.Length, view.Send(socket, tx, 0, tx.Length, 2000));
        var rx = new byte[tx.Length];
        int got = 0;
        while (got < rx.Length)
        {
            int r = view.Receive(socket, rx, got, rx.Length - got, 2000);
            Assert.True(r > 0, "receive " + (SocketError)r);
            got += r;
        }
        Assert.Equal(tx, rx);
    }

    internal static bool WaitFor(Func<bool> condition, int timeoutMs = 10_000) =>
        Eventually.Holds(condition, TimeSpan.FromMilliseconds(timeoutMs));
}
