using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Cloud;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Protocol;
using CoreFirmware.Tests.Sst25;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.NegativeRuns;
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

    /// <summary>The link's sockets (host loopback), for fault hooks.</summary>
    public HostLoopbackSockets SystemSockets => _system;

    /// <summary>The image key the rig's device trusts (one per test run: P-256 key generation is cheap but not free).</summary>
    public static readonly ECDsa ImageKey = ImageSigner.GenerateKey();

    /// <summary>
    /// <paramref name="bootStateStore"/>: the pending view over the A/B boot-state store (as the
    /// runtime uses it) instead of the legacy single-sector record. <paramref name="checkStagedImage"/> false:
    /// the negative run's policy without the check at UpdateDone (<see cref="PolicyWithoutStagedCheck"/>).
    /// </summary>
    public OtaRig(Action<CloudLinkSettings>? configure = null, bool bootStateStore = false, uint activeVersion = 0, bool checkStagedImage = true)
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
        BootState = bootStateStore
            ? new BootStateRecord(new BootStateStore(Flash.Flash, Map.BootStateA, Map.BootStateB))
            : new BootStateRecord(Flash.Flash, Map.BootStateA);
        Policy = checkStagedImage
            ? NewPolicy(_crypto, activeVersion)
            : new PolicyWithoutStagedCheck(NewPolicy(_crypto).Verifier, SparkCoreBoard.ImageBoardId, activeVersion); // the negative run's
        Ota = new OtaService(Link, Broker, Staging, BootState, Policy, Flash.Clock, Reboots);
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
    public OtaImagePolicy Policy { get; }
    public OtaService Ota { get; }
    public RebootRecorder Reboots { get; } = new();

    /// <summary>Starts the link and completes handshake and Hello with the scripted cloud.</summary>
    public void StartConnected()
    {
        Link.Start();
        Cloud.Connect();
        WaitUntil(() => Link.IsConnected, "the link to come up");
    }

    public static void WaitUntil(Func<bool> condition, string what, int timeoutMs = 10_000) =>
        Eventually.Until(condition, TimeSpan.FromMilliseconds(timeoutMs), what);

    /// <summary>The policy a Spark Core trusting <see cref="ImageKey"/> uses.</summary>
    public static OtaImagePolicy NewPolicy(CoreFirmware.Drivers.Hal.ICrypto crypto, uint activeVersion = 0) =>
        new(new ImageVerifier(crypto, ImageSigner.PublicKeyPoint(ImageKey), SparkCoreBoard.ImageBoardId), SparkCoreBoard.ImageBoardId, activeVersion);

    /// <summary>
    /// A signed image of exactly <paramref name="size"/> bytes in all (header + random payload + the
    /// standard trailer), signed with <see cref="ImageKey"/> for the Spark Core.
    /// </summary>
    public static byte[] Image(int size, int seed, ImageVersion? version = null, uint boardId = SparkCoreBoard.ImageBoardId, ECDsa? key = null)
    {
        var payload = new byte[size - ImageFormat.HeaderSize - ImageFormat.StandardTrailerSize];
        new Random(seed).NextBytes(payload);
        return ImageSigner.Sign(payload, version ?? new ImageVersion(1, 0, 0, 0), boardId, key ?? ImageKey);
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
