using CoreFirmware.Nano.FirmwareTests;
using Xunit;
using Cleanup = CoreFirmware.Nano.TestFramework.CleanupAttribute;
using NanoAssert = CoreFirmware.Nano.TestFramework.Assert;
using Setup = CoreFirmware.Nano.TestFramework.SetupAttribute;
using TestClass = CoreFirmware.Nano.TestFramework.TestClassAttribute;
using TestMethod = CoreFirmware.Nano.TestFramework.TestMethodAttribute;
using TestRunner = CoreFirmware.Nano.TestFramework.TestRunner;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.Nano;

/// <summary>
/// The firmware tests written for nanoCLR (Tests/Nano/FirmwareTests), run here on CoreCLR through the
/// same runner (Tests/Nano/TestFramework), so a behaviour that differs between the two runtimes is a
/// failing test on one side. `.ci/nanoclr-tests` runs the same assembly on nanoCLR.
/// </summary>
[Trait("Category", "Nano")]
public sealed class NanoTestsOnCoreClr
{
    private readonly ITestOutputHelper _output;

    public NanoTestsOnCoreClr(ITestOutputHelper output) => _output = output;

    private sealed class Collector : CoreFirmware.Nano.TestFramework.ITestOutput
    {
        public readonly List<string> Lines = new();

        public void WriteLine(string line)
        {
            lock (Lines) Lines.Add(line);
        }
    }

    [Fact]
    public void TheFirmwareTestsPassOnCoreClr()
    {
        var collector = new Collector();
        var runner = new TestRunner(collector);
        runner.Run(typeof(NanoTestProgram).Assembly);

        var failures = collector.Lines.Where(l => l.StartsWith("@@test FAIL ", StringComparison.Ordinal)).ToList();
        _output.WriteLine($"nano firmware tests on CoreCLR: {runner.Passed} passed, {runner.Failed} failed");
        foreach (var f in failures) _output.WriteLine(f);
        Assert.True(failures.Count == 0, $"{failures.Count} of {runner.Passed + runner.Failed} failed:\n" + string.Join("\n", failures));
        Assert.True(runner.Passed >= 100, $"only {runner.Passed} tests found: did discovery break?");
        Assert.Equal($"@@done {runner.Passed} 0", collector.Lines[^1]);
    }

    [Fact]
    public void TheRunnerReportsFailuresSetupAndCleanupOnOneLineEach()
    {
        var collector = new Collector();
        var runner = new TestRunner(collector);
        runner.Run(typeof(NanoTestsOnCoreClr).Assembly);
        var lines = collector.Lines;
        Assert.Equal("@@run 4", lines[0]);
        Assert.Contains("@@test PASS RunnerSample.Passes", lines);
        Assert.Contains("@@test FAIL RunnerSample.FailsAnAssert expected 1, got 2 (on purpose)", lines);
        Assert.Contains("@@test FAIL RunnerSample.Throws System.InvalidOperationException: line one line two", lines);
        Assert.Contains("@@test FAIL RunnerSample.LeavesStateForCleanup cleanup: expected false (state left)", lines);
        Assert.Equal("@@done 1 3", lines[^1]);
        Assert.Equal(4, lines.Count(l => l.StartsWith("@@begin ", StringComparison.Ordinal)));
    }
}

/// <summary>A [TestClass] in this (xunit) assembly for the runner's own test: one pass, three kinds of failure.</summary>
[TestClass]
public sealed class RunnerSample
{
    private bool _setUp;
    private bool _dirty;

    [Setup]
    public void SetUp() => _setUp = true;

    [Cleanup]
    public void CleanUp() => NanoAssert.IsFalse(_dirty, "state left");

    [TestMethod]
    public void Passes() => NanoAssert.IsTrue(_setUp, "setup ran first");

    [TestMethod]
    public void FailsAnAssert() => NanoAssert.AreEqual(1, 2, "on purpose");

    [TestMethod]
    public void Throws() => throw new InvalidOperationException("line one\nline two");

    [TestMethod]
    public void LeavesStateForCleanup() => _dirty = true;
}
