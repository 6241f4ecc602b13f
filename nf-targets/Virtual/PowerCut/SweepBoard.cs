using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Virtual.PowerCut;

/// <summary>
/// The parts of the sweep's board for one cut run: the SST25 model (on a backing file restored from
/// the starting contents), the internal flash (restored likewise), the SPI bus and chip select, and
/// the <see cref="PowerCutPlan"/> watching both parts. They keep their contents across
/// <see cref="PowerUp"/> calls (resets and power cycles) like the real parts.
/// </summary>
public sealed class SweepHardware : IDisposable
{
    public SweepHardware(string externalPath, byte[] externalContent, byte[] internalContent, PowerCutPlan plan, int tearSeed)
    {
        File.WriteAllBytes(externalPath, externalContent);
        External = new Sst25Model(externalPath, SparkCorePins.FlashChipSelect, Sst25TimingProfile.Fast, Clock, tearSeed);
        Bus.Attach(External, ChipSelect);
        Internal = new VirtualInternalFlash(internalContent.Length, VirtualInternalFlash.DefaultPageSize, tearSeed);
        Internal.Poke(0, internalContent);
        Plan = plan;
        plan.Attach(External);
        plan.Attach(Internal);
    }

    public VirtualClock Clock { get; } = new();
    public SharedSpiBus Bus { get; } = new();
    public VirtualGpioPin ChipSelect { get; } = new(SparkCorePins.FlashChipSelect, "FLASH_CS", PinValue.High);
    public Sst25Model External { get; }
    public VirtualInternalFlash Internal { get; }
    public PowerCutPlan Plan { get; }
    public FlashMap Map { get; } = SparkCoreFlashLayout.Create();

    /// <summary>A reset (or power-up): new drivers over the same parts; the flash is initialised.</summary>
    public SweepBoard PowerUp(ImageVerifier verifier) => new(this, verifier);

    /// <summary>The internal flash's bytes [0, length) (not counted, not powered).</summary>
    public byte[] ApplicationBytes(int length)
    {
        var b = new byte[length];
        Internal.Peek(0, b);
        return b;
    }

    public void Dispose()
    {
        Plan.Dispose();
        External.Dispose();
    }
}

/// <summary>One boot of the sweep's board: the firmware's drivers and stores over <see cref="SweepHardware"/>.</summary>
public sealed class SweepBoard
{
    internal SweepBoard(SweepHardware hardware, ImageVerifier verifier)
    {
        Hardware = hardware;
        Verifier = verifier;
        var device = hardware.Plan.PowerSwitch(new VirtualSpiDevice(hardware.Bus, SparkCoreBus.FlashSettings(), hardware.ChipSelect));
        var arbiter = hardware.Plan.ObserveArbiter(new SpiBusArbiter(hardware.Clock, SpiBusArbiter.DefaultMaxHoldMilliseconds, SpiBusArbiter.DefaultMaxWaiters));
        Flash = new Sst25Flash(device, arbiter, hardware.Clock);
        Flash.Initialize();
        Application = hardware.Plan.ObserveInternalFlash(hardware.Internal);
        Store = new BootStateStore(Flash, Map.BootStateA, Map.BootStateB);
    }

    public SweepHardware Hardware { get; }
    public Sst25Flash Flash { get; }
    public IInternalFlash Application { get; }
    public ImageVerifier Verifier { get; }
    public BootStateStore Store { get; }
    public FlashMap Map => Hardware.Map;

    /// <summary>
    /// Receives <paramref name="transfer"/> through a new OtaService (the system runtime's wiring: the
    /// boot-state record over the store). Null when the image is pending and a reboot was asked for.
    /// </summary>
    public string? ReceiveOta(SweepOtaTransfer transfer)
    {
        var channel = new RecordingOtaChannel();
        var user = new NoUserSockets();
        var reboots = new RebootRequests();
        var record = new BootStateRecord(Store);
        record.Read();
        // The runtime's policy: the device's image key, this board, no downgrade below the security
        // counter or the running image.
        var policy = new OtaImagePolicy(Verifier, SparkCoreBoard.ImageBoardId, Store.Current.ActiveVersion, Store.Current.SecurityCounter);
        var ota = new OtaService(channel, new SocketBroker(user, user, Hardware.Clock), new StagingWriter(Flash, Map.Staging), record, policy, Hardware.Clock, reboots);
        return transfer.Send(ota, channel, () => Hardware.Plan.BoardPowered, () => reboots.Count > 0);
    }

    /// <summary>The running test image confirms itself (DeploymentControl, as the runtime does). True when confirmed.</summary>
    public bool Confirm()
        => new DeploymentControl(Store, new RebootRequests(), Hardware.Clock, testBoot: true).ConfirmDeploymentImage();

    /// <summary>Verifies the application slot: the verdict and, when Ok, the image's version.</summary>
    public ImageVerifyResult VerifyApplication(out uint version, out int length)
    {
        int size = Math.Min(Application.Size, Map.SlotSize);
        var r = Verifier.VerifyInSlot(Application, 0, size);
        version = r == ImageVerifyResult.Ok ? PackedImageVersion.Of(Verifier.Header) : 0;
        length = r == ImageVerifyResult.Ok ? Verifier.ImageLength : 0;
        return r;
    }

    private sealed class RebootRequests : ISystemControl
    {
        public int Count;
        public void RequestReboot(string reason) => Count++;
    }
}
