using Spectre.Console;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// `live`, the default command: starts the local cloud, the ticker server and the virtual Core
/// running the ticker app with no delay, then flashes a new app version through the cloud every
/// cycle while the app hammers the server, showing the <see cref="LiveView"/>. Stops by itself after
/// --cycles N (default 10) and prints the summary; Ctrl-C stops early, cleanly, with the summary.
/// When stdout is not a terminal it prints plain lines (one per cycle, a status line every 2 s).
/// Defaults: no faults, 2 s between updates, Realistic flash timing. Exit code as `soak`.
/// </summary>
public static class LiveCommand
{
    private const int RefreshMilliseconds = 200;
    private const int PlainStatusMilliseconds = 2000;

    public static int Run(string[] args)
    {
        ScenarioOptions? options = ScenarioArgs.Parse("live", args, new ScenarioOptions
        {
            Cycles = 10,
            Interval = TimeSpan.FromSeconds(2),
        });
        if (options == null) return 2;
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            bool plain = Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive;
            return RunAsync(options, plain, cts.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("stopped before the device came online");
            return 1;
        }
        catch (TimeoutException e)
        {
            Console.WriteLine("live: " + e.Message);
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task<int> RunAsync(ScenarioOptions options, bool plain, CancellationToken ct)
    {
        Console.WriteLine($"CoreFirmware virtual Core: local cloud, ticker server and the Bitcoin ticker app; {options.Cycles} OTA cycles "
            + $"(faults {options.Faults}, idle OTA every {options.IdleEvery}), starting ...");
        ScenarioSummary summary;
        await using (ScenarioRunner runner = await ScenarioRunner.StartAsync(options, ct))
        {
            Console.WriteLine($"cloud API {runner.Cloud.ApiUrl} (token {runner.Cloud.AccessToken}), device {runner.DeviceId} online, ticker on 127.0.0.1:{runner.Ticker.Port}");
            if (plain)
            {
                Task<ScenarioSummary> run = runner.RunAsync(r => Console.WriteLine(r.ToLine(options.Cycles)), ct);
                while (!run.Wait(PlainStatusMilliseconds))
                {
                    var (requests, _) = runner.AppTotals;
                    Console.WriteLine($"-- cycle {runner.CurrentCycle}/{options.Cycles} {runner.Phase}; LED {runner.Board.RgbLed.DescribePattern(TimeSpan.FromSeconds(2))}; "
                        + $"OTA {runner.CurrentJob?.Progress.StateName ?? "-"} {runner.CurrentJob?.Progress.BytesSent ?? 0} B; "
                        + $"app {requests} requests (all boots), {runner.Device.AppCompleted} parsed this boot; last Serial1: {runner.Board.Serial1.LastLines(1).FirstOrDefault() ?? "-"}");
                }
                summary = await run;
            }
            else
            {
                var view = new LiveView(runner);
                Task<ScenarioSummary> run = runner.RunAsync(null, ct);
                AnsiConsole.Live(view.Render()).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).Start(ctx =>
                {
                    while (!run.Wait(RefreshMilliseconds))
                    {
                        ctx.UpdateTarget(view.Render());
                    }
                    ctx.UpdateTarget(view.Render());
                });
                summary = await run;
            }
        }

        if (plain) summary.Print(Console.Out);
        else AnsiConsole.Write(LiveView.SummaryTable(summary));
        return summary.Passed ? 0 : 1;
    }
}
