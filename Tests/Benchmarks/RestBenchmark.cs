using System.Diagnostics;
using CoreFirmware.Application.Http;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Virtual;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.Ticker;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// REST GETs through the whole virtual stack: RestClient -> CC3000 driver (user socket view) ->
/// shared SPI bus with the real arbiter -> CC3000 model -> loopback TCP -> TickerServer. Each
/// request resolves the host name through the module, opens, connects, sends, receives and
/// closes a socket. Figures: requests per second, latency, SPI frames and bus grants per request,
/// and bytes allocated per request on the calling thread.
/// </summary>
public sealed class RestBenchmark : IBenchmark
{
    private const string Host = "ticker.local";
    private const double SecondsPerMode = 3.0;
    private const int WarmUpRequests = 50;

    public string Name => "rest";

    public void Run(BenchmarkReport report)
    {
        report.Setting(Name, $"{SecondsPerMode} s per mode after {WarmUpRequests} warm-up requests, CC3000 model over loopback TCP");
        var clock = new VirtualClock();
        var bus = new SharedSpiBus();
        var arbiter = new SpiBusArbiter(clock);
        using var cc3000 = VirtualCc3000Wiring.Attach(bus, arbiter, clock);
        cc3000.Model.SetAccessPoint("CoreNet", "correct horse");
        cc3000.Model.SetHost(Host, 0x7F000001);
        if (cc3000.Driver.Start(5000) != 0) throw new InvalidOperationException("CC3000 did not start");
        if (cc3000.Driver.ConnectToAccessPoint("CoreNet", "correct horse", 5000) != 0) throw new InvalidOperationException("no access point");
        using var server = new TickerServer();

        var client = new RestClient(cc3000.Driver.CreateSocketView(BusPriority.UserNetwork), clock);
        foreach (var (label, path) in new[]
        {
            ("Content-Length", "/ticker?mode=length"),
            ("chunked", "/ticker?mode=chunked"),
        })
        {
            for (int i = 0; i < WarmUpRequests; i++) Expect(client.Get(Host, server.Port, path));

            int requests = 0;
            long frames0 = cc3000.Driver.Frames;
            int grants0 = arbiter.Grants;
            long bodyBytes = 0;
            var sw = new Stopwatch();
            long alloc0 = GC.GetAllocatedBytesForCurrentThread();
            sw.Start();
            while (sw.Elapsed.TotalSeconds < SecondsPerMode)
            {
                Expect(client.Get(Host, server.Port, path));
                bodyBytes += client.BodyLength;
                requests++;
            }
            sw.Stop();
            long alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
            double seconds = sw.Elapsed.TotalSeconds;
            report.Add(Name, $"GET ({label}), requests per second", requests / seconds, "req/s", "0");
            report.Add(Name, $"GET ({label}), mean latency", seconds * 1e6 / requests, "us", "0");
            report.Add(Name, $"GET ({label}), mean body", (double)bodyBytes / requests, "B", "0");
            report.Add(Name, $"GET ({label}), SPI frames per request", (double)(cc3000.Driver.Frames - frames0) / requests, "frames", "0.0");
            report.Add(Name, $"GET ({label}), bus grants per request", (double)(arbiter.Grants - grants0) / requests, "grants", "0.0");
            report.Add(Name, $"GET ({label}), bytes allocated per request", (double)alloc / requests, "B", "0.###", goal: "0");
        }
        report.Add(Name, "bus violations", bus.ViolationCount, "", "0", goal: "0");
        report.Add(Name, "CC3000 framing violations", cc3000.Model.Violations, "", "0", goal: "0");
    }

    private static void Expect(HttpResult result)
    {
        if (result != HttpResult.Ok) throw new InvalidOperationException("GET failed: " + result);
    }
}
