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

    /// <summary>The device build's deploy folder (mscorlib.pe, CoreFirmware.System.pe, CoreFirmware.VirtualNanoClr.pe, apps).</summary>
    public static string DeployFolder => Path.Combine(DeviceBuildBin, "deploy");

    /// <summary>The device build's test programs (TestPrograms/*: CoreFirmware.DevicePrograms.*.pe).</summary>
    public static string ProgramsFolder => Path.Combine(DeviceBuildBin, "programs");

    /// <summary>What every program on the bridge runs over, in load order: mscorlib, the system, the board support.</summary>
    public static IReadOnlyList<string> BasePe(string? deployFolder = null)
    {
        string d = deployFolder ?? DeployFolder;
        return new[] { "mscorlib.pe", "CoreFirmware.System.pe", "CoreFirmware.VirtualNanoClr.pe" }.Select(f => Path.Combine(d, f)).ToArray();
    }

    private static string DeviceBuildBin => Path.Combine(RepositoryRoot, "nf-targets", "SparkCore", "DeviceBuild", "bin", "Release");
}
