using CoreFirmware.Ota.Status;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Status;

[Trait("Category", "Status")]
public sealed class StatusLedTests
{
    private static readonly TimeSpan Everything = TimeSpan.FromMinutes(10);

    [Theory]
    [InlineData(StatusPattern.BreathingCyan, "breathing cyan")]
    [InlineData(StatusPattern.BreathingMagenta, "breathing magenta")]
    [InlineData(StatusPattern.FlashingGreen, "flashing green")]
    [InlineData(StatusPattern.FlashingCyan, "flashing cyan")]
    [InlineData(StatusPattern.FlashingMagenta, "flashing magenta")]
    [InlineData(StatusPattern.Off, "off")]
    public void Each_pattern_is_recognised_by_the_virtual_led(StatusPattern pattern, string expected)
    {
        var rgb = new VirtualRgbLed();
        var led = new StatusLed(rgb);
        led.SetPattern(pattern);
        for (int i = 0; i < 2 * 128; i++) led.Step();   // two breaths, many flashes

        Assert.Equal(expected, rgb.DescribePattern(Everything));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void Sos_is_flashing_red_with_sos_then_code_blinks(int code)
    {
        var rgb = new VirtualRgbLed();
        var led = new StatusLed(rgb);
        led.Sos(code);
        // One cycle: S(6) + O(14) + S(12) units, then 4 units per blink and 8 more for the pause.
        int cycleFrames = (40 + 4 * code) * StatusLed.SosUnitFrames;
        for (int i = 0; i < 2 * cycleFrames; i++) led.Step();

        Assert.Equal("flashing red", rgb.DescribePattern(Everything));
        Assert.Equal(2 * (9 + code), CountFlashes(rgb.History(Everything)));

        // Shape of a cycle: the lengths (in frames) of the lit runs are dot, dot, dot, dash x3, dot x3,
        // then `code` blinks. Recorded by stepping one frame at a time and watching Current.
        var runs = LitRuns(led, rgb, cycleFrames);
        int dot = StatusLed.SosUnitFrames, dash = 3 * dot, blink = 2 * dot;
        var expected = new List<int> { dot, dot, dot, dash, dash, dash, dot, dot, dot };
        for (int i = 0; i < code; i++) expected.Add(blink);
        Assert.Equal(expected, runs);
    }

    [Fact]
    public void Frame_thread_shows_the_pattern_and_follows_a_switch()
    {
        var rgb = new VirtualRgbLed();
        var led = new StatusLed(rgb, framePeriodMilliseconds: 5);
        led.SetPattern(StatusPattern.FlashingGreen);
        led.Start();
        try
        {
            Assert.True(WaitFor(() => rgb.DescribePattern(TimeSpan.FromMilliseconds(400)) == "flashing green"),
                "never flashing green: " + rgb.DescribePattern(TimeSpan.FromMilliseconds(400)));
            led.SetPattern(StatusPattern.BreathingCyan);
            Assert.True(WaitFor(() => rgb.DescribePattern(TimeSpan.FromMilliseconds(400)) == "breathing cyan"),
                "never breathing cyan: " + rgb.DescribePattern(TimeSpan.FromMilliseconds(400)));
            led.SetPattern(StatusPattern.FlashingMagenta);
            Assert.True(WaitFor(() => rgb.DescribePattern(TimeSpan.FromMilliseconds(400)) == "flashing magenta"),
                "never flashing magenta: " + rgb.DescribePattern(TimeSpan.FromMilliseconds(400)));
            Assert.Equal(StatusPattern.FlashingMagenta, led.Pattern);
        }
        finally
        {
            Assert.True(led.Stop(5000));
        }

        Assert.Equal("off", VirtualRgbLed.ColorName(rgb.Current));
    }

    [Fact]
    public void Frames_and_pattern_switches_allocate_nothing()
    {
        var rgb = new VirtualRgbLed();
        var led = new StatusLed(rgb);
        void Loop()
        {
            for (int i = 0; i < 1000; i++)
            {
                switch ((i / 100) % 5)
                {
                    case 0: led.SetPattern(StatusPattern.BreathingCyan); break;
                    case 1: led.SetPattern(StatusPattern.FlashingGreen); break;
                    case 2: led.Sos(8); break;
                    case 3: led.SetPattern(StatusPattern.BreathingMagenta); break;
                    default: led.SetPattern(StatusPattern.FlashingMagenta); break;
                }

                led.Step();
            }
        }

        Loop();   // warm-up
        Assert.Equal(0, Allocations.SteadyState(Loop));
    }

    private static int CountFlashes(VirtualRgbLed.Sample[] samples)
    {
        int flashes = 0;
        bool lit = false;
        foreach (var s in samples)
        {
            bool on = s.Red > 0 || s.Green > 0 || s.Blue > 0;
            if (on && !lit) flashes++;
            lit = on;
        }

        return flashes;
    }

    private static List<int> LitRuns(StatusLed led, VirtualRgbLed rgb, int frames)
    {
        var runs = new List<int>();
        int run = 0;
        for (int i = 0; i < frames; i++)
        {
            led.Step();
            var c = rgb.Current;
            if (c.Red > 0) run++;
            else if (run > 0) { runs.Add(run); run = 0; }
        }

        if (run > 0) runs.Add(run);
        return runs;
    }

    private static bool WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            Thread.Sleep(20);
        }

        return condition();
    }
}
