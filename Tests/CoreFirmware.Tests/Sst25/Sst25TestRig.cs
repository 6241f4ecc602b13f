using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.Sst25;
using Xunit;

namespace CoreFirmware.Tests.Sst25;

/// <summary>A 2 MB flash image in the temp folder, deleted on dispose.</summary>
internal sealed class TempFlashFile : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"corefw-sst25-{Guid.NewGuid():N}.bin");

    public void Dispose()
    {
        try { File.Delete(Path); } catch (IOException) { }
    }
}

/// <summary>
/// The real stack: Sst25Flash -> VirtualSpiDevice -> SharedSpiBus -> Sst25Model, with the board's
/// flash settings and chip-select pin and a real SpiBusArbiter. One rig is one power-up of the board.
/// </summary>
internal sealed class Sst25TestRig : IDisposable
{
    public Sst25TestRig(string path, Sst25TimingProfile? timing = null, int maxHoldMilliseconds = SpiBusArbiter.DefaultMaxHoldMilliseconds,
        bool attachModel = true, int tearSeed = 1)
    {
        FilePath = path;
        Model = new Sst25Model(path, SparkCorePins.FlashChipSelect, timing ?? Sst25TimingProfile.Fast, Clock, tearSeed);
        if (attachModel) Bus.Attach(Model, ChipSelect);
        Device = new VirtualSpiDevice(Bus, SparkCoreBus.FlashSettings(), ChipSelect);
        Arbiter = new SpiBusArbiter(Clock, maxHoldMilliseconds, SpiBusArbiter.DefaultMaxWaiters);
        Flash = new Sst25Flash(Device, Arbiter, Clock);
    }

    public string FilePath { get; }
    public VirtualClock Clock { get; } = new();
    public SharedSpiBus Bus { get; } = new();
    public VirtualGpioPin ChipSelect { get; } = new(SparkCorePins.FlashChipSelect, "FLASH_CS", PinValue.High);
    public Sst25Model Model { get; }
    public VirtualSpiDevice Device { get; }
    public SpiBusArbiter Arbiter { get; }
    public Sst25Flash Flash { get; }

    /// <summary>A rig with the flash initialised (JEDEC checked, protection cleared).</summary>
    public static Sst25TestRig Started(string path, Sst25TimingProfile? timing = null)
    {
        var rig = new Sst25TestRig(path, timing);
        rig.Flash.Initialize();
        return rig;
    }

    /// <summary>The arbiter is free and the bus saw no violation.</summary>
    public void AssertClean()
    {
        Assert.False(Arbiter.IsHeld, "the SPI bus arbiter is still held");
        Assert.True(Bus.ViolationCount == 0, "bus violations: " + string.Join("; ", Bus.Violations.Select(v => v.Detail)));
        Assert.Equal(PinValue.High, ChipSelect.Level);
    }

    public byte[] Peek(int address, int count)
    {
        var b = new byte[count];
        Model.Peek(address, b);
        return b;
    }

    /// <summary>One raw instruction cycle on the bus (as one arbiter transaction): returns MISO.</summary>
    public byte[] Raw(params byte[] mosi)
    {
        var miso = new byte[mosi.Length];
        Arbiter.Acquire(BusPriority.Flash, 1000);
        try
        {
            Device.Select();
            Device.TransferFullDuplex(mosi, 0, miso, 0, mosi.Length);
            Device.Deselect();
        }
        finally
        {
            Arbiter.Release();
        }
        return miso;
    }

    public void Dispose() => Model.Dispose();
}
