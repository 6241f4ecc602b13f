using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Cloud;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Protocol;
using CoreFirmware.Tests.Sst25;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Ota;

/// <summary>Records reboot requests instead of rebooting.</summary>
internal sealed class RebootRecorder : ISystemControl
{
    public int Requests;
    public string? Reason;

    public void RequestReboot(string reason)
    {
        Reason = reason;
        Interlocked.Increment(ref Requests);
    }
}

/// <summary>
/// The device side of an OTA test: the real SST25 stack on the virtual bus (Fast timing) holding the
/// Spark Core flash map, a SocketBroker over a fake user view, the CloudLink on host loopback
/// sockets (the system view), the OtaService, and a <see cref="ScriptedCloud"/> to talk to.
/// </summary>
internal sealed class OtaRig : IDisposable
{
    private readonly TempFlashFile _file = new();
    private readonly HostCrypto _crypto = new();
    private readonly HostLoopbackSockets _system = new();

    public OtaRig(Action<CloudLinkSettings>? configure = null)
    {
        Flash = Sst25TestRig.Started(_file.Path);
        Map = SparkCoreFlashLayout.Create();
        User = new FakeUserSockets();
        Broker = new SocketBroker(User, User, Flash.Clock);
        Cloud = new ScriptedCloud();
        var deviceId = new byte[12];
        new Random(77).NextBytes(deviceId);
        Settings = new CloudLinkSettings
        {
            Ipv4Address = 0x7F000001,
            Port = Cloud.Port,
            DeviceId = deviceId,
            DevicePublicKeyDer = ProtocolTestKeys.Device.PublicSpki,
            DevicePrivateKeyDer = ProtocolTestKeys.Device.PrivatePkcs1,
            ServerPublicKeyDer = ProtocolTestKeys.Server.PublicSpki,
            HandshakeStepTimeoutMilliseconds = 5000,
            ReconnectMinMilliseconds = 100,
            ReconnectMaxMilliseconds = 400,
        };
        configure?.Invoke(Settings);
        Link = new CloudLink(_system, _crypto, Flash.Clock, Settings);
        Staging = new StagingWriter(Flash.Flash, Map.Staging);
        BootState = new BootStateRecord(Flash.Flash, Map.BootStateA);
        Ota = new OtaService(Link, Broker, Staging, BootState, Flash.Clock, Reboots);
        Link.UpdateHandler = Ota;
    }

    public Sst25TestRig Flash { get; }
    public FlashMap Map { get; }
    public FakeUserSockets User { get; }
    public SocketBroker Broker { get; }
    public ScriptedCloud Cloud { get; }
    public CloudLinkSettings Settings { get; }
    public CloudLink Link { get; }
    public StagingWriter Staging { get; }
    public BootStateRecord BootState { get; }
    public OtaService Ota { get; }
    public RebootRecorder Reboots { get; } = new();

    /// <summary>Starts the link and completes handshake and Hello with the scripted cloud.</summary>
    public void StartConnected()
    {
        Link.Start();
        Cloud.Connect();
        WaitUntil(() => Link.IsConnected, "the link to come up");
    }

    public static void WaitUntil(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        long end = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < end, "timed out waiting for " + what);
            Thread.Sleep(5);
        }
    }

    public static byte[] Image(int size, int seed)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        return b;
    }

    public byte[] StagingBytes(int count) => Flash.Peek(Map.Staging.Start, count);

    public void Dispose()
    {
        Assert.True(Link.Stop(10_000), "the cloud link thread did not stop");
        Cloud.Dispose();
        _system.Dispose();
        _crypto.Dispose();
        Flash.Dispose();
        _file.Dispose();
    }
}
