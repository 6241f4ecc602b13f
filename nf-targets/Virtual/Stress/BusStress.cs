using System.Diagnostics;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;

namespace CoreFirmware.Virtual.Stress;

/// <summary>
/// The shared-bus stress: CC3000 sockets echo patterned data through a loopback echo server while
/// another thread erases, programs and verifies flash sectors, all on the one SPI bus. Every echoed
/// byte and every programmed sector is checked; the bus model counts violations. Bounded: a fixed
/// amount of work and a deadline, after which a worker that has not returned is reported as hung.
/// </summary>
public static class BusStress
{
    private const uint Loopback = 0x7F000001;

    public static BusStressResult Run(VirtualBoard board, int echoPort, BusStressOptions options, Action<string>? progress = null)
    {
        var counters = new Counters();
        var deadline = Stopwatch.StartNew();
        var workers = new List<Thread>();
        var network = board.Cc3000Driver.CreateSocketView(BusPriority.UserNetwork);
        int recoveriesBefore = board.Cc3000Driver.Recoveries;
        int faultsBefore = board.Faults.Count;
        long framingBefore = board.Cc3000.Model.Violations;

        for (int s = 0; s < options.Sockets; s++)
        {
            int index = s;
            string name = $"stress echo {s}";
            workers.Add(new Thread(() => board.Faults.Run(name, () => EchoWorker(network, echoPort, index, options, counters, deadline))) { IsBackground = true, Name = name });
        }
        // A worker that throws is reported on the board (and counted below), never the end of the process.
        workers.Add(new Thread(() => board.Faults.Run("stress flash", () => FlashWorker(board.Flash, options, counters, deadline))) { IsBackground = true, Name = "stress flash" });
        foreach (var t in workers) t.Start();

        var grace = options.Deadline + TimeSpan.FromSeconds(10);
        int hung = 0;
        var lastReport = Stopwatch.StartNew();
        foreach (var t in workers)
        {
            while (t.IsAlive && deadline.Elapsed < grace)
            {
                t.Join(200);
                if (progress != null && lastReport.ElapsedMilliseconds >= 1000)
                {
                    lastReport.Restart();
                    progress($"{deadline.Elapsed.TotalSeconds,5:0.0} s  echo {Interlocked.Read(ref counters.EchoBytes) / 1024,7:N0} KiB  flash rounds {Volatile.Read(ref counters.FlashRounds),4}  violations {board.Bus.ViolationCount}  recoveries {board.Cc3000Driver.Recoveries - recoveriesBefore}");
                }
            }
            if (t.IsAlive) hung++;
        }

        return new BusStressResult
        {
            EchoBytesVerified = Interlocked.Read(ref counters.EchoBytes),
            EchoBytesTarget = (long)options.Sockets * options.EchoBytesPerSocket,
            EchoMismatches = Interlocked.Read(ref counters.EchoMismatches),
            SocketErrors = counters.SocketErrorsSnapshot(),
            FlashRoundsDone = counters.FlashRounds,
            FlashRoundsTarget = options.FlashRounds,
            FlashVerifyFailures = counters.FlashVerifyFailures,
            FlashErrors = counters.FlashErrorsSnapshot(),
            BusViolations = board.Bus.ViolationCount,
            ViolationSamples = board.Bus.Violations.Take(5).Select(v => $"{v.Kind}: {v.Detail}").ToArray(),
            ModuleFramingViolations = board.Cc3000.Model.Violations - framingBefore,
            ModuleRecoveries = board.Cc3000Driver.Recoveries - recoveriesBefore,
            HungWorkers = hung,
            WorkerFaults = board.Faults.Count - faultsBefore,
            Elapsed = deadline.Elapsed,
        };
    }

    private static void EchoWorker(INetworkSockets net, int port, int index, BusStressOptions o, Counters c, Stopwatch deadline)
    {
        var rng = new Random(o.Seed * 31 + index);
        var sent = new byte[o.EchoChunk];
        var received = new byte[o.EchoChunk];
        long done = 0;
        int socket = -1;
        try
        {
            while (done < o.EchoBytesPerSocket && deadline.Elapsed < o.Deadline)
            {
                if (socket < 0)
                {
                    socket = net.Open(5000);
                    if (socket < 0) { c.SocketError(socket); Thread.Sleep(50); continue; }
                    int r = net.Connect(socket, Loopback, port, 5000);
                    if (r < 0) { c.SocketError(r); net.Close(socket); socket = -1; Thread.Sleep(50); continue; }
                }
                int n = (int)Math.Min(o.EchoChunk, o.EchoBytesPerSocket - done);
                rng.NextBytes(sent.AsSpan(0, n));
                int w = net.Send(socket, sent, 0, n, 5000);
                if (w < 0) { c.SocketError(w); net.Close(socket); socket = -1; continue; }
                int got = 0;
                while (got < n)
                {
                    int k = net.Receive(socket, received, got, n - got, o.ReceiveTimeoutMilliseconds);
                    if (k <= 0) { c.SocketError(k == 0 ? (int)SocketError.ConnectionReset : k); break; }
                    got += k;
                }
                if (got < n) { net.Close(socket); socket = -1; continue; }
                if (!sent.AsSpan(0, n).SequenceEqual(received.AsSpan(0, n))) Interlocked.Increment(ref c.EchoMismatches);
                else Interlocked.Add(ref c.EchoBytes, n);
                done += n;
            }
        }
        finally
        {
            if (socket >= 0) net.Close(socket);
        }
    }

    private static void FlashWorker(Sst25Flash flash, BusStressOptions o, Counters c, Stopwatch deadline)
    {
        var rng = new Random(o.Seed);
        var pattern = new byte[Sst25Flash.SectorSize];
        var readBack = new byte[Sst25Flash.SectorSize];
        for (int round = 0; round < o.FlashRounds && deadline.Elapsed < o.Deadline; round++)
        {
            int address = o.FlashAreaStart + (round % o.FlashAreaSectors) * Sst25Flash.SectorSize;
            rng.NextBytes(pattern);
            try
            {
                flash.EraseSector(address);
                flash.Program(address, pattern, 0, pattern.Length);
                flash.Read(address, readBack, 0, readBack.Length);
                if (!pattern.AsSpan().SequenceEqual(readBack)) Interlocked.Increment(ref c.FlashVerifyFailures);
            }
            catch (Exception e) when (e is Sst25Exception or SpiBusTimeoutException or InvalidOperationException)
            {
                c.FlashError($"round {round} @0x{address:X6}: {e.GetType().Name}: {e.Message}");
            }
            Interlocked.Increment(ref c.FlashRounds);
        }
    }

    private sealed class Counters
    {
        public long EchoBytes;
        public long EchoMismatches;
        public int FlashRounds;
        public int FlashVerifyFailures;
        private readonly Dictionary<SocketError, long> _socketErrors = new();
        private readonly List<string> _flashErrors = new();

        public void SocketError(int code)
        {
            lock (_socketErrors) _socketErrors[(SocketError)code] = _socketErrors.GetValueOrDefault((SocketError)code) + 1;
        }

        public void FlashError(string what)
        {
            lock (_flashErrors) if (_flashErrors.Count < 100) _flashErrors.Add(what);
        }

        public Dictionary<SocketError, long> SocketErrorsSnapshot() { lock (_socketErrors) return new(_socketErrors); }

        public List<string> FlashErrorsSnapshot() { lock (_flashErrors) return new(_flashErrors); }
    }
}
