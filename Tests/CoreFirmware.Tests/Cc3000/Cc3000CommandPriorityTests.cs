using System.Diagnostics;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Network;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.Cc3000;

/// <summary>
/// The CC3000 command gate lets system commands in before user commands: user sockets that keep
/// the module busy (bulk echo, with Receive polling a non-blocking recv every millisecond) cannot
/// starve the system socket's request/response round trips.
/// </summary>
[Trait("Category", "Cc3000")]
public class Cc3000CommandPriorityTests
{
    private const int UserSockets = 3;
    private const int UserBlock = 2 * 1460;       // two module buffers per user send
    private const int RoundTrips = 100;
    private const int RoundTripBytes = 64;        // a cloud-message-sized request/response
    private const int CallTimeoutMilliseconds = 5000;

    private readonly ITestOutputHelper _output;

    public Cc3000CommandPriorityTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void SystemRoundTripsKeepCompletingWhileUserSocketsHammerTheModule()
    {
        var prioritised = Run(BusPriority.SystemNetwork);
        var equal = Run(BusPriority.UserNetwork);   // the same "system" socket on a user view: priorities equal

        Report("system view (SystemNetwork)", prioritised);
        Report("equal priority (UserNetwork view)", equal);

        // Bounded behaviour with priorities: every round trip completed, and no waiting system
        // command was ever overtaken by a user command at the gate.
        Assert.Null(prioritised.Error);
        Assert.Equal(RoundTrips, prioritised.Completed);
        Assert.Equal(0, prioritised.MostOvertaken);
        Assert.True(prioritised.SystemCommands >= 2 * RoundTrips, "a round trip is at least a send and a recv");
        Assert.True(prioritised.UserCommandsInWindow > 0, "the user sockets really competed");
        // The equal-priority run is a measurement; it only has to work.
        Assert.Null(equal.Error);
        Assert.Equal(RoundTrips, equal.Completed);
    }

    private void Report(string label, Outcome o)
    {
        // With equal priorities the gate figures are those of every UserNetwork command (users and the "system" socket).
        _output.WriteLine($"{label}: {o.Completed}/{RoundTrips} round trips, mean {o.MeanRoundTripMicroseconds:0} us, " +
            $"max {o.MaxRoundTripMicroseconds:0} us; gate at its priority: commands {o.SystemCommands}, queued {o.SystemWaits}, " +
            $"mean wait {o.MeanGateWaitMicroseconds:0.0} us, longest {o.LongestGateWaitMicroseconds:0} us, " +
            $"most overtaken {o.MostOvertaken}; user commands in window {(o.UserCommandsInWindow < 0 ? "(same priority)" : o.UserCommandsInWindow.ToString())}, " +
            $"user echo blocks {o.UserBlocks}");
    }

    private sealed class Outcome
    {
        public string? Error;
        public int Completed;
        public double MeanRoundTripMicroseconds;
        public double MaxRoundTripMicroseconds;
        public int SystemCommands;
        public int SystemWaits;
        public double MeanGateWaitMicroseconds;
        public double LongestGateWaitMicroseconds;
        public int MostOvertaken;
        public int UserCommandsInWindow;
        public long UserBlocks;
    }

    private static Outcome Run(BusPriority systemPriority)
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        var outcome = new Outcome();
        var stop = 0;
        long userBlocks = 0;
        var userErrors = new string?[UserSockets];
        var users = new TestThread[UserSockets];
        for (int u = 0; u < UserSockets; u++)
        {
            int id = u;
            users[u] = TestThread.Start("user echo " + u, () => userErrors[id] = UserEcho(rig, server.Port, id, () => Volatile.Read(ref stop) != 0, ref userBlocks));
        }

