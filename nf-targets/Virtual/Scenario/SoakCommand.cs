using CoreFirmware.Virtual.Diagnostics;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// `soak`: the scenario headless. One line per cycle, then the summary. Exit code 0 when every
/// cycle ended on a valid image and nothing locked up, 1 otherwise, 2 on bad flags. Ctrl-C stops
/// after the cycle under way and still prints the summary.
/// Defaults: 100 cycles, faults all, no pause between cycles, Realistic flash timing. --census: what the
/// host holds after every cycle, and what grew (diagnostic).
/// </summary>
public static class SoakCommand
{
    /// <summary>With --census: cycles between two collection censuses.</summary>
    public const int CensusEvery = 10;

    public static int Run(string[] args)
    {
        bool census = false;
        ScenarioOptions? options = ScenarioArgs.Parse("soak", args, new ScenarioOptions
        {
            Cycles = 100,
            Faults = FaultMix.All,
            Interval = TimeSpan.Zero,
        }, flag => flag == "--census" && (census = true));
        if (options == null) return 2;

        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            ScenarioSummary summary = RunAsync(options, Console.Out, cts.Token, census).GetAwaiter().GetResult();
            return summary.Passed ? 0 : 1;
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("soak: stopped before the device came online");
            return 1;
        }
        catch (TimeoutException e)
        {
            Console.WriteLine("soak: " + e.Message);
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>
    /// Runs a whole soak writing to <paramref name="output"/> (also used by the tests). With
    /// <paramref name="census"/> (--census) each cycle also prints what the host holds, and every
    /// <see cref="CensusEvery"/> cycles the collections and per-boot objects that grew since cycle 1.
    /// </summary>
    public static async Task<ScenarioSummary> RunAsync(ScenarioOptions options, TextWriter output, CancellationToken ct, bool census = false)
    {
        output.WriteLine($"soak: {options.Cycles} cycles, faults {options.Faults}, idle OTA every {options.IdleEvery} cycles, "
            + $"{(options.FastOta ? "fast" : "slow")} OTA, lockup bound {options.LockupTimeout.TotalSeconds:0} s, payload {Path.GetFileName(ScenarioImages.PayloadPath)}");
        await using ScenarioRunner runner = await ScenarioRunner.StartAsync(options, ct);
        output.WriteLine($"cloud API {runner.Cloud.ApiUrl} (token {runner.Cloud.AccessToken}), device {runner.DeviceId} online, ticker on 127.0.0.1:{runner.Ticker.Port}");
        IReadOnlyDictionary<string, CollectionCensus.Entry>? first = null;
        ScenarioSummary summary = await runner.RunAsync(r =>
        {
            output.WriteLine(r.ToLine(options.Cycles));
            if (!census) return;
            output.WriteLine($"  census: {HostResources.Take()}");
            if (first == null || r.Cycle % CensusEvery == 0)
            {
                var now = CollectionCensus.Take(runner);
                if (first == null)
                {
                    first = now;
                    return;
                }
                foreach (var (name, before, after) in CollectionCensus.Grown(first, now)) output.WriteLine($"  grown since cycle 1: {name} {before} -> {after}");
                output.WriteLine("  threads by name: " + string.Join(", ", HostResources.ThreadNames().Select(t => $"{t.Name} {t.Count}")));
            }
        }, ct);
        summary.Print(output);
        return summary;
    }
}
