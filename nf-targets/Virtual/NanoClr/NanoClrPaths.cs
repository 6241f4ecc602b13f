namespace CoreFirmware.Virtual.NanoClr;

/// <summary>Where the nanoCLR pieces are in a checkout: the device build's outputs and the bridge build.</summary>
public static class NanoClrPaths
{
    /// <summary>The repository root (the folder with CoreFirmware.sln), else the current directory.</summary>
    public static string RepositoryRoot
    {
        get
        {
            foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            {
                for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                    if (File.Exists(Path.Combine(dir.FullName, "CoreFirmware.sln"))) return dir.FullName;
            }
            return Directory.GetCurrentDirectory();
        }
    }

    /// <summary>The device build's deploy folder (mscorlib.pe, the system's .pe files, CoreFirmware.VirtualNanoClr.pe, apps).</summary>
    public static string DeployFolder => Path.Combine(DeviceBuildBin, "deploy");

    /// <summary>The device build's test programs (TestPrograms/*: CoreFirmware.DevicePrograms.*.pe).</summary>
    public static string ProgramsFolder => Path.Combine(DeviceBuildBin, "programs");

    /// <summary>The device build's firmware entries (Firmware/*: CoreFirmware.VirtualCore.Firmware.pe).</summary>
    public static string FirmwareFolder => Path.Combine(DeviceBuildBin, "firmware");

    /// <summary>What every program on the bridge runs over, in load order: mscorlib, the system, the board support.</summary>
    public static IReadOnlyList<string> BasePe(string? deployFolder = null)
    {
        string d = deployFolder ?? DeployFolder;
        return new[] { "mscorlib.pe" }.Concat(SystemPe).Append("CoreFirmware.VirtualNanoClr.pe").Select(f => Path.Combine(d, f)).ToArray();
    }

    /// <summary>
    /// The system's deployments in load order (nf-targets/SparkCore/DeviceBuild/System/*): four
    /// assemblies as in the host build, because one .pe's byte-code table is capped at 64 KB.
    /// </summary>
    public static readonly IReadOnlyList<string> SystemPe = new[]
    {
        "CoreFirmware.Drivers.pe", "CoreFirmware.SparkCore.pe", "CoreFirmware.Ota.pe", "CoreFirmware.Application.pe",
    };

    private static string DeviceBuildBin => Path.Combine(RepositoryRoot, "nf-targets", "SparkCore", "DeviceBuild", "bin", "Release");
}
