using System.Diagnostics;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// A second process that keeps one core busy (the noisy neighbour a loaded CI machine has): this
/// benchmark's own executable started with <see cref="SpinArgument"/>, which spins one thread until
/// its standard input closes. <see cref="Dispose"/> closes it (and kills it if it does not end), so
/// the neighbour never outlives the measurement, nor the benchmark if that one dies.
/// </summary>
public sealed class NoisyNeighbour : IDisposable
{
    /// <summary>The command-line argument that makes the benchmark executable a spinner (Program.cs).</summary>
    public const string SpinArgument = "--spin";

    private readonly Process _process;
    private readonly long _cpuAtStart;
    private readonly long _wallAtStart;

    private NoisyNeighbour(Process process)
    {
        _process = process;
        _cpuAtStart = ProcessCpu.Ticks(process.Id);
        _wallAtStart = Stopwatch.GetTimestamp();
    }

    /// <summary>Starts the spinner; throws when it cannot be started.</summary>
    public static NoisyNeighbour Start()
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var psi = new ProcessStartInfo(host) { RedirectStandardInput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(NoisyNeighbour).Assembly.Location);
        }

        psi.ArgumentList.Add(SpinArgument);
        var p = Process.Start(psi) ?? throw new InvalidOperationException("the neighbour process did not start");
        return new NoisyNeighbour(p);
    }

    /// <summary>The neighbour's CPU time since it started over the wall-clock time (1.0 = one core all the time).</summary>
    public double CpuShare
    {
        get
        {
            long cpu = ProcessCpu.Ticks(_process.Id);
            double wall = Stopwatch.GetElapsedTime(_wallAtStart).Ticks;
            return cpu < 0 || _cpuAtStart < 0 || wall <= 0 ? double.NaN : (cpu - _cpuAtStart) / wall;
        }
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(2000)) _process.Kill();
            _process.WaitForExit(2000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    /// <summary>The spinner's body (Program.cs calls it for <see cref="SpinArgument"/>): one busy thread until stdin closes.</summary>
    public static int Spin()
    {
        int stop = 0;
        var spinner = new Thread(() =>
        {
            ulong x = 1;
            while (Volatile.Read(ref stop) == 0)
            {
                for (int i = 0; i < 100_000; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
            }

            GC.KeepAlive(x);
        }) { IsBackground = true, Name = "noisy neighbour" };
        spinner.Start();
        Console.In.ReadToEnd(); // returns when the benchmark closes our stdin (or ends)
        Volatile.Write(ref stop, 1);
        spinner.Join(1000);
        return 0;
    }
}
