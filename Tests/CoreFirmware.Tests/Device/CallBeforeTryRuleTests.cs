using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Device;

/// <summary>
/// MetadataCheck's CallBeforeTryRule (a nanoCLR defect: Tests/Nano/Repros/README.md) on the device build's
/// repro assembly, which has the pattern on purpose: refused with the rule, passed with it switched off.
/// The firmware passing it (every lock statement puts Monitor.Enter right before its try: exempt) is the device build itself.
/// </summary>
public sealed class CallBeforeTryRuleTests
{
    private static string MetadataCheckDll =>
        Path.Combine(DeviceBuildOutput.RepoRoot, "nf-targets", "SparkCore", "MetadataCheck", "bin", "Release", "net10.0", "MetadataCheck.dll");

    private static string ReprosDll =>
        Path.Combine(DeviceBuildOutput.RepoRoot, "nf-targets", "SparkCore", "DeviceBuild", "NanoTests", "Repros", "bin", "Release", "net10.0", "CoreFirmware.Nano.Repros.dll");

    [Fact]
    public void ACallDirectlyBeforeATryIsRefusedNamingTheMethod()
    {
        _ = DeviceBuildOutput.DeployFolder; // an up-to-date device build
        var (exit, output) = DeviceBuildOutput.Run("dotnet", new[] { MetadataCheckDll, ReprosDll }, TimeSpan.FromMinutes(2));
        Assert.Equal(1, exit);
        Assert.Contains("CallBeforeTry.CatchVariant: a call directly before the try", output);
        Assert.Contains("CallBeforeTry.FinallyVariant: a call directly before the try", output);
        Assert.DoesNotContain("WorkaroundVariant", output); // a statement between: accepted
    }

    [Fact]
    public void NegativeRunWithTheRuleSwitchedOffThePatternPasses()
    {
        _ = DeviceBuildOutput.DeployFolder;
        var (exit, output) = DeviceBuildOutput.Run("dotnet", new[] { MetadataCheckDll, ReprosDll, "--allow-call-before-try" }, TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, output);
    }
}
