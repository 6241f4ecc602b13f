using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Device;

/// <summary>
/// The device build's DeploymentCheck accepts the real deploy folder and refuses, naming the
/// assembly, a .pe without the NFMRK1 header and an app whose reference nanoCLR cannot resolve.
/// </summary>
[Trait("Category", "Device")]
public sealed class DeploymentCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("corefw-deploy-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static string MetadataCheckDll =>
        Path.Combine(DeviceBuildOutput.RepoRoot, "nf-targets", "SparkCore", "MetadataCheck", "bin", "Release", "net10.0", "MetadataCheck.dll");

    private static (int Exit, string Output) Check(string folder) =>
        DeviceBuildOutput.Run("dotnet", new[] { MetadataCheckDll, "deployments", folder, DeviceBuildOutput.Tools, "786432" }, TimeSpan.FromMinutes(3));

    private void Copy(string name, string? asName = null) =>
        File.Copy(Path.Combine(DeviceBuildOutput.DeployFolder, name), Path.Combine(_dir, asName ?? name));

    [Fact]
    public void TheDeviceBuildsDeployFolderPasses()
    {
        var (exit, output) = Check(DeviceBuildOutput.DeployFolder);
        Assert.True(exit == 0, output);
        foreach (var part in CoreFirmware.Virtual.NanoClr.NanoClrPaths.SystemPe) Assert.Contains(part, output);
        Assert.Contains("CoreFirmware.Apps.BitcoinTicker.pe", output);
    }

    [Fact]
    public void APeWithoutTheNfmrk1HeaderFailsNamingIt()
    {
        Copy("mscorlib.pe");
        foreach (var part in CoreFirmware.Virtual.NanoClr.NanoClrPaths.SystemPe) Copy(part);
        var bytes = File.ReadAllBytes(Path.Combine(DeviceBuildOutput.DeployFolder, "CoreFirmware.Apps.BitcoinTicker.pe"));
        bytes[0] = (byte)'X';
        File.WriteAllBytes(Path.Combine(_dir, "CoreFirmware.Apps.BitcoinTicker.pe"), bytes);

        var (exit, output) = Check(_dir);

        Assert.NotEqual(0, exit);
        Assert.Contains("CoreFirmware.Apps.BitcoinTicker.pe: no NFMRK1 header", output);
    }

    [Fact]
    public void AnAppWhoseReferenceDoesNotResolveFailsNamingIt()
    {
        // The system's Application assembly is replaced by another assembly under its file name: the
        // ticker's reference to CoreFirmware.Application cannot resolve on nanoCLR.
        Copy("mscorlib.pe");
        foreach (var part in CoreFirmware.Virtual.NanoClr.NanoClrPaths.SystemPe)
            if (part != "CoreFirmware.Application.pe") Copy(part);
        Copy("CoreFirmware.TestApps.CrashLoop.pe", "CoreFirmware.Application.pe");
        Copy("CoreFirmware.Apps.BitcoinTicker.pe");

        var (exit, output) = Check(_dir);

        Assert.NotEqual(0, exit);
        Assert.Contains("CoreFirmware.Apps.BitcoinTicker.pe: a reference does not resolve on nanoCLR", output);
        Assert.Contains("needs assembly 'CoreFirmware.Application'", output);
    }
}
