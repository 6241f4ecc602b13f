using System.Diagnostics;

namespace CoreFirmware.Tests.Support;

/// <summary>
/// The device build's deploy folder (nf-targets/SparkCore/DeviceBuild/bin/Release/deploy: mscorlib.pe,
/// the system's four .pe files, the apps' .pe files), built once per test run. `.ci/run` has already built
/// it, so there the build is an up-to-date check; a plain `dotnet test` builds it here.
/// </summary>
public static class DeviceBuildOutput
{
    private static readonly Lazy<string> Deploy = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The repository root (the folder that holds CoreFirmware.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The nanoFramework toolchain folder (scripts/, metadata-processor/, nanoclr-posix/).</summary>
    public static string Tools =>
        Environment.GetEnvironmentVariable("NANOFRAMEWORK_TOOLS") is { Length: > 0 } t
            ? t : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "nanoframework"));

    /// <summary>The deploy folder, after an up-to-date device build.</summary>
    public static string DeployFolder => Deploy.Value;

    /// <summary>Runs a tool with a bound; returns its exit code and everything it printed.</summary>
    public static (int Exit, string Output) Run(string file, IEnumerable<string> args, TimeSpan bound)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoRoot };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(bound))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} {string.Join(' ', args)} did not finish within {bound.TotalSeconds:F0} s");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string Build()
    {
        var (exit, output) = Run("dotnet", new[] { "build", "nf-targets/SparkCore/DeviceBuild", "-c", "Release", "-nologo" }, TimeSpan.FromMinutes(10));
        if (exit != 0) throw new InvalidOperationException("the device build failed:\n" + output);
        return Path.Combine(RepoRoot, "nf-targets", "SparkCore", "DeviceBuild", "bin", "Release", "deploy");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CoreFirmware.sln"))) return dir.FullName;
        throw new InvalidOperationException("CoreFirmware.sln not found above " + AppContext.BaseDirectory);
    }
}
