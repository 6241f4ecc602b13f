using System.Diagnostics;
using System.Net;
using TcpListener = System.Net.Sockets.TcpListener;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Network;
using CoreFirmware.Virtual.Cc3000;
using Xunit;

namespace CoreFirmware.Tests.Cc3000;

[Trait("Category", "Cc3000")]
public class Cc3000SocketTests
{
    [Fact]
    public void StartUpReadsTheModulesBuffersAndJoinsTheAccessPoint()
    {
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        Assert.Equal(Cc3000Model.TxBufferCount, driver.BufferCount);
        Assert.Equal(Cc3000Model.BufferLength, driver.BufferLength);
        Assert.True(driver.IsNetworkUp);
        Assert.Equal(rig.Cc3000.Model.DhcpAddress, driver.Address);
        Assert.Equal(1, rig.Cc3000.Model.PowerUps);
        rig.AssertCleanBus();
    }

    [Fact]
    public void WrongKeyNeverBringsTheNetworkUp()
    {
        using var rig = new Cc3000TestRig(start: false);
        Assert.Equal(0, rig.Cc3000.Driver.Start(5000));
        Assert.Equal((int)SocketError.NetworkDown, rig.Cc3000.Driver.ConnectToAccessPoint(Cc3000TestRig.Ssid, "wrong", 300));
        var view = rig.Cc3000.Driver.CreateSocketView(Drivers.Spi.BusPriority.UserNetwork);
        Assert.Equal((int)SocketError.NetworkDown, view.Open(100));
        rig.AssertCleanBus();
    }

    [Fact]
    public void FourSocketsEchoOneMegabyteEachConcurrently()
    {
        const int total = 1024 * 1024;
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var errors = new string?[4];
        var threads = new TestThread[4];
        for (int t = 0; t < 4; t++)
        {
            int id = t;
            var view = id == 0 ? rig.System : rig.User;
            threads[t] = TestThread.Start("echo " + id, () => errors[id] = EchoMegabyte(rig, view, server.Port, id, total));
        }
        foreach (var th in threads) Assert.True(th.Join(50_000), "echo thread did not finish");
        for (int t = 0; t < 4; t++) Assert.True(errors[t] == null, $"socket {t}: {errors[t]}");
        Assert.Equal(4, server.Connections);
        Assert.Equal(0, rig.Cc3000.Model.OpenSockets);
        Assert.Equal(rig.Cc3000.Driver.BufferCount, WaitForFreeBuffers(rig));
        rig.AssertCleanBus();
    }

    private static string? EchoMegabyte(Cc3000TestRig rig, INetworkSockets view, int port, int id, int total)
    {
        int s = view.Open(2000);
        if (s < 0) return "open " + (SocketError)s;
        int c = view.Connect(s, Cc3000TestRig.Loopback, port, 2000);
        if (c != 0) return "connect " + (SocketError)c;
        var tx = new byte[2920];
        var rx = new byte[2920];
        long sent = 0, received = 0;
        while (sent < total)
        {
            int n = (int)Math.Min(tx.Length, total - sent);
            for (int i = 0; i < n; i++) tx[i] = Pattern(id, sent + i);
            int w = view.Send(s, tx, 0, n, 5000);
            if (w != n) return $"send at {sent}: {(SocketError)w}";
            sent += n;
            while (received < sent)
            {
                int r = view.Receive(s, rx, 0, (int)(sent - received), 5000);
                if (r <= 0) return $"receive at {received}: {(r == 0 ? "closed" : ((SocketError)r).ToString())}";
                for (int i = 0; i < r; i++)
                {
                    if (rx[i] != Pattern(id, received + i)) return $"byte {received + i} is {rx[i]}, expected {Pattern(id, received + i)}";
                }
                received += r;
            }
        }
        int closed = view.Close(s);
        return closed == 0 ? null : "close " + (SocketError)closed;
    }

    private static byte Pattern(int id, long at) => (byte)((at * 31 + (at >> 8) + id * 101) & 0xFF);

    private static int WaitForFreeBuffers(Cc3000TestRig rig)
    {
        // The last free-buffer events may still be on their way: wait for them (bounded); the caller asserts the count.
        Eventually.Holds(() => rig.Cc3000.Driver.FreeBuffers >= rig.Cc3000.Driver.BufferCount, Eventually.Short);
        return rig.Cc3000.Driver.FreeBuffers;
    }

