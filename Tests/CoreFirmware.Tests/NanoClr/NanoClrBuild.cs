using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.NanoClr;

namespace CoreFirmware.Tests.NanoClr;

/// <summary>
/// What the nanoCLR bridge tests run: the device build (deployments and test programs) and nanoCLR
/// built with the HAL bridge (nf-targets/VirtualNanoClr/Native/build-nanoclr-hal), each made once per
/// test run. `.ci/run` builds both before the tests, so here they are up-to-date checks; a plain
/// `dotnet test` on a fresh checkout builds nanoCLR from source here (about 6.5 min on 2 cores).
/// </summary>
internal static class NanoClrBuild
{
    private static readonly Lazy<string> Library = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The bridge build's nanoFramework.nanoCLR.so, up to date with the interop assembly.</summary>
    public static string LibraryPath => Library.Value;

    /// <summary>A test program's .pe (TestPrograms/NAME of the device build).</summary>
    public static string Program(string name)
    {
        _ = Library.Value;
        return Path.Combine(NanoClrPaths.ProgramsFolder, $"CoreFirmware.DevicePrograms.{name}.pe");
    }

    private static string Build()
    {
        _ = DeviceBuildOutput.DeployFolder;
        string script = Path.Combine(DeviceBuildOutput.RepoRoot, "nf-targets", "VirtualNanoClr", "Native", "build-nanoclr-hal");
        var (exit, output) = DeviceBuildOutput.Run(script, Array.Empty<string>(), TimeSpan.FromMinutes(20));
        if (exit != 0) throw new InvalidOperationException("build-nanoclr-hal failed:\n" + output);
        return Path.Combine(DeviceBuildOutput.RepoRoot, "artifacts", "nanoclr-hal", "lib", NanoClrLibrary.FileName);
    }
}
