using CoreFirmware.Drivers.Hal;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Virtual;

/// <summary>The bus model itself: what reaches each part, and which misuses it records.</summary>
public class SharedSpiBusTests
{
    /// <summary>A part that records what it receives and answers a fixed byte.</summary>
    private sealed class RecordingPart(string name, int csPin, SpiMode mode, byte answer) : ISpiPeripheralModel
    {
        public readonly List<byte> Received = new();
        public int Selects, Deselects;
        public string PartName => name;
        public int ChipSelectPin => csPin;
        public SpiMode Mode => mode;
        public void OnSelect() => Selects++;
        public void OnDeselect() => Deselects++;
        public void Exchange(ReadOnlySpan<byte> mosi, Span<byte> miso)
        {
            Received.AddRange(mosi.ToArray());
            miso.Fill(answer);
        }
    }

    private readonly SharedSpiBus _bus = new();
    private readonly VirtualGpioPin _csA = new(1, "CS_A", PinValue.High);
    private readonly VirtualGpioPin _csB = new(2, "CS_B", PinValue.High);
    private readonly RecordingPart _a = new("A", 1, SpiMode.Mode0, 0xF0);
    private readonly RecordingPart _b = new("B", 2, SpiMode.Mode1, 0x3C);
    private readonly VirtualSpiDevice _devA, _devB;

    public SharedSpiBusTests()
    {
        _bus.Attach(_a, _csA);
        _bus.Attach(_b, _csB);
        _devA = new VirtualSpiDevice(_bus, new SpiConnectionSettings(1, 1) { Mode = SpiMode.Mode0 }, _csA);
        _devB = new VirtualSpiDevice(_bus, new SpiConnectionSettings(1, 2) { Mode = SpiMode.Mode1 }, _csB);
    }

    [Fact]
    public void OneTransactionAtATimeIsClean()
    {
        var rx = new byte[2];
        _devA.Select();
        _devA.TransferFullDuplex(new byte[] { 1, 2 }, 0, rx, 0, 2);
        _devA.Deselect();
        _devB.Select();
        _devB.Write(new byte[] { 3 }, 0, 1);
        _devB.Deselect();
        Assert.Equal(new byte[] { 0xF0, 0xF0 }, rx);
        Assert.Equal(new byte[] { 1, 2 }, _a.Received);
        Assert.Equal(new byte[] { 3 }, _b.Received);
        Assert.Equal(0, _bus.ViolationCount);
        Assert.Equal((1, 1), (_a.Selects, _a.Deselects));
    }

    [Fact]
    public void TwoSelectedPartsBothReceiveAndTheControllerReadsTheirWiredAnd()
    {
        _devA.Select();
        _devB.Select();
        var rx = new byte[1];
        _devA.TransferFullDuplex(new byte[] { 0x55 }, 0, rx, 0, 1);
        Assert.Equal(0xF0 & 0x3C, rx[0]);
        Assert.Equal(new byte[] { 0x55 }, _a.Received);
        Assert.Single(_b.Received); // B got it too (shifted: clocked in A's mode)
        Assert.Equal(1, _bus.Count(BusViolationKind.TwoChipSelectsLow));
        Assert.Equal(1, _bus.Count(BusViolationKind.BytesToForeignPart));
        Assert.Equal(1, _bus.Count(BusViolationKind.WrongMode));
    }

    [Fact]
    public void BytesForAPartWhoseSelectIsHighAreRecorded()
    {
        _devA.Write(new byte[] { 9 }, 0, 1);
        Assert.Empty(_a.Received);
        Assert.Equal(1, _bus.Count(BusViolationKind.BytesWithNoSelect));
        _bus.ResetViolations();
        Assert.Equal(0, _bus.ViolationCount);
    }
}
