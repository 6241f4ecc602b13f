using System.Diagnostics;

namespace CoreFirmware.Benchmarks;

/// <summary>Runs a command with a time limit and collects its output lines.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, List<string> Stdout, string Stderr, bool TimedOut);

    /// <summary>Runs <paramref name="file"/>; <paramref name="onLine"/> sees each output line as it comes, with the process id.</summary>
    public static Result Run(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null,
        IDictionary<string, string>? environment = null, Action<string, int>? onLine = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        if (environment != null)
        {
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        }
        var stdout = new List<string>();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            lock (stdout) stdout.Add(e.Data);
            onLine?.Invoke(e.Data, p.Id);
        };
        try
        {
            p.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new Result(-1, stdout, $"cannot run {file}: {e.Message}", false);
        }
        p.BeginOutputReadLine();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new Result(-1, stdout, $"{Path.GetFileName(file)} timed out after {timeout.TotalSeconds:0} s", true);
        }
        p.WaitForExit(); // drains the output events
        return new Result(p.ExitCode, stdout, stderr.Result, false);
    }
}
