using CoreFirmware.Drivers.Hal;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual;
using CoreFirmware.Virtual.NanoClr;
using Xunit;

namespace CoreFirmware.Tests.NanoClr;

/// <summary>
/// The bridge's SPI handles across boots: each boot's firmware opens the flash and the CC3000 again; the
/// board keeps one device per chip select, so a thousand boots hold two devices, not two thousand (the
/// 200-cycle nanoCLR soak's heap grew by 8 KB of buffers per device and boot before).
/// </summary>
[Trait("Category", "NanoClr")]
public sealed class VirtualBoardHalHandleTests
{
    [Fact]
    public void ABootReopeningThePartsTakesOverTheirHandles()
    {
        using var board = new VirtualBoard(new VirtualBoardOptions { HostDrivers = false });
        var hal = new VirtualBoardHal(board);
        int flash = hal.SpiOpen(SparkCoreBus.SpiBusId, SparkCorePins.FlashChipSelect, SpiMode.Mode0, SparkCoreBus.FlashClockHz);
        int cc3000 = hal.SpiOpen(SparkCoreBus.SpiBusId, SparkCorePins.Cc3000ChipSelect, SpiMode.Mode1, SparkCoreBus.Cc3000ClockHz);
        Assert.NotEqual(flash, cc3000);

        for (int boot = 0; boot < 50; boot++)
        {
            Assert.Equal(flash, hal.SpiOpen(SparkCoreBus.SpiBusId, SparkCorePins.FlashChipSelect, SpiMode.Mode0, SparkCoreBus.FlashClockHz));
            Assert.Equal(cc3000, hal.SpiOpen(SparkCoreBus.SpiBusId, SparkCorePins.Cc3000ChipSelect, SpiMode.Mode1, SparkCoreBus.Cc3000ClockHz));
        }

        Assert.True(Math.Max(flash, cc3000) < 2, "two parts, two handles");
    }
}
