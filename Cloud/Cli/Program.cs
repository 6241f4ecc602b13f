using System.Runtime.InteropServices;
using Spectre.Console;

namespace CoreFirmware.Cloud.Cli;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        // SIGTERM (and SIGINT where Ctrl+C is not delivered as CancelKeyPress) stop `serve` cleanly too.
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        return await CorefwCli.RunAsync(args, AnsiConsole.Console, CliEnvironment.FromProcess(), stop.Token);
    }
}
