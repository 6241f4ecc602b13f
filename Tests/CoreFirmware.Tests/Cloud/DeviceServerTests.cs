using System.Net.Sockets;
using CoreFirmware.Cloud;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Cloud;

/// <summary>The device server against a scripted device and against hostile bytes.</summary>
[Trait("Category", "Cloud")]
public class DeviceServerTests
{
    private static async Task<ConnectionDrop> NextDropAsync(LocalCloud cloud, Func<Task> act, TimeSpan timeout)
    {
        var dropped = new TaskCompletionSource<ConnectionDrop>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(ConnectionDrop d) => dropped.TrySetResult(d);
        cloud.Devices.ConnectionDropped += Handler;
        try
        {
            await act();
            Task done = await Task.WhenAny(dropped.Task, Task.Delay(timeout));
            Assert.True(done == dropped.Task, "the server did not drop the connection");
            return await dropped.Task;
        }
        finally
        {
            cloud.Devices.ConnectionDropped -= Handler;
        }
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task HandshakeHelloAndPing()
    {
        await using var host = await CloudTestHost.StartAsync();
        ScriptedDevice device = await host.ConnectDeviceAsync();
        Assert.True(device.CloudHelloSeen);
        Assert.True(host.Cloud.Devices.IsOnline(device.IdHex));
        await device.PingAsync();
        await device.PingAsync();
        await Eventually.UntilAsync(() => device.PingAcks >= 2, Eventually.Short, () => $"two ping acks ({device.PingAcks})");
        Assert.Equal(2, device.PingAcks);
        Assert.Null(device.Error);
        DeviceInfo info = host.Cloud.Devices.GetDevice(device.IdHex)!;
        Assert.True(info.Connected);
        Assert.NotNull(info.LastHeard);
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task UnregisteredDeviceIsRefused()
    {
        await using var host = await CloudTestHost.StartAsync();
        // A key pair the registry never saw.
        using var rsa = System.Security.Cryptography.RSA.Create(1024);
        var keys = new DeviceKeyPair(DeviceIds.NewRandom(), rsa.ExportSubjectPublicKeyInfo(), rsa.ExportRSAPrivateKey());
        var device = new ScriptedDevice(keys, host.Cloud.Registry.ServerPublicKeyDer, host.Cloud.DeviceEndPoint);
        await using (device)
        {
            ConnectionDrop drop = await NextDropAsync(host.Cloud, async () =>
                await Assert.ThrowsAnyAsync<Exception>(() => device.ConnectAsync(TimeSpan.FromSeconds(10))), TimeSpan.FromSeconds(10));
            Assert.Equal("unregistered device " + keys.IdHex, drop.Reason);
        }

        Assert.False(host.Cloud.Devices.IsOnline(keys.IdHex));
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task GarbageHandshakeReplyIsDropped()
    {
        await using var host = await CloudTestHost.StartAsync();
        using var client = new TcpClient();
        ConnectionDrop drop = await NextDropAsync(host.Cloud, async () =>
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await client.ConnectAsync(host.Cloud.DeviceEndPoint, bound.Token);
            NetworkStream s = client.GetStream();
            await ReadNonceAsync(s, bound.Token);
            byte[] junk = new byte[Handshake.DeviceReplyLength];
            new Random(5).NextBytes(junk);
            await s.WriteAsync(junk, bound.Token);
        }, TimeSpan.FromSeconds(10));
        Assert.StartsWith("handshake: bad device reply", drop.Reason);
        Assert.Equal(0, await ReadToEndAsync(client)); // the server closed the socket
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task SilentDeviceTimesOutInHandshake()
    {
        await using var host = await CloudTestHost.StartAsync(new DeviceServerOptions { HandshakeStepTimeout = TimeSpan.FromMilliseconds(300) });
        using var client = new TcpClient();
        ConnectionDrop drop = await NextDropAsync(host.Cloud, () => client.ConnectAsync(host.Cloud.DeviceEndPoint, Bound()).AsTask(),
            TimeSpan.FromSeconds(10));
        Assert.Equal("handshake: no device reply in time", drop.Reason);
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task HostileFramesAfterHandshakeAreDropped()
    {
        await using var host = await CloudTestHost.StartAsync();

        // A length prefix above the 640-byte limit.
        ScriptedDevice big = await host.ConnectDeviceAsync();
        ConnectionDrop drop = await NextDropAsync(host.Cloud, () => big.SendRawAsync(new byte[] { 0xFF, 0xF0, 1, 2, 3 }), TimeSpan.FromSeconds(10));
        Assert.Equal("bad frame (FrameTooLong)", drop.Reason);
        Assert.True(await big.WaitClosedAsync(TimeSpan.FromSeconds(5)));
        Assert.False(host.Cloud.Devices.IsOnline(big.IdHex));

        // A well-sized frame of random bytes: the padding check fails.
        ScriptedDevice junk = await host.ConnectDeviceAsync();
        byte[] frame = new byte[2 + 32];
        frame[1] = 32;
        new Random(9).NextBytes(frame.AsSpan(2));
        drop = await NextDropAsync(host.Cloud, () => junk.SendRawAsync(frame), TimeSpan.FromSeconds(10));
        Assert.True(drop.Reason == "cannot decrypt frame (BadPadding)" || drop.Reason.StartsWith("bad CoAP message"), drop.Reason);

        // A valid message with a wrong message id.
        ScriptedDevice liar = await host.ConnectDeviceAsync();
        drop = await NextDropAsync(host.Cloud, liar.SendWithBadCounterAsync, TimeSpan.FromSeconds(10));
        Assert.StartsWith("bad counter", drop.Reason);

        // The server is still fine for honest devices.
        ScriptedDevice honest = await host.ConnectDeviceAsync();
        Assert.True(host.Cloud.Devices.IsOnline(honest.IdHex));
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task ConnectionLimitIsEnforced()
    {
        await using var host = await CloudTestHost.StartAsync(new DeviceServerOptions { MaxConnections = 2, HandshakeStepTimeout = TimeSpan.FromSeconds(10) });
        using var a = new TcpClient();
        using var b = new TcpClient();
        using var c = new TcpClient();
        await a.ConnectAsync(host.Cloud.DeviceEndPoint, Bound());
        await b.ConnectAsync(host.Cloud.DeviceEndPoint, Bound());
        await ReadNonceAsync(a.GetStream(), Bound());
        await ReadNonceAsync(b.GetStream(), Bound());
        ConnectionDrop drop = await NextDropAsync(host.Cloud, () => c.ConnectAsync(host.Cloud.DeviceEndPoint, Bound()).AsTask(), TimeSpan.FromSeconds(10));
        Assert.Equal("too many connections (max 2)", drop.Reason);
        Assert.Equal(0, await ReadToEndAsync(c));
    }

    // A token that cancels after 10 s: every network wait of these tests ends, with a failure if it must.
    private static CancellationToken Bound() => new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;

    // The server's handshake nonce: the first 40 bytes it sends (bounded: a server that sends nothing fails the test).
    private static async Task ReadNonceAsync(NetworkStream s, CancellationToken ct)
    {
        try
        {
            await s.ReadExactlyAsync(new byte[Handshake.NonceLength], ct);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the server sent no handshake nonce within 10 s");
        }
    }

    private static async Task<int> ReadToEndAsync(TcpClient client)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await client.GetStream().ReadAsync(new byte[64], cts.Token);
        }
        catch (IOException)
        {
            return 0; // reset by the server
        }
    }
}
