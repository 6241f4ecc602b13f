using CoreFirmware.Tests.EndToEnd;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Scenario;
using CoreFirmware.Virtual.Sst25;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.NanoClr;

/// <summary>
/// The soak with the firmware interpreted by nanoCLR (<c>soak --clr nano</c>, issue 11 item 5): 20 update
/// cycles through the local cloud while the ticker app (its .pe, loaded from the application slot) hammers the
/// ticker server, with the whole fault mix. The same bar as the CoreCLR soak (<see cref="SoakTests"/>): every
/// cycle on a valid image, no lockup, clean cycles land, faults injected, a bad release rolled back, the bus
/// clean; and the interpreter's own figures: nanoCLR's heap high-water, the longest bus hold.
/// </summary>
[Trait("Category", "NanoClr")]
[Trait("Category", "Soak")]
[Collection("NanoClr")]
public sealed class NanoSoakTests
{
    private readonly ITestOutputHelper _out;

    public NanoSoakTests(ITestOutputHelper output) => _out = output;

    private sealed class OutputWriter(ITestOutputHelper output) : StringWriter
    {
        public override void WriteLine(string? value) => output.WriteLine(value ?? "");
    }

    [Fact(Timeout = TestTimeouts.Series)]
    public async Task TwentyCyclesOnNanoClrWithTheFaultMixEndOnValidImagesWithoutLockups()
    {
        _ = NanoClrBuild.LibraryPath;
        var options = new ScenarioOptions
        {
            Cycles = 20,
            Faults = FaultMix.All,
            IdleEvery = 5,
            Interval = TimeSpan.Zero,
            FlashTiming = Sst25TimingProfile.Fast,
            LockupTimeout = TimeSpan.FromSeconds(30),
            Clr = ScenarioClr.Nano,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3.5));
        ScenarioSummary summary = await SoakCommand.RunAsync(options, new OutputWriter(_out), timeout.Token);

        Assert.Equal("nanoCLR", summary.Clr);
        SoakTests.AssertTwentyCyclesWithTheFaultMix(summary);
        // nanoCLR's managed heap (not the host's): the firmware and the ticker app fit well inside a device's RAM budget.
        Assert.InRange(summary.HeapHighWaterBytes, 16 * 1024, 512 * 1024);
    }
}
