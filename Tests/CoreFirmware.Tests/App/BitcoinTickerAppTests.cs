using System.Text.Json;
using CoreFirmware.Application.App;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual;
using CoreFirmware.Virtual.Ticker;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.App;

/// <summary>
/// The seed's app on the virtual board: the Bitcoin ticker loop with no delay, through the REST
/// client, the CC3000 driver, the SPI bus model and the CC3000 model to a real ticker server.
/// </summary>
[Trait("Category", "App")]
[Collection(IsolatedCollection.Name)]
public class BitcoinTickerAppTests
{
    private const uint Loopback = 0x7F000001;
    private readonly ITestOutputHelper _out;

    public BitcoinTickerAppTests(ITestOutputHelper output) => _out = output;

    private sealed class Rig : IDisposable
    {
        public readonly TickerServer Server = new() { RecordServedBodies = true };
        public readonly VirtualBoard Board = new();
        public readonly BitcoinTickerApp App;

        public Rig()
        {
            Board.PowerUp();
            Board.Cc3000.Model.SetHost("ticker.local", Loopback);
            App = new BitcoinTickerApp("ticker.local", Server.Port, "/v2/ticker/btcusd");
            var context = new UserAppContext(Board.Serial1, Board.D0, Board.UserLed,
                Board.Cc3000Driver.CreateSocketView(BusPriority.UserNetwork), Board.Clock,
                CoreFirmware.Drivers.Net.NoUpdateNotice.Instance);
            App.Setup(context);
        }

        public void Dispose()
        {
            Board.Dispose();
            Server.Dispose();
        }
    }

    /// <summary>What the app should have printed for one served body.</summary>
    private static string ExpectedLine(int request, byte[] body)
    {
        using var doc = JsonDocument.Parse(body);
        string F(string key) => doc.RootElement.GetProperty(key).ToString();
        return $"#{request} BTC/USD last {F("last")} bid {F("bid")} ask {F("ask")} volume {F("volume")}";
    }

    [Fact]
    public void TenThousandRequestsWithNoDelayKeepMemoryFlatAndPrintEveryReply()
    {
        const int Total = 10_000, Batch = 500, WarmUp = 500;
        using var rig = new Rig();
        var header = rig.Board.Serial1.DrainLines();
        Assert.Equal($"Bitcoin ticker: http://ticker.local:{rig.Server.Port}/v2/ticker/btcusd", Assert.Single(header));

        int request = 0;
        for (; request < WarmUp; request++) rig.App.Loop();
        CheckBatch(rig, 1, WarmUp);

        long allocatedInLoops = 0;
        var perBatch = new List<long>();
        var heapSamples = new List<long>();
        var ledToggles = 0;
        while (request < Total)
        {
            var ledBefore = rig.Board.UserLed.Level;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Batch; i++) rig.App.Loop();
            long batchAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
            perBatch.Add(batchAllocated);
            allocatedInLoops += batchAllocated;
            if (rig.Board.UserLed.Level == ledBefore) ledToggles += Batch; // an even number of toggles per batch
            CheckBatch(rig, request + 1, Batch);
            request += Batch;
            if (request % 2000 == 0)
            {
                heapSamples.Add(GC.GetTotalMemory(forceFullCollection: true));
                _out.WriteLine($"after {request,6} requests: allocated in app loops {allocatedInLoops} B, managed heap {heapSamples[^1] / 1024} KiB, failures {rig.App.Failures}");
            }
        }

        Assert.Equal(Total, rig.App.Requests);
        Assert.Equal(Total, rig.App.Parsed);
        Assert.Equal(0, rig.App.Failures);
        // A per-request allocation would show in every batch of 500 requests. The runtime now and
        // then puts a few KB on a thread for its own purposes (see Support/Allocations.cs), so the
        // test asks for most batches to be exactly 0 rather than their sum.
        _out.WriteLine("bytes allocated per batch of 500 requests: " + string.Join(", ", perBatch));
        int zeroBatches = perBatch.Count(b => b == 0);
        Assert.True(zeroBatches * 2 > perBatch.Count, $"only {zeroBatches} of {perBatch.Count} batches allocated nothing: {string.Join(", ", perBatch)}");
        Assert.Equal(0, rig.Board.Bus.ViolationCount);
        // Flat heap: the last sample is no more than 1 MiB above the first (the host runtime, the
        // ticker server's threads and the test's own bookkeeping share this heap).
        Assert.True(heapSamples[^1] - heapSamples[0] < 1024 * 1024, $"heap grew from {heapSamples[0]} to {heapSamples[^1]}");
        Assert.Equal(Total - WarmUp, ledToggles);
        Assert.Equal(0, rig.Board.Serial1.BytesDropped);
    }

    private static void CheckBatch(Rig rig, int firstRequest, int count)
    {
        var lines = rig.Board.Serial1.DrainLines();
        var bodies = rig.Server.TakeServedBodies();
        Assert.Equal(count, lines.Count);
        Assert.Equal(count, bodies.Length);
        for (int i = 0; i < count; i++) Assert.Equal(ExpectedLine(firstRequest + i, bodies[i]), lines[i]);
    }

    [Fact]
    public void AFailedRequestIsPrintedAndTheNextOneWorks()
    {
        using var rig = new Rig();
        rig.Board.Serial1.DrainLines();
        rig.Server.Mode = TickerMode.Truncated;
        rig.App.Loop();
        rig.Server.Mode = TickerMode.ContentLength;
        rig.App.Loop();
        var lines = rig.Board.Serial1.DrainLines();
        Assert.Equal("#1 request failed: reply truncated", lines[0]);
        Assert.StartsWith("#2 BTC/USD last ", lines[1]);
        Assert.Equal(1, rig.App.Failures);
        Assert.Equal(1, rig.App.Parsed);
    }
}
