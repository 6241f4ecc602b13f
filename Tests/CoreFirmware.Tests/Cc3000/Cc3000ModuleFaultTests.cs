using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Network;
using Xunit;

namespace CoreFirmware.Tests.Cc3000;

/// <summary>
/// The CC3000's misbehaviours of 2014 in the model (issue 12), each against the driver mechanism that
/// survives it. Every test here failed before its mechanism was in the driver (see the commit log).
/// No test asserts how long something took: ordering and counters only.
/// </summary>
[Trait("Category", "Cc3000")]
public class Cc3000ModuleFaultTests
{
    private static readonly byte[] Request = "GET /ticker HTTP/1.1\r\n\r\n"u8.ToArray();

    // ---------------------------------------------------------------- first write

    [Fact]
    public void TheFirstWriteWaitsFiftyMicrosecondsAfterChipSelectBeforeItsFirstByte()
    {
        using var rig = new Cc3000TestRig(start: false);
        var model = rig.Cc3000.Model;
        Assert.Equal(0, rig.Cc3000.Driver.Start(5000));
        Assert.True(model.Violations == 0, "model violation: " + model.LastViolation);

        // The same first write clocked straight after CS is refused by the module (the driver stopped:
        // its worker must not read the new power-up's ready as a frame).
        rig.Cc3000.Driver.Stop();
        rig.Cc3000.WlanEnable.Write(PinValue.High);
        Eventually.Until(() => rig.Cc3000.Irq.Level == PinValue.Low, Eventually.Short, "the module to signal ready after power-up");
        Assert.True(rig.Arbiter.TryAcquire(BusPriority.SystemNetwork, 1000));
        try
        {
            rig.Cc3000.Device.Select();
            rig.Cc3000.Device.Write(new byte[] { 0x01, 0x00, 0x05, 0x00 }, 0, 4);
            rig.Cc3000.Device.Deselect();
        }
        finally
        {
            rig.Arbiter.Release();
        }
        Assert.True(model.IsStopped);
        Assert.Contains("after CS", model.LastViolation);
    }

    // ---------------------------------------------------------------- free buffers

    [Fact]
    public void LostFreeBufferReportsAreResynchronisedFromTheModuleWithoutAReset()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        // More reports lost than the module has buffers: a count that trusts the reports ends at 0 for good.
        rig.Cc3000.Model.LoseFreeBufferReports(Cc3000TestRigBuffers + 2);

