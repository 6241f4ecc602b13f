using CoreFirmware.Application.App;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Ota;

[Trait("Category", "Ota")]
public class SocketBrokerTests
{
    private readonly VirtualClock _clock = new();
    private readonly FakeUserSockets _inner = new();

    private SocketBroker NewBroker(int maxUserSockets = SocketBroker.DefaultMaxUserSockets)
        => new(_inner, _inner, _clock, maxUserSockets);

    private static void WaitUntil(Func<bool> condition, string what, int timeoutMs = 5000)
    {
        long end = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < end, "timed out waiting for " + what);
            Thread.Sleep(2);
        }
    }

    [Fact]
    public void PreemptionWakesABlockedReceiveClosesSocketsAndRefusesNewOnes()
    {
        var broker = NewBroker();
        int s1 = broker.Open(1000);
        int s2 = broker.Open(1000);
        Assert.True(s1 >= 0 && s2 >= 0);
        Assert.Equal(0, broker.Connect(s1, 0x7F000001, 80, 1000));
        Assert.False(broker.UpdatesPending);

        int received = int.MinValue;
        var user = TestThread.Start("user", () => received = broker.Receive(s1, new byte[16], 0, 16, 60_000));
        WaitUntil(() => _inner.InsideReceive == 1, "the user thread to block in Receive");
        Assert.False(broker.IsQuiet);

        broker.BeginPreemption();
        Assert.True(broker.UpdatesPending);
        Assert.True(user.Join(5000), "blocked Receive was not woken by the preemption");
        Assert.Equal((int)SocketError.Preempted, received);
        Assert.True(broker.WaitQuiet(5000));
        Assert.True(broker.IsQuiet);
        Assert.Equal(2, _inner.AbortCalls);
        Assert.Equal(2, broker.SocketsAborted);
        Assert.Equal(1, broker.LatencySampleCount);
        Assert.True(broker.LastLatencyTicks >= 0);

        // Aborted handles answer Preempted without entering the stack; new sockets are refused.
        Assert.Equal((int)SocketError.Preempted, broker.Send(s2, new byte[4], 0, 4, 1000));
        Assert.Equal((int)SocketError.Preempted, broker.Receive(s1, new byte[4], 0, 4, 1000));
        Assert.Equal((int)SocketError.UpdateInProgress, broker.Open(1000));
        Assert.Equal((int)SocketError.UpdateInProgress, broker.ResolveHost("x", out _, 1000));
        Assert.True(broker.RefusedCalls >= 2);
        Assert.True(broker.PreemptedCalls >= 3);

        // The user closes the aborted handles; after the update, networking works again.
        Assert.Equal(0, broker.Close(s1));
        Assert.Equal(0, broker.Close(s2));
        broker.EndPreemption();
        Assert.False(broker.UpdatesPending);
        int s3 = broker.Open(1000);
        Assert.True(s3 >= 0, $"Open after the update returned {(SocketError)s3}");
        Assert.Equal(4, broker.Send(s3, new byte[4], 0, 4, 1000));
        Assert.Equal(0, broker.Close(s3));
        Assert.Equal(0, _inner.OpenCount);
    }

    [Fact]
    public void PreemptionWithNoUserSocketsIsQuietAtOnce()
    {
        var broker = NewBroker();
        broker.BeginPreemption();
        Assert.True(broker.WaitQuiet(0));
        Assert.Equal(1, broker.LatencySampleCount);
        broker.BeginPreemption(); // second call: no new preemption
        Assert.Equal(1, broker.Preemptions);
        broker.EndPreemption();
        broker.EndPreemption();
        Assert.False(broker.UpdatesPending);
    }

    [Fact]
    public void OnlyItsOwnHandlesAndAtMostTheUserShare()
    {
        var broker = NewBroker(maxUserSockets: 2);
        int foreign = _inner.Open(1000); // e.g. the cloud's socket on the same module
        Assert.Equal((int)SocketError.InvalidSocket, broker.Send(foreign, new byte[1], 0, 1, 100));
        Assert.Equal((int)SocketError.InvalidSocket, broker.Close(foreign));
        int a = broker.Open(1000);
        int b = broker.Open(1000);
        Assert.True(a >= 0 && b >= 0);
        Assert.Equal((int)SocketError.NoFreeSocket, broker.Open(1000));
        Assert.Equal(0, broker.Close(a));
        Assert.True(broker.Open(1000) >= 0);
    }

    [Fact]
    public void LatencySamplesAreAFixedRing()
    {
        var broker = NewBroker();
        for (int i = 0; i < SocketBroker.LatencySampleCapacity + 44; i++)
        {
            int s = broker.Open(1000);
            broker.BeginPreemption();
            broker.Close(s);
            broker.EndPreemption();
        }

        Assert.Equal(SocketBroker.LatencySampleCapacity, broker.LatencySampleCount);
        var samples = new long[SocketBroker.LatencySampleCapacity + 10];
        Assert.Equal(SocketBroker.LatencySampleCapacity, broker.CopyLatencySamples(samples, 0));
        Assert.All(samples.Take(SocketBroker.LatencySampleCapacity), t => Assert.True(t >= 0));
        Assert.Equal(4, broker.CopyLatencySamples(new long[4], 0));
        Assert.Equal(0, broker.NotQuietInTime);
    }

    [Fact]
    public void UserAppContextShowsUpdatesPending()
    {
        var broker = NewBroker();
        var context = new UserAppContext(new VirtualSerialPort(), new VirtualGpioPin(0, "D0", PinValue.Low),
            new VirtualGpioPin(7, "D7", PinValue.Low), broker, _clock, broker);
        Assert.False(context.Updates.UpdatesPending);
        broker.BeginPreemption();
        Assert.True(context.Updates.UpdatesPending);
        broker.EndPreemption();
        Assert.False(context.Updates.UpdatesPending);
    }

    [Fact]
    public void DuringAnUpdateANewOpenIsHeldThenRefusedSoALoopWithNoDelayCannotSpin()
    {
        var broker = NewBroker();
        broker.BeginPreemption();

        // Held for its own (short) timeout, then refused.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal((int)SocketError.UpdateInProgress, broker.Open(50));
        Assert.True(clock.ElapsedMilliseconds >= 40, $"refused after {clock.ElapsedMilliseconds} ms: not held");

        // A held Open goes through as soon as the update ends.
        int opened = int.MinValue;
        var user = TestThread.Start("user", () => opened = broker.Open(10_000));
        Thread.Sleep(50);
        Assert.True(user.IsAlive, "Open was not held during the update");
        broker.EndPreemption();
        Assert.True(user.Join(5000));
        Assert.True(opened >= 0, $"Open after the update returned {(SocketError)opened}");

        // After Shutdown (a reset) refusals no longer hold the caller.
        broker.Shutdown();
        clock.Restart();
        // Held, the call would take its whole minute; half of it tells the two apart on any loaded machine.
        Assert.Equal((int)SocketError.UpdateInProgress, broker.Open(60_000));
        Assert.True(clock.ElapsedMilliseconds < 30_000, $"Shutdown left the refusal holding the caller ({clock.ElapsedMilliseconds} ms)");
    }
}
