using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Sst25;

/// <summary>Flash work while another part's traffic competes for the same bus through the arbiter.</summary>
[Trait("Category", "Sst25")]
public class Sst25SharedBusTests
{
    /// <summary>A stand-in for the second part on the bus (mode 1, the CC3000's chip select): it only counts bytes.</summary>
    private sealed class ByteSink : ISpiPeripheralModel
    {
        public long Bytes;
        public string PartName => "sink";
        public int ChipSelectPin => SparkCorePins.Cc3000ChipSelect;
        public SpiMode Mode => SpiMode.Mode1;
        public void OnSelect() { }
        public void OnDeselect() { }
        public void Exchange(ReadOnlySpan<byte> mosi, Span<byte> miso)
        {
            Bytes += mosi.Length;
            miso.Fill(0x00);
        }
    }

    [Fact]
    public void FlashWorkAndNetworkTrafficShareTheBusWithoutViolations()
    {
        using var file = new TempFlashFile();
        using var rig = Sst25TestRig.Started(file.Path);
        var sink = new ByteSink();
        var sinkCs = new VirtualGpioPin(SparkCorePins.Cc3000ChipSelect, "CC3000_CS", PinValue.High);
        rig.Bus.Attach(sink, sinkCs);
        var other = new VirtualSpiDevice(rig.Bus, SparkCoreBus.Cc3000Settings(), sinkCs);

        using var stop = new ManualResetEventSlim();
        int frames = 0;
        var network = TestThread.Start("network", () =>
        {
            var frame = new byte[64];
            while (!stop.IsSet)
            {
                rig.Arbiter.Acquire(BusPriority.UserNetwork, 2000);
                try
                {
                    other.Select();
                    other.Write(frame, 0, frame.Length);
                    other.Deselect();
                }
                finally
                {
                    rig.Arbiter.Release();
                }
                frames++;
            }
        });

        var data = new byte[64 * 1024];
        new Random(21).NextBytes(data);
        try
        {
            for (int round = 0; round < 2; round++)
            {
                rig.Flash.EraseBlock64(0x30000);
                rig.Flash.Program(0x30000, data, 0, data.Length);
                Assert.True(rig.Flash.Verify(0x30000, data, 0, data.Length));
            }
        }
        finally
        {
            stop.Set();
            network.JoinOrFail(TimeSpan.FromSeconds(10));
        }
        Assert.True(frames > 0);
        Assert.Equal(frames * 64L, sink.Bytes);
        rig.AssertClean();
    }
}