        try
        {
            // Let every user socket get going before the system socket starts.
            var until = Stopwatch.StartNew();
            while (Interlocked.Read(ref userBlocks) < 3 * UserSockets && until.ElapsedMilliseconds < 10_000) Thread.Sleep(1);

            var system = driver.CreateSocketView(systemPriority);
            int s = system.Open(CallTimeoutMilliseconds);
            if (s < 0) return Fail(outcome, "system open " + (SocketError)s);
            int c = system.Connect(s, Cc3000TestRig.Loopback, server.Port, CallTimeoutMilliseconds);
            if (c != 0) return Fail(outcome, "system connect " + (SocketError)c);

            var tx = new byte[RoundTripBytes];
            var rx = new byte[RoundTripBytes];
            driver.ResetCommandStatistics();
            double total = 0, max = 0;
            for (int i = 0; i < RoundTrips; i++)
            {
                for (int k = 0; k < tx.Length; k++) tx[k] = (byte)(i * 13 + k);
                long t0 = Stopwatch.GetTimestamp();
                int w = system.Send(s, tx, 0, tx.Length, CallTimeoutMilliseconds);
                if (w != tx.Length) return Fail(outcome, $"system send {i}: {(SocketError)w}");
                int got = 0;
                while (got < rx.Length)
                {
                    int r = system.Receive(s, rx, got, rx.Length - got, CallTimeoutMilliseconds);
                    if (r <= 0) return Fail(outcome, $"system receive {i}: {(r == 0 ? "closed" : ((SocketError)r).ToString())}");
                    got += r;
                }
                double us = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
                total += us;
                if (us > max) max = us;
                if (!rx.AsSpan().SequenceEqual(tx)) return Fail(outcome, $"system round trip {i} echoed other bytes");
                outcome.Completed++;
            }

            outcome.MeanRoundTripMicroseconds = total / RoundTrips;
            outcome.MaxRoundTripMicroseconds = max;
            outcome.SystemCommands = driver.CommandGrants(systemPriority);
            outcome.SystemWaits = driver.CommandWaits(systemPriority);
            outcome.MeanGateWaitMicroseconds = outcome.SystemWaits == 0 ? 0 : driver.CommandWaitTicks(systemPriority) / 10.0 / outcome.SystemWaits;
            outcome.LongestGateWaitMicroseconds = driver.LongestCommandWaitTicks(systemPriority) / 10.0;
            outcome.MostOvertaken = driver.MostCommandsOvertaken(systemPriority);
            // With equal priorities the gate figures above mix the system socket's commands with the users'.
            outcome.UserCommandsInWindow = systemPriority == BusPriority.UserNetwork ? -1 : driver.CommandGrants(BusPriority.UserNetwork);
            Assert.Equal(0, system.Close(s));
        }
        finally
        {
            Volatile.Write(ref stop, 1);
            foreach (var t in users) Assert.True(t.Join(30_000), "a user echo thread did not finish");
        }

        for (int u = 0; u < UserSockets; u++)
        {
            if (userErrors[u] != null && outcome.Error == null) outcome.Error = $"user {u}: {userErrors[u]}";
        }
        outcome.UserBlocks = Interlocked.Read(ref userBlocks);
        rig.AssertCleanBus();
        return outcome;
    }

    private static Outcome Fail(Outcome o, string error)
    {
        o.Error = error;
        return o;
    }

    // One user socket: sends a block, reads it back (Receive polls the module every millisecond
    // while the echo is on its way), checks it, and again until told to stop.
    private static string? UserEcho(Cc3000TestRig rig, int port, int id, Func<bool> stopping, ref long blocks)
    {
        int s = rig.User.Open(CallTimeoutMilliseconds);
        if (s < 0) return "open " + (SocketError)s;
        int c = rig.User.Connect(s, Cc3000TestRig.Loopback, port, CallTimeoutMilliseconds);
        if (c != 0) return "connect " + (SocketError)c;
        var tx = new byte[UserBlock];
        var rx = new byte[UserBlock];
        for (int n = 0; !stopping(); n++)
        {
            for (int i = 0; i < tx.Length; i++) tx[i] = (byte)(n * 7 + i + id * 31);
            int w = rig.User.Send(s, tx, 0, tx.Length, CallTimeoutMilliseconds);
            if (w != tx.Length) return $"send {n}: {(SocketError)w}";
            int got = 0;
            while (got < rx.Length)
            {
                int r = rig.User.Receive(s, rx, got, rx.Length - got, CallTimeoutMilliseconds);
                if (r <= 0) return $"receive {n}: {(r == 0 ? "closed" : ((SocketError)r).ToString())}";
                got += r;
            }
            if (!rx.AsSpan().SequenceEqual(tx)) return $"block {n} echoed other bytes";
            Interlocked.Increment(ref blocks);
        }
        int closed = rig.User.Close(s);
        return closed == 0 ? null : "close " + (SocketError)closed;
    }
}
