using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Ota;
using CoreFirmware.Tests.Sst25;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.PowerCut;
using Xunit;
using ImageVersion = CoreFirmware.Cloud.Images.ImageVersion;

namespace CoreFirmware.Tests.Boot;

/// <summary>
/// A board for boot-state tests, wired the way <c>SystemRuntime</c> wires it: the real SST25 stack
/// and internal flash, the <see cref="Bootloader"/> on every <see cref="Boot"/>, then for that boot a
/// <see cref="DeploymentControl"/> and an <see cref="OtaService"/> over one shared
/// <see cref="BootStateStore"/>. OTA transfers are fed to the service message by message (in process,
/// as the cloud link would), so a test can stop a transfer halfway and do something else meanwhile.
/// </summary>
internal sealed class BootRig : IDisposable
{
    /// <summary>The image key the rig's board trusts.</summary>
    public static readonly ECDsa Key = ImageSigner.GenerateKey();

    private readonly TempFlashFile _file = new();
    private readonly HostCrypto _crypto = new();
    private readonly RigWatchdog _watchdog = new();
    private SweepOtaTransfer? _transfer;

    public BootRig(int internalFlashBytes = 64 * 1024)
    {
        Flash = Sst25TestRig.Started(_file.Path);
        App = new VirtualInternalFlash(internalFlashBytes);
        Verifier = new ImageVerifier(_crypto, ImageSigner.PublicKeyPoint(Key), SparkCoreBoard.ImageBoardId);
    }

    public Sst25TestRig Flash { get; }
    public FlashMap Map { get; } = SparkCoreFlashLayout.Create();
    public VirtualInternalFlash App { get; }
    public ImageVerifier Verifier { get; }

    /// <summary>What the last <see cref="Boot"/> decided.</summary>
    public BootDecision Decision { get; private set; } = new();

    /// <summary>This boot's runtime objects (null before the first boot).</summary>
    public BootStateStore Store { get; private set; } = null!;
    public DeploymentControl Deployment { get; private set; } = null!;
    public OtaService Ota { get; private set; } = null!;
    public RecordingOtaChannel Channel { get; private set; } = new();
    public RebootRecorder Reboots { get; private set; } = new();

    /// <summary>Boots run so far.</summary>
    public int Boots { get; private set; }

    /// <summary>A signed image for this rig's key; the payload is seeded by the version, so one version is one image.</summary>
    public static byte[] Image(string version, int payloadBytes = 3000, uint flags = 0)
    {
        var payload = new byte[payloadBytes];
        new Random(payloadBytes ^ StableHash(version)).NextBytes(payload);
        return ImageSigner.Sign(payload, ImageVersion.Parse(version), SparkCoreBoard.ImageBoardId, Key, flags);
    }

    private static int StableHash(string text)
    {
        int h = 17;
        foreach (char c in text) h = h * 31 + c;
        return h;
    }

    /// <summary>
    /// The board as the factory leaves it: <paramref name="running"/> programmed into the application
    /// slot and recorded Confirmed, <paramref name="factory"/> (when given) in the factory slot.
    /// </summary>
    public void Manufacture(byte[] running, byte[]? factory = null)
    {
        App.Poke(0, running);
        if (factory != null) WriteSlot(Map.Factory, factory);
        var header = new ImageHeader();
        header.Read(running, 0);
        Assert.True(new BootStateStore(Flash.Flash, Map.BootStateA, Map.BootStateB)
            .Write(new BootState { State = BootImageState.Confirmed, ActiveVersion = PackedImageVersion.Of(header) }));
    }

    public void WriteSlot(FlashRegion slot, byte[] image)
    {
        Flash.Flash.EraseRange(slot.Start, (image.Length + 4095) / 4096 * 4096);
        Flash.Flash.Program(slot.Start, image, 0, image.Length);
    }

    public byte[] SlotBytes(FlashRegion slot, int length) => Flash.Peek(slot.Start, length);

    public byte[] AppBytes(int length)
    {
        var b = new byte[length];
        App.Peek(0, b);
        return b;
    }

    /// <summary>True when the application slot starts with exactly <paramref name="image"/>.</summary>
    public bool Runs(byte[] image) => AppBytes(image.Length).AsSpan().SequenceEqual(image);

    /// <summary>The boot state as a new reader finds it.</summary>
    public BootState ReadState() => new BootStateStore(Flash.Flash, Map.BootStateA, Map.BootStateB).Read();

