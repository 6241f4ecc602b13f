using System.Security.Cryptography;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
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
    private readonly ICrypto _crypto;
    private readonly Sst25TestRig? _bus;
    private readonly InMemorySst25? _memory;
    private readonly RigWatchdog _watchdog = new();
    private SweepOtaTransfer? _transfer;

    /// <param name="internalFlashBytes">Size of the internal flash (the application slot).</param>
    /// <param name="crypto">The image crypto (default: the host's).</param>
    /// <param name="inMemoryFlash">The SST25 is <see cref="InMemorySst25"/> (no bus, no file: for the
    /// model check's many thousands of runs) instead of the part model on the shared bus.</param>
    public BootRig(int internalFlashBytes = 64 * 1024, ICrypto? crypto = null, bool inMemoryFlash = false)
    {
        _crypto = crypto ?? new HostCrypto();
        if (inMemoryFlash)
        {
            var clock = new VirtualClock();
            _memory = new InMemorySst25();
            Clock = clock;
            External = new Sst25Flash(_memory, new SpiBusArbiter(clock, SpiBusArbiter.DefaultMaxHoldMilliseconds, SpiBusArbiter.DefaultMaxWaiters), clock);
            External.Initialize();
        }
        else
        {
            _bus = Sst25TestRig.Started(_file.Path);
            Clock = _bus.Clock;
            External = _bus.Flash;
        }

        App = new VirtualInternalFlash(internalFlashBytes);
        Verifier = new ImageVerifier(_crypto, ImageSigner.PublicKeyPoint(Key), SparkCoreBoard.ImageBoardId);
    }

    /// <summary>The external flash's driver (the firmware's <see cref="Sst25Flash"/>).</summary>
    public Sst25Flash External { get; }

    /// <summary>The board clock.</summary>
    public IClock Clock { get; }

    /// <summary>Bytes of the external flash (no bus).</summary>
    public byte[] PeekExternal(int address, int count)
    {
        if (_bus != null) return _bus.Peek(address, count);
        var b = new byte[count];
        _memory!.Peek(address, b);
        return b;
    }

    /// <summary>Writes the external flash as given, no bus, no NOR rule (the in-memory part only): a restore.</summary>
    public void PokeExternal(int address, ReadOnlySpan<byte> bytes)
    {
        if (_memory == null) throw new InvalidOperationException("only the in-memory part can be written behind the driver's back");
        _memory.Poke(address, bytes);
    }
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
        Assert.True(new BootStateStore(External, Map.BootStateA, Map.BootStateB)
            .Write(new BootState { State = BootImageState.Confirmed, ActiveVersion = PackedImageVersion.Of(header) }));
    }

    public void WriteSlot(FlashRegion slot, byte[] image)
    {
        External.EraseRange(slot.Start, (image.Length + 4095) / 4096 * 4096);
        External.Program(slot.Start, image, 0, image.Length);
    }

    public byte[] SlotBytes(FlashRegion slot, int length) => PeekExternal(slot.Start, length);

    public byte[] AppBytes(int length)
    {
        var b = new byte[length];
        App.Peek(0, b);
        return b;
    }

    /// <summary>True when the application slot starts with exactly <paramref name="image"/>.</summary>
    public bool Runs(byte[] image) => AppBytes(image.Length).AsSpan().SequenceEqual(image);

    /// <summary>The boot state as a new reader finds it.</summary>
    public BootState ReadState() => new BootStateStore(External, Map.BootStateA, Map.BootStateB).Read();

    /// <summary>Writes <paramref name="s"/> as the newest boot state.</summary>
    public void WriteState(BootState s) => Assert.True(new BootStateStore(External, Map.BootStateA, Map.BootStateB).Write(s));

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
        byte b = PeekExternal(slot.Start + offset, 1)[0];
        int bit = 0;
        while (bit < 8 && (b & (1 << bit)) == 0) bit++;
        if (bit == 8)
        {
            // All zero: NOR cannot clear a bit more; rewrite the sector with the byte changed.
            byte[] sector = PeekExternal(slot.Start + offset / 4096 * 4096, 4096);
            sector[offset % 4096] = 0x01;
            External.EraseSector(slot.Start + offset / 4096 * 4096);
            External.Program(slot.Start + offset / 4096 * 4096, sector, 0, sector.Length);
            return;
        }

        External.Program(slot.Start + offset, new[] { (byte)(b & ~(1 << bit)) }, 0, 1);
    }

    /// <summary>True (as on a device): the bootloader boots a new image in test mode. False only for
    /// a negative run (an image confirmed at install).</summary>
    public bool TestBootEnabled { get; set; } = true;

    /// <summary>True while an OTA transfer was begun and not finished.</summary>
    public bool TransferInFlight => _transfer != null;

    /// <summary>The image of the transfer in flight (null when none).</summary>
    public byte[]? TransferImage => _transfer?.Image;

    /// <summary>A reset: the bootloader runs, then this boot's runtime objects are built as SystemRuntime builds them.</summary>
    public BootDecision Boot(bool watchdogReset = false)
    {
        _watchdog.LastResetWasWatchdog = watchdogReset;
        _transfer = null;
        Boots++;
        Decision = (TestBootEnabled
            ? new Bootloader(External, Map, App, Verifier, _watchdog)
            : new CoreFirmware.Virtual.NegativeRuns.BootloaderWithoutTestBoot(External, Map, App, Verifier, _watchdog)).Run();
        StartRuntime(Decision);
        return Decision;
    }

    /// <summary>Builds this boot's runtime objects for <paramref name="decision"/> without running the
    /// bootloader (a model checker going back to a boot it saved).</summary>
    public void StartRuntime(BootDecision decision)
    {
        _transfer = null;
        Decision = decision;
        Store = new BootStateStore(External, Map.BootStateA, Map.BootStateB);
        var record = new BootStateRecord(Store);
        record.Read();
        Reboots = new RebootRecorder();
        Channel = new RecordingOtaChannel();
        Deployment = new DeploymentControl(Store, Reboots, Clock, decision.TestBoot);
        var policy = new OtaImagePolicy(Verifier, SparkCoreBoard.ImageBoardId, Store.Current.ActiveVersion, Store.Current.SecurityCounter);
        var user = new NoUserSockets();
        Ota = new OtaService(Channel, new SocketBroker(user, user, Clock), new StagingWriter(External, Map.Staging), record, policy, Clock, Reboots);
        Deployment.Updates = Ota; // as SystemRuntime wires them: a revert stops a transfer in flight
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
        (_crypto as IDisposable)?.Dispose();
        _bus?.Dispose();
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
