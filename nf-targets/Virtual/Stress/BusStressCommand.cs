using CoreFirmware.Virtual.Network;
using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Virtual.Stress;

/// <summary>
/// `bus-stress`: boots the virtual board and runs <see cref="BusStress"/> against a loopback echo
/// server, printing progress every second and a summary at the end.
/// Flags: --sockets N, --kib-per-socket N, --flash-rounds N, --fast-flash, --no-arbiter.
/// </summary>
public static class BusStressCommand
{
    public static int Run(string[] args)
    {
        var options = new BusStressOptions();
        bool fastFlash = false, bypass = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--sockets": options = options with { Sockets = int.Parse(args[++i]) }; break;
                case "--kib-per-socket": options = options with { EchoBytesPerSocket = int.Parse(args[++i]) * 1024 }; break;
                case "--flash-rounds": options = options with { FlashRounds = int.Parse(args[++i]) }; break;
                case "--fast-flash": fastFlash = true; break;
                case "--no-arbiter": bypass = true; break;
                default:
                    Console.Error.WriteLine($"bus-stress: unknown flag '{args[i]}'");
                    Console.Error.WriteLine("flags: --sockets N (1-4) --kib-per-socket N --flash-rounds N --fast-flash --no-arbiter");
                    return 2;
            }
        }

        Console.WriteLine("CoreFirmware virtual Core: shared SPI bus stress");
        Console.WriteLine($"  {options.Sockets} CC3000 socket(s) x {options.EchoBytesPerSocket / 1024} KiB echo, {options.FlashRounds} flash rounds (erase+program+verify 4 KB), "
            + $"flash timing {(fastFlash ? "fast" : "datasheet")}, arbiter {(bypass ? "BYPASSED (negative run)" : "on")}");
        using var echo = new LoopbackEchoServer();
        using var board = new VirtualBoard(new VirtualBoardOptions
        {
            BypassArbiter = bypass,
            FlashTiming = fastFlash ? Sst25TimingProfile.Fast : Sst25TimingProfile.Realistic,
        });
        try
        {
            board.PowerUp();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("board did not come up: " + e.Message);
            return 1;
        }
        Console.WriteLine($"  flash JEDEC id OK, CC3000 up: {board.Cc3000Driver.BufferCount} buffers of {board.Cc3000Driver.BufferLength} bytes; echo server on 127.0.0.1:{echo.Port}");

        var result = BusStress.Run(board, echo.Port, options, line => Console.WriteLine("  " + line));
        Console.WriteLine();
        foreach (var line in result.Describe()) Console.WriteLine("  " + line);
        if (board.Faults.Count > 0) Console.WriteLine("  " + board.Faults.Describe());
        if (echo.Faults.Count > 0) Console.WriteLine("  echo server: " + echo.Faults.Describe());
        Console.WriteLine(result.Clean ? "  result: CLEAN (every byte verified, no violation)" : "  result: FAILURES (see above)");
        return result.Clean ? 0 : 1;
    }
}
