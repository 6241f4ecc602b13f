using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;

/// <summary>
/// Checks the deploy folder of the device build: what a device's deployment area would hold. Every
/// .pe must carry the metadata processor's NFMRK1 header; the system (its four assemblies, see
/// <see cref="SystemPe"/>) must load on nanoCLR over mscorlib, and every other deployment must load
/// over mscorlib + the system with all its references resolved (nanoCLR's own linker says "needs assembly" otherwise). Prints
/// each .pe's size and the total against the deployment budget.
/// </summary>
sealed class DeploymentCheck
{
    // The system, in load order: four assemblies as in the host build (nf-targets/SparkCore/DeviceBuild/System/*),
    // because nanoFramework's .pe format caps one assembly's byte-code table at 64 KB.
    private static readonly string[] SystemPe =
    {
        "CoreFirmware.Drivers.pe", "CoreFirmware.SparkCore.pe", "CoreFirmware.Ota.pe", "CoreFirmware.Application.pe",
    };
    // Board support (the HAL over nanoCLR's native bridge): deployed beside the system, not an app.
    private const string BoardSupportPe = "CoreFirmware.VirtualNanoClr.pe";
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(60);

    private readonly string _folder;
    private readonly string _tools;
    private readonly long _budget;
    private readonly List<string> _findings = new();

    public DeploymentCheck(string folder, string tools, long budget)
    {
        _folder = Path.GetFullPath(folder);
        _tools = Path.GetFullPath(tools);
        _budget = budget;
    }

    public int Run()
    {
        string nanoclr = Path.Combine(_tools, "scripts", "nanoclr");
        if (!File.Exists(nanoclr))
        {
            Console.Error.WriteLine($"DeploymentCheck: error NF0002: nanoCLR not found at {nanoclr} (set NANOFRAMEWORK_TOOLS)");
            return 1;
        }
        string mscorlib = Path.Combine(_folder, "mscorlib.pe");
        string[] system = SystemPe.Select(p => Path.Combine(_folder, p)).ToArray();
        var deployments = Directory.GetFiles(_folder, "*.pe").Where(p => Path.GetFileName(p) != "mscorlib.pe")
            .OrderBy(p => IsSystem(p) ? Array.IndexOf(SystemPe, Path.GetFileName(p)).ToString("D2") : "z" + Path.GetFileName(p), StringComparer.Ordinal).ToList();
        if (!File.Exists(mscorlib)) _findings.Add("mscorlib.pe is missing from the deploy folder");
        foreach (var s in system)
            if (!File.Exists(s)) _findings.Add($"{Path.GetFileName(s)} (system) is missing from the deploy folder");

        foreach (var pe in deployments) CheckHeader(pe);
        if (_findings.Count == 0)
        {
            CheckLoads(nanoclr, "the system (" + string.Join(", ", SystemPe) + ")", new[] { mscorlib }.Concat(system).ToArray());
            foreach (var pe in deployments.Where(p => !IsSystem(p)))
                CheckLoads(nanoclr, Path.GetFileName(pe), new[] { mscorlib }.Concat(system).Append(pe).ToArray());
        }

        Console.WriteLine("Deployments (nanoFramework .pe files):");
        long largestApp = 0;
        long boardSupport = 0;
        string largestName = "no app";
        foreach (var pe in deployments)
        {
            long size = new FileInfo(pe).Length;
            if (Path.GetFileName(pe) == BoardSupportPe) boardSupport = size;
            else if (!IsSystem(pe) && size > largestApp) { largestApp = size; largestName = Path.GetFileNameWithoutExtension(pe); }
            Console.WriteLine($"  {Path.GetFileName(pe),-44} {size,9:N0} bytes");
        }
        // A device's deployment area holds mscorlib, the system, its board support and one app.
        long mscorlibSize = File.Exists(mscorlib) ? new FileInfo(mscorlib).Length : 0;
        long systemSize = system.Where(File.Exists).Sum(s => new FileInfo(s).Length);
        Console.WriteLine($"  {"the system (the " + SystemPe.Length + " assemblies)",-44} {systemSize,9:N0} bytes");
        long total = mscorlibSize + systemSize + boardSupport + largestApp;
        string board = boardSupport > 0 ? " + board support" : "";
        Console.WriteLine($"  {"mscorlib + system" + board + " + largest app (" + largestName + ")",-44} {total,9:N0} bytes" +
            (_budget > 0 ? $" of a {_budget:N0}-byte deployment area ({100.0 * total / _budget:F0}%)" : ""));
        if (_budget > 0 && total > _budget) _findings.Add($"mscorlib + system + {largestName} take {total:N0} bytes, more than the {_budget:N0}-byte deployment area");

        foreach (var f in _findings) Console.Error.WriteLine($"DeploymentCheck: error NF0002: {f}");
        if (_findings.Count > 0) return 1;
        Console.WriteLine($"DeploymentCheck: {deployments.Count} deployment(s) valid; each loads on nanoCLR with its references resolved.");
        return 0;
    }

    private static bool IsSystem(string pe) => SystemPe.Contains(Path.GetFileName(pe));

    private void CheckHeader(string pe)
    {
        var name = Path.GetFileName(pe);
        var head = new byte[8];
        int n;
        using (var f = File.OpenRead(pe)) n = f.Read(head, 0, head.Length);
        if (n < 6 || System.Text.Encoding.ASCII.GetString(head, 0, 6) != "NFMRK1")
            _findings.Add($"{name}: no NFMRK1 header (not a nanoFramework assembly)");
    }

    private void CheckLoads(string nanoclr, string name, string[] set)
    {
        var psi = new ProcessStartInfo(nanoclr) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var p in set) psi.ArgumentList.Add(p);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(LoadTimeout))
        {
            process.Kill(entireProcessTree: true);
            _findings.Add($"{name}: nanoCLR did not finish loading within {LoadTimeout.TotalSeconds:F0} s");
            return;
        }
        string output = stdout.Result + stderr.Result;
        var needs = output.Split('\n').Where(l => l.Contains("needs assembly")).Select(l => l.Trim()).ToList();
        if (output.Contains("Link failure") || needs.Count > 0)
            _findings.Add($"{name}: a reference does not resolve on nanoCLR: {(needs.Count > 0 ? string.Join("; ", needs) : "link failure")}");
        else if (!output.Contains("Ready."))
            _findings.Add($"{name}: nanoCLR did not load it (exit {process.ExitCode}): {LastLines(output, 5)}");
    }

    private static string LastLines(string text, int count) =>
        string.Join(" | ", text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).TakeLast(count));
}