    [Fact]
    public void AFifthSocketGetsNoFreeSocket()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var open = new List<int>();
        for (int i = 0; i < Cc3000Model.MaxSockets; i++) open.Add(rig.OpenConnected(rig.User, server.Port));
        Assert.Equal((int)SocketError.NoFreeSocket, rig.User.Open(1000));
        Assert.Equal(0, rig.User.Close(open[0]));
        int again = rig.User.Open(1000);
        Assert.True(again >= 0);
        Assert.Equal((int)SocketError.InvalidSocket, rig.User.Close(open[0]));
        rig.AssertCleanBus();
    }

    [Fact]
    public void ConnectToAClosedPortIsRefused()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var rig = new Cc3000TestRig();
        int s = rig.User.Open(1000);
        Assert.True(s >= 0);
        Assert.Equal((int)SocketError.ConnectionRefused, rig.User.Connect(s, Cc3000TestRig.Loopback, port, 2000));
        Assert.Equal(0, rig.User.Close(s));
        rig.AssertCleanBus();
    }

    [Fact]
    public void PeerCloseMakesReceiveReturnZero()
    {
        using var server = new LoopbackEchoServer(closeAfterBytes: 10);
        using var rig = new Cc3000TestRig();
        int s = rig.OpenConnected(rig.User, server.Port);
        var data = new byte[10];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i + 1);
        Assert.Equal(10, rig.User.Send(s, data, 0, 10, 1000));
        var rx = new byte[64];
        int got = 0;
        while (got < 10)
        {
            int r = rig.User.Receive(s, rx, got, rx.Length - got, 2000);
            Assert.True(r > 0, $"receive returned {r}");
            got += r;
        }
        Assert.Equal(data, rx.Take(10).ToArray());
        Assert.Equal(0, rig.User.Receive(s, rx, 0, rx.Length, 2000));
        Assert.Equal(0, rig.User.Receive(s, rx, 0, rx.Length, 2000));
        Assert.Equal(0, rig.User.Close(s));
        rig.AssertCleanBus();
    }

    [Fact]
    public void ReceiveWithNothingComingTimesOutWithinBounds()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        int s = rig.OpenConnected(rig.User, server.Port);
        var rx = new byte[16];
        var sw = Stopwatch.StartNew();
        int r = rig.User.Receive(s, rx, 0, rx.Length, 200);
        long elapsed = sw.ElapsedMilliseconds;
        Assert.Equal((int)SocketError.TimedOut, r);
        // At least its timeout; the upper figure is a bound (it returned), not a timing: a loaded host adds seconds.
        Assert.InRange(elapsed, 190, 200 + rig.Cc3000.Driver.CommandTimeoutMilliseconds + 20_000);
        // The socket still works afterwards.
        Assert.Equal(3, rig.User.Send(s, new byte[] { 7, 8, 9 }, 0, 3, 1000));
        Assert.Equal(3, ReceiveExactly(rig, s, rx, 3));
        rig.AssertCleanBus();
    }

    [Fact]
    public void HostNamesResolveFromTheTableAndUnknownOnesFail()
    {
        using var rig = new Cc3000TestRig();
        rig.Cc3000.Model.SetHost("device.spark.io", 0x7F000001);
        Assert.Equal(0, rig.System.ResolveHost("device.spark.io", out uint ip, 1000));
        Assert.Equal(0x7F000001u, ip);
        Assert.Equal((int)SocketError.HostNotFound, rig.System.ResolveHost("nowhere.invalid", out ip, 1000));
        Assert.Equal(0u, ip);
        rig.AssertCleanBus();
    }

    internal static int ReceiveExactly(Cc3000TestRig rig, int s, byte[] rx, int count)
    {
        int got = 0;
        while (got < count)
        {
            int r = rig.User.Receive(s, rx, got, count - got, 2000);
            if (r <= 0) return r;
            got += r;
        }
        return got;
    }

    [Fact]
    public void SteadyStateSendAndReceiveAllocateNothing()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        int s = rig.OpenConnected(rig.User, server.Port);
        var tx = new byte[200];
        var rx = new byte[200];
        for (int i = 0; i < tx.Length; i++) tx[i] = (byte)i;
        void Round()
        {
            Assert.Equal(tx.Length, rig.User.Send(s, tx, 0, tx.Length, 2000));
            int got = 0;
            while (got < tx.Length)
            {
                int r = rig.User.Receive(s, rx, got, rx.Length - got, 2000);
                if (r <= 0) throw new InvalidOperationException("receive " + r);
                got += r;
            }
        }
        for (int i = 0; i < 50; i++) Round();
        long allocated = Allocations.SteadyState(() =>
        {
            for (int i = 0; i < 200; i++)
            {
                if (rig.User.Send(s, tx, 0, tx.Length, 2000) != tx.Length) throw new InvalidOperationException("send");
                int got = 0;
                while (got < tx.Length)
                {
                    int r = rig.User.Receive(s, rx, got, rx.Length - got, 2000);
                    if (r <= 0) throw new InvalidOperationException("receive");
                    got += r;
                }
            }
        });
        Assert.Equal(0, allocated);
        Assert.Equal(tx, rx);
        rig.AssertCleanBus();
    }
}
