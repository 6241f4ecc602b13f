using System.Diagnostics;
using CoreFirmware.Application.App;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Virtual.Ticker;

namespace CoreFirmware.Virtual.Runner;

/// <summary>
/// `app` (the default command): boots the virtual Core, starts the ticker server on 127.0.0.1 and
/// runs the seed's Bitcoin ticker app on the user thread with no delay, echoing Serial1 and
/// printing counters every two seconds. Stops after --seconds N (default 20) or Ctrl-C.
/// Flags: --seconds N, --quiet (no Serial1 echo).
/// </summary>
public static class TickerAppCommand
{
    private const uint Loopback = 0x7F000001;

    public static int Run(string[] args)
    {
        int seconds = 20;
        bool quiet = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds": seconds = int.Parse(args[++i]); break;
                case "--quiet": quiet = true; break;
                default:
                    Console.Error.WriteLine($"app: unknown flag '{args[i]}' (flags: --seconds N, --quiet)");
                    return 2;
            }
        }

        using var server = new TickerServer();
        using var board = new VirtualBoard(new VirtualBoardOptions { EchoSerialToConsole = !quiet });
        Console.WriteLine($"CoreFirmware virtual Core: the Bitcoin ticker app (ticker server on 127.0.0.1:{server.Port}); {seconds} s, Ctrl-C stops");
        board.PowerUp();
        board.Cc3000.Model.SetHost("ticker.local", Loopback);
        var app = new BitcoinTickerApp("ticker.local", server.Port, "/v2/ticker/btcusd");
        var context = new UserAppContext(board.Serial1, board.D0, board.UserLed,
            board.Cc3000Driver.CreateSocketView(BusPriority.UserNetwork), board.Clock,
            CoreFirmware.Drivers.Net.NoUpdateNotice.Instance);
        var user = new UserThread(app, context);

        using var stop = new ManualResetEventSlim();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Set(); };
        Console.CancelKeyPress += onCancel;
        var clock = Stopwatch.StartNew();
        user.Start();
        int lastRequests = 0;
        while (!stop.Wait(2000) && clock.Elapsed.TotalSeconds < seconds && user.IsRunning)
        {
            int requests = app.Requests;
            Console.WriteLine($"-- {clock.Elapsed.TotalSeconds,5:0} s  requests {requests,6} ({(requests - lastRequests) / 2.0,5:0} /s)  parsed {app.Parsed,6}  failures {app.Failures}  "
                + $"D7 LED {board.UserLed.Level}  heap {GC.GetTotalMemory(false) / 1024} KiB  bus violations {board.Bus.ViolationCount}  CC3000 recoveries {board.Cc3000Driver.Recoveries}");
            lastRequests = requests;
        }
        Console.CancelKeyPress -= onCancel;
        bool ended = user.Stop(15_000);
        Console.WriteLine($"== {app.Requests} requests in {clock.Elapsed.TotalSeconds:0.0} s, {app.Parsed} parsed, {app.Failures} failed, "
            + $"bus violations {board.Bus.ViolationCount}{(user.Fault != null ? ", app fault: " + user.Fault.Message : "")}{(ended ? "" : ", user thread did not stop")}");
        int hostFaults = board.Faults.Count + server.Faults.Count;
        if (board.Faults.Count > 0) Console.WriteLine("== board: " + board.Faults.Describe());
        if (server.Faults.Count > 0) Console.WriteLine("== ticker server: " + server.Faults.Describe());
        return user.Fault == null && ended && hostFaults == 0 ? 0 : 1;
    }
}
