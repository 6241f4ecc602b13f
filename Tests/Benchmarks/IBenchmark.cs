namespace CoreFirmware.Benchmarks;

/// <summary>One benchmark: measures and prints rows into the report. It asserts nothing.</summary>
public interface IBenchmark
{
    /// <summary>Name used on the command line.</summary>
    string Name { get; }

    void Run(BenchmarkReport report);
}