    /// <summary>Writes <paramref name="s"/> as the newest boot state.</summary>
    public void WriteState(BootState s) => Assert.True(new BootStateStore(Flash.Flash, Map.BootStateA, Map.BootStateB).Write(s));

    /// <summary>Puts <paramref name="image"/> into the staging slot and writes Pending for it over the
    /// current state, bypassing the OTA service (an image that reaches Pending "by any other path").</summary>
    public void StagePending(byte[] image)
    {
        WriteSlot(Map.Staging, image);
        BootState s = ReadState();
        s.State = BootImageState.Pending;
        s.PendingImageSize = image.Length;
        WriteState(s);
    }

    /// <summary>Flips one bit of the slot's byte at <paramref name="offset"/> (bit rot: a 1 becomes 0, as NOR can).</summary>
    public void Corrupt(FlashRegion slot, int offset)
    {
        byte b = Flash.Peek(slot.Start + offset, 1)[0];
        int bit = 0;
        while (bit < 8 && (b & (1 << bit)) == 0) bit++;
        if (bit == 8)
        {
            // All zero: NOR cannot clear a bit more; rewrite the sector with the byte changed.
            byte[] sector = Flash.Peek(slot.Start + offset / 4096 * 4096, 4096);
            sector[offset % 4096] = 0x01;
            Flash.Flash.EraseSector(slot.Start + offset / 4096 * 4096);
            Flash.Flash.Program(slot.Start + offset / 4096 * 4096, sector, 0, sector.Length);
            return;
        }

        Flash.Flash.Program(slot.Start + offset, new[] { (byte)(b & ~(1 << bit)) }, 0, 1);
    }

    /// <summary>A reset: the bootloader runs, then this boot's runtime objects are built as SystemRuntime builds them.</summary>
    public BootDecision Boot(bool watchdogReset = false)
    {
        _watchdog.LastResetWasWatchdog = watchdogReset;
        _transfer = null;
        Boots++;
        Decision = new Bootloader(Flash.Flash, Map, App, Verifier, _watchdog).Run();
        Store = new BootStateStore(Flash.Flash, Map.BootStateA, Map.BootStateB);
        var record = new BootStateRecord(Store);
        record.Read();
        Reboots = new RebootRecorder();
        Channel = new RecordingOtaChannel();
        Deployment = new DeploymentControl(Store, Reboots, Flash.Clock, Decision.TestBoot);
        var policy = new OtaImagePolicy(Verifier, SparkCoreBoard.ImageBoardId, Store.Current.ActiveVersion);
        var user = new NoUserSockets();
        Ota = new OtaService(Channel, new SocketBroker(user, user, Flash.Clock), new StagingWriter(Flash.Flash, Map.Staging), record, policy, Flash.Clock, Reboots);
        return Decision;
    }

    /// <summary>A whole OTA of <paramref name="image"/>: null when it ended pending with a reboot asked for, else the refusal.</summary>
    public string? Update(byte[] image, int flags = 0)
    {
        string? begun = BeginOta(image, flags);
        return begun ?? FinishOta();
    }

    /// <summary>UpdateBegin and every chunk of <paramref name="image"/>; the transfer stays in flight (no UpdateDone). Null when all were taken.</summary>
    public string? BeginOta(byte[] image, int flags = 0)
    {
        _transfer = new SweepOtaTransfer(image, flags);
        return _transfer.SendRange(Ota, Channel, () => true, 0, _transfer.MessageCount - 1);
    }

    /// <summary>UpdateDone of the transfer in flight: null when the image is pending and a reboot was asked for, else why not.</summary>
    public string? FinishOta()
    {
        if (_transfer == null) throw new InvalidOperationException("no transfer in flight");
        SweepOtaTransfer t = _transfer;
        _transfer = null;
        string? error = t.SendRange(Ota, Channel, () => true, t.MessageCount - 1, 1);
        if (error != null) return error;
        return Reboots.Requests > 0 ? null : "no reboot requested after UpdateDone";
    }

    public void Dispose()
    {
        _crypto.Dispose();
        Flash.Dispose();
        _file.Dispose();
    }

    private sealed class RigWatchdog : IWatchdog
    {
        public bool IsRunning => false;
        public bool LastResetWasWatchdog { get; set; }
        public void Start(int timeoutMilliseconds) { }
        public void Feed() { }
    }
}
