using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Virtual;

public class VirtualRgbLedTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    [Fact]
    public void NamesSteadyFlashingAndBreathingPatterns()
    {
        var led = new VirtualRgbLed();
        Assert.Equal("off", led.DescribePattern(Window));

        led.SetColor(0, 255, 255);
        Assert.Equal("solid cyan", led.DescribePattern(Window));

        led = new VirtualRgbLed();
        for (int i = 0; i < 10; i++) led.SetColor((byte)(i % 2 == 0 ? 255 : 0), 0, (byte)(i % 2 == 0 ? 255 : 0));
        Assert.Equal("flashing magenta", led.DescribePattern(Window));

        led = new VirtualRgbLed();
        for (int i = 0; i < 64; i++)
        {
            byte level = (byte)(i < 32 ? i * 8 : (63 - i) * 8);
            led.SetColor(0, level, level);
        }
        Assert.Equal("breathing cyan", led.DescribePattern(Window));
    }

    [Fact]
    public void HistoryIsBounded()
    {
        var led = new VirtualRgbLed();
        for (int i = 0; i < VirtualRgbLed.HistoryLength * 3; i++) led.SetColor((byte)i, 0, 0);
        Assert.Equal(VirtualRgbLed.HistoryLength, led.History(Window).Length);
    }
}