        for (int i = 0; i < 3 * Cc3000TestRigBuffers; i++)
        {
            Assert.Equal(0, RequestReply(rig, rig.User, server.Port, i));
        }
        Assert.True(driver.BufferResyncs >= 1, "the count was never set from the module");
        Assert.Equal(0, driver.Recoveries);
        rig.AssertCleanBus();
    }

    [Fact]
    public void BuffersTheModuleKeepsWithNothingToSendAreRecoveredByAPowerCycle()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        var model = rig.Cc3000.Model;
        model.WithholdFreeBuffers(Cc3000TestRigBuffers); // the module starves itself: every buffer kept

        int resets = 0;
        for (int i = 0; i < 3 * Cc3000TestRigBuffers; i++)
        {
            int r = RequestReply(rig, rig.User, server.Port, i);
            if (r == (int)SocketError.ModuleReset)
            {
                resets++;
                continue;
            }
            Assert.Equal(0, r);
        }
        Assert.Equal(1, resets);
        Assert.Equal(1, driver.Recoveries);
        Assert.Equal(0, model.BuffersWithheld);         // the power cycle gave the module its buffers back
        Assert.Equal(model.FreeBuffersNow, driver.FreeBuffers);
        rig.AssertCleanBus();
    }

    [Fact]
    public void FreeBuffersReportedForASocketThatHadNoneAreIgnoredSoTheModuleIsNeverOverrun()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var model = rig.Cc3000.Model;
        int idle = rig.OpenConnected(rig.User, server.Port);    // module socket 0, sends nothing
        int busy = rig.OpenConnected(rig.System, server.Port);  // module socket 1
        model.TransmitDelayMilliseconds = 100;                   // a slow radio: the busy socket takes every buffer

        var tx = new byte[3 * Cc3000TestRigBuffers * 1460];
        var sender = TestThread.Start("busy sender", () => Assert.Equal(tx.Length, rig.System.Send(busy, tx, 0, tx.Length, 60_000)));
        Eventually.Until(() => model.FreeBuffersNow == 0, Eventually.Short, "the busy socket to take every buffer");
        model.ReportSpuriousFreeBuffers(sd: 0, buffers: 2);     // "socket 0 freed 2": it never had any
        sender.JoinOrFail(TimeSpan.FromSeconds(60));

        Assert.True(model.Violations == 0, "model violation: " + model.LastViolation);
        Assert.Equal(2, rig.Cc3000.Driver.IgnoredFreeBufferReports);
        var rx = new byte[tx.Length];
        int got = 0;
        while (got < rx.Length)
        {
            int r = rig.System.Receive(busy, rx, got, rx.Length - got, 5000);
            Assert.True(r > 0, "receive " + (SocketError)r);
            got += r;
        }
        Assert.Equal(tx, rx);
        Assert.Equal(0, rig.User.Close(idle));
        Assert.Equal(0, rig.System.Close(busy));
        rig.AssertCleanBus();
    }

    // ---------------------------------------------------------------- late answers, lost IRQ

    [Fact]
    public void AnswersLaterThanTheCommandTimeoutAreWaitedForInsteadOfResettingTheModule()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        driver.CommandTimeoutMilliseconds = 400;
        rig.Cc3000.Model.AnswerDelayMilliseconds = 600;   // every answer late, none lost

        for (int i = 0; i < 3; i++) Assert.Equal(0, RequestReply(rig, rig.User, server.Port, i, timeoutMs: 10_000));
        Assert.Equal(0, driver.Recoveries);
        Assert.True(driver.LateAnswers > 0, "no answer came late: the fault did not bite");
        Assert.Equal(0, rig.Cc3000.Model.Resets);
        rig.AssertCleanBus();
    }

    [Fact]
    public void AnInterruptTheModuleDroppedIsFoundByTheLivenessProbeNotByAPowerCycle()
    {
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        driver.CommandTimeoutMilliseconds = 300;
        rig.Cc3000.Model.SetHost("device.spark.io", 0x0A000001);
        rig.Cc3000.Model.DropIrqForNextFrame();   // the next answer sits in the module with IRQ high

        int s = rig.User.Open(5000);
        Assert.True(s >= 0, "open " + (SocketError)s);
        Assert.Equal(0, driver.Recoveries);
        Assert.Equal(1, driver.LivenessProbes);
        Assert.Equal(1, driver.LateAnswers);
        Assert.Equal(0, rig.User.Close(s));
        rig.AssertCleanBus();
    }

    // ---------------------------------------------------------------- DNS and connect

    [Fact]
    public void ALateDnsAnswerIsWaitedForWhileOtherSocketsKeepTheModule()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        var model = rig.Cc3000.Model;
        driver.CommandTimeoutMilliseconds = 300;
        model.SetHost("slow.example", 0x0A000002);
        int sys = rig.OpenConnected(rig.System, server.Port);
        model.DnsDelayMilliseconds = 3000;                // ten command timeouts

        int result = 1;
        uint ip = 0;
        var lookup = TestThread.Start("user lookup", () => result = rig.User.ResolveHost("slow.example", out ip, 20_000));
        // While the lookup runs on the module, the system socket's traffic goes through.
        for (int i = 0; i < 5; i++) Cc3000AbortTests.AssertEchoes(rig, rig.System, sys);
        Assert.True(lookup.IsAlive, "the lookup ended before the system traffic: the fault did not bite");
        lookup.JoinOrFail(TimeSpan.FromSeconds(30));

        Assert.Equal(0, result);
        Assert.Equal(0x0A000002u, ip);
        Assert.Equal(0, driver.Recoveries);
        Assert.Equal(0, rig.System.Close(sys));
        rig.AssertCleanBus();
    }

    [Fact]
    public void ADnsLookupTheModuleNeverAnswersTimesOutWithoutResettingTheModule()
    {
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        var model = rig.Cc3000.Model;
        driver.CommandTimeoutMilliseconds = 300;
        driver.DnsTimeoutMilliseconds = 1000;
        model.SetHost("lost.example", 0x0A000003);
        model.DnsDelayMilliseconds = -1;

        // The caller gives up first, then a caller that waits past the module's bound: both time out, no reset.
        Assert.Equal((int)SocketError.TimedOut, rig.User.ResolveHost("lost.example", out _, 200));
        Assert.Equal((int)SocketError.TimedOut, rig.User.ResolveHost("lost.example", out _, 10_000));
        Assert.Equal(0, driver.Recoveries);

        model.DnsDelayMilliseconds = 0;
        Assert.Equal(0, rig.User.ResolveHost("lost.example", out uint ip, 5000));
        Assert.Equal(0x0A000003u, ip);
        rig.AssertCleanBus();
    }

    [Fact]
    public void AConnectToABlackHoleDoesNotHoldTheCommandGateAgainstTheCloudSocket()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        var model = rig.Cc3000.Model;
        const uint BlackHole = 0x0A0000FE;
        model.AddBlackHole(BlackHole);
        model.ConnectTimeoutMilliseconds = 3000;         // the module's own timeout
        int sys = rig.OpenConnected(rig.System, server.Port);
        int user = rig.User.Open(2000);
        Assert.True(user >= 0);

        int connect = 1;
        var connector = TestThread.Start("user connect", () => connect = rig.User.Connect(user, BlackHole, 80, 20_000));
        Eventually.Until(() => model.OpenSockets == 2 && rig.Cc3000.Driver.CommandGrants(BusPriority.UserNetwork) > 0, Eventually.Short, "the user connect to be written");
        for (int i = 0; i < 5; i++) Cc3000AbortTests.AssertEchoes(rig, rig.System, sys);
        Assert.True(connector.IsAlive, "the connect ended before the system traffic: the fault did not bite");
        connector.JoinOrFail(TimeSpan.FromSeconds(30));

        Assert.Equal((int)SocketError.ConnectionRefused, connect);   // the module's -1 at its timeout
        Assert.Equal(0, driver.Recoveries);
        Assert.Equal(0, rig.User.Close(user));
        Assert.Equal(0, rig.System.Close(sys));
        rig.AssertCleanBus();
    }

    [Fact]
    public void AConnectAbandonedBeforeTheModuleAnswersLeavesNoAnswerForTheNextConnect()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var model = rig.Cc3000.Model;
        const uint BlackHole = 0x0A0000FE;
        model.AddBlackHole(BlackHole);
        model.ConnectTimeoutMilliseconds = 60_000;

        int s = rig.User.Open(2000);
        Assert.Equal((int)SocketError.TimedOut, rig.User.Connect(s, BlackHole, 80, 300));
        Assert.Equal(0, rig.User.Close(s));   // the module ends the connect (-1) and closes

        int t = rig.OpenConnected(rig.User, server.Port);
        Cc3000AbortTests.AssertEchoes(rig, rig.User, t);
        Assert.Equal(0, rig.User.Close(t));
        Assert.Equal(0, rig.Cc3000.Driver.Recoveries);
        Assert.Equal(0, rig.Cc3000.Driver.StrayPackets);
        rig.AssertCleanBus();
    }

    // ---------------------------------------------------------------- close-wait, unsolicited events

    [Fact]
    public void TheCloseWaitEventEndsTheStreamOfTheSocketItNamesAndNoOther()
    {
        using var closing = new LoopbackEchoServer(closeAfterBytes: 5);
        using var echo = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        rig.Cc3000.Model.PeerCloseOnlyByEvent = true;     // a drained recv answers 0, never -57
        int other = rig.OpenConnected(rig.User, echo.Port);
        int s = rig.OpenConnected(rig.User, closing.Port);

        var tx = new byte[] { 1, 2, 3, 4, 5 };
        Assert.Equal(5, rig.User.Send(s, tx, 0, 5, 2000));
        var rx = new byte[16];
        Assert.Equal(5, Cc3000SocketTests.ReceiveExactly(rig, s, rx, 5));
        Assert.Equal(0, rig.User.Receive(s, rx, 0, rx.Length, 10_000));       // the peer's FIN: end of stream
        Assert.Equal((int)SocketError.TimedOut, rig.User.Receive(other, rx, 0, rx.Length, 200)); // still open
        Cc3000AbortTests.AssertEchoes(rig, rig.User, other);
        Assert.Equal(0, rig.User.Close(s));
        Assert.Equal(0, rig.User.Close(other));
        rig.AssertCleanBus();
    }

    [Fact]
    public void UnsolicitedEventsTheDriverHasNoUseForAreConsumedAsTisDriverDoes()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        var model = rig.Cc3000.Model;
        int s = rig.OpenConnected(rig.User, server.Port);

        model.InjectUnsolicitedEvent(0x4200, new byte[] { 1, 0, 0, 0 });   // the unsolicited base (0x4000), not free-buffers
        model.InjectUnsolicitedEvent(0x8200, Array.Empty<byte>());        // keep-alive (0x8000 range)
        Cc3000AbortTests.AssertEchoes(rig, rig.User, s);
        Eventually.Until(() => driver.IgnoredEvents == 2, Eventually.Short, () => $"both events consumed (ignored {driver.IgnoredEvents}, stray {driver.StrayPackets})");
        Assert.Equal(0, driver.StrayPackets);
        Assert.Equal(0, driver.BadPackets);
        Assert.Equal(0, rig.User.Close(s));
        rig.AssertCleanBus();
    }

    // ---------------------------------------------------------------- helpers

    private const int Cc3000TestRigBuffers = CoreFirmware.Virtual.Cc3000.Cc3000Model.TxBufferCount;

    // One request-reply over a new socket, as the ticker app does: 0, or the first failure.
    private static int RequestReply(Cc3000TestRig rig, INetworkSockets view, int port, int round, int timeoutMs = 5000)
    {
        int s = view.Open(timeoutMs);
        if (s < 0) return Failed("open", round, s);
        try
        {
            int r = view.Connect(s, Cc3000TestRig.Loopback, port, timeoutMs);
            if (r < 0) return Failed("connect", round, r);
            r = view.Send(s, Request, 0, Request.Length, timeoutMs);
            if (r < 0) return Failed("send", round, r);
            Assert.Equal(Request.Length, r);
            var rx = new byte[Request.Length];
            int got = 0;
            while (got < rx.Length)
            {
                r = view.Receive(s, rx, got, rx.Length - got, timeoutMs);
                if (r < 0) return Failed("receive", round, r);
                Assert.True(r > 0, $"round {round}: the echo ended early");
                got += r;
            }
            Assert.Equal(Request, rx);
            return 0;
        }
        finally
        {
            view.Close(s);
        }
    }

    // Reports which call of which round failed (the test output), then returns the error.
    private static int Failed(string call, int round, int error)
    {
        Console.WriteLine($"round {round}: {call} returned {(SocketError)error}");
        return error;
    }
}
