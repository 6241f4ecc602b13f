namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// `soak`: the scenario headless. One line per cycle, then the summary. Exit code 0 when every
/// cycle ended on a valid image and nothing locked up, 1 otherwise, 2 on bad flags. Ctrl-C stops
/// after the cycle under way and still prints the summary.
/// Defaults: 100 cycles, faults all, no pause between cycles, Realistic flash timing.
/// </summary>
public static class SoakCommand
{
    public static int Run(string[] args)
    {
        ScenarioOptions? options = ScenarioArgs.Parse("soak", args, new ScenarioOptions
        {
            Cycles = 100,
            Faults = FaultMix.All,
            Interval = TimeSpan.Zero,
        });
        if (options == null) return 2;

        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            ScenarioSummary summary = RunAsync(options, Console.Out, cts.Token).GetAwaiter().GetResult();
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

    /// <summary>Runs a whole soak writing to <paramref name="output"/> (also used by the tests).</summary>
    public static async Task<ScenarioSummary> RunAsync(ScenarioOptions options, TextWriter output, CancellationToken ct)
    {
        output.WriteLine($"soak: {options.Cycles} cycles, faults {options.Faults}, idle OTA every {options.IdleEvery} cycles, "
            + $"{(options.FastOta ? "fast" : "slow")} OTA, lockup bound {options.LockupTimeout.TotalSeconds:0} s, payload {Path.GetFileName(ScenarioImages.PayloadPath)}");
        await using ScenarioRunner runner = await ScenarioRunner.StartAsync(options, ct);
        output.WriteLine($"cloud API {runner.Cloud.ApiUrl} (token {runner.Cloud.AccessToken}), device {runner.DeviceId} online, ticker on 127.0.0.1:{runner.Ticker.Port}");
        ScenarioSummary summary = await runner.RunAsync(r => output.WriteLine(r.ToLine(options.Cycles)), ct);
        summary.Print(output);
        return summary;
    }
}
