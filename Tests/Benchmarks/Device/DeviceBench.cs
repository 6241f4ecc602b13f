#nullable disable
using System;
using System.Threading;
using CoreFirmware.Application.App;
using CoreFirmware.Application.Http;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Ota.Crypto;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>
    /// The device benchmark: the firmware's hot paths, its allocation per operation and its managed heap,
    /// measured by code that runs unchanged on nanoCLR (static Main in DeviceBenchProgram; figures as lines)
    /// and on CoreCLR (the host runner calls <see cref="RunThroughput"/> and <see cref="RunHeap"/> in-process):
    /// heap: the runtime's own; the start-up objects (<see cref="StartupObjects"/>: constructed, with the
    /// ticker app set up, with the system threads running) and the live heap after each of 1,000 ticker
    /// iterations on top of them; bytes allocated per operation. Timed: the JSON tokenizer on the ticker
    /// reply and 64 KB nested/number documents, SHA-256 and CRC32 of 64 KB, arbiter acquire+release, a
    /// RestClient GET over an in-memory server, the ticker app's Loop, ECDSA P-256 verification, and
    /// verification of a 64 KB signed image, with and without the ECDSA part.
    /// </summary>
    public static class DeviceBench
    {
        /// <summary>Size of the generated JSON documents and of the SHA-256/CRC32 buffer.</summary>
        public const int DocumentBytes = 64 * 1024;

        /// <summary>Ticker iterations the live-heap high-water mark is taken over.</summary>
        public const int TickerIterations = 1000;

        /// <summary>The heap sections: start-up objects and the ticker's live heap over them, bytes allocated per operation.</summary>
        public static void RunHeap(IBenchSink sink)
        {
            sink.Heap("main", null);
            Startup(sink);
            Allocation(sink);
        }

        /// <summary>The timed sections: throughputs and costs per operation.</summary>
        public static void RunThroughput(IBenchSink sink)
        {
            Throughput(sink);
        }

        // The start-up objects, then the ticker app's loop on top of them with the system threads running:
        // the live heap (after a full collection) after each of 1,000 iterations. The app's network is the
        // in-memory ticker server (on the device: the socket broker in front of the CC3000).
        private static void Startup(IBenchSink sink)
        {
            StartupObjects s = StartupObjects.Construct();
            sink.Heap("startup:system", s);
            s.SetUpApp(new InMemoryTickerSockets(InMemoryTickerSockets.TickerResponse(BenchDocuments.BitstampBody)));
            sink.Heap("startup:app", s);
            s.StartThreads();
            Thread.Sleep(500); // every thread reaches its wait
            sink.Heap("startup:running", s);
            for (int i = 1; i <= TickerIterations; i++)
            {
                s.App.Loop();
                sink.Heap("ticker:" + i.ToString(), s);
            }
            int failures = s.App.Failures;
            if (!s.Stop()) sink.Note("startup: a system thread did not stop in time");
            if (failures != 0) throw new InvalidOperationException("ticker: " + failures.ToString() + " failed loops");
        }

        private static void Throughput(IBenchSink sink)
        {
            byte[] ticker = BenchDocuments.Ascii(BenchDocuments.TickerReply);
            Measure(sink, new TokenizeLoop("json.ticker", ticker, true));
            Measure(sink, new TokenizeLoop("json.ticker.count", ticker, false));
            Measure(sink, new TokenizeLoop("json.nested", BenchDocuments.Nested(DocumentBytes), true));
            Measure(sink, new TokenizeLoop("json.numbers", BenchDocuments.Numbers(DocumentBytes), true));

            byte[] data = Pattern(DocumentBytes);
            Measure(sink, new Sha256Loop(data));
            Measure(sink, new Crc32Loop(data));

            SpiBusArbiter arbiter = new SpiBusArbiter(new SystemClock());
            Measure(sink, new ArbiterLoop(arbiter, BusPriority.Flash, "arbiter.flash"));
            Measure(sink, new ArbiterLoop(arbiter, BusPriority.UserNetwork, "arbiter.user"));

            Measure(sink, new RestGetLoop(NewRestClient()));
            Measure(sink, new TickerAppLoop(NewTickerApp()));
            Measure(sink, NewImageVerify("image.verify.sha", new BenchCrypto()));
            Measure(sink, NewImageVerify("image.verify", new ManagedImageCrypto()));
            Measure(sink, NewEcdsaVerify());
        }

        private static void Allocation(IBenchSink sink)
        {
            byte[] ticker = BenchDocuments.Ascii(BenchDocuments.TickerReply);
            // About 2 s each on nanoCLR: with a 512 KB heap, "no collection" then bounds the figure to a few
            // tens of bytes per operation.
            MeasureAllocation(sink, new TokenizeLoop("json.ticker", ticker, true), 20000);
            MeasureAllocation(sink, new ArbiterLoop(new SpiBusArbiter(new SystemClock()), BusPriority.Flash, "arbiter.flash"), 200000);
            MeasureAllocation(sink, new RestGetLoop(NewRestClient()), 10000);
            MeasureAllocation(sink, new TickerAppLoop(NewTickerApp()), 6000);
            MeasureAllocation(sink, NewImageVerify("image.verify", new ManagedImageCrypto()), 50);
        }

        /// <summary>Warms <paramref name="loop"/> up, then times whole batches until the target time has passed.</summary>
        public static void Measure(IBenchSink sink, BenchLoop loop)
        {
            int batch = 1;
            long warmEnd = sink.Now + sink.WarmUpTicks;
            long step = sink.TargetTicks / 50;
            while (true)
            {
                long t0 = sink.Now;
                loop.Run(batch);
                long t1 = sink.Now;
                if (t1 >= warmEnd) break;
                if (t1 - t0 < step && batch < 0x10000000) batch *= 2; // batches of about 1/50 of the target time
            }

            sink.Begin(loop.Id);
            long operations = 0;
            long start = sink.Now;
            long now;
            do
            {
                loop.Run(batch);
                operations += batch;
                now = sink.Now;
            }
            while (now - start < sink.TargetTicks);
            sink.Rate(loop.Id, operations * loop.WorkPerOperation, loop.Unit, now - start);
        }

        /// <summary>Counts what <paramref name="operations"/> runs of <paramref name="loop"/> allocate (after one untimed run).</summary>
        public static void MeasureAllocation(IBenchSink sink, BenchLoop loop, int operations)
        {
            loop.Run(1); // lazily created state is not per-operation garbage
            sink.AllocationBegin(loop.Id);
            for (int i = 0; i < operations; i++)
            {
                loop.Run(1);
                sink.AllocationStep();
            }
            sink.AllocationEnd(loop.Id, operations);
        }

        private static RestClient NewRestClient()
        {
            return new RestClient(new InMemoryTickerSockets(InMemoryTickerSockets.TickerResponse(BenchDocuments.BitstampBody)), new SystemClock());
        }

        private static BitcoinTickerApp NewTickerApp()
        {
            INetworkSockets sockets = new InMemoryTickerSockets(InMemoryTickerSockets.TickerResponse(BenchDocuments.BitstampBody));
            UserAppContext context = new UserAppContext(new BenchSerialPort(), new BenchPin(0, PinValue.Low), new BenchPin(7, PinValue.Low),
                sockets, new SystemClock(), NoUpdateNotice.Instance);
            BitcoinTickerApp app = new BitcoinTickerApp();
            app.Setup(context);
            return app;
        }

        // The 64 KB signed image in memory, verified over <paramref name="crypto"/>: ManagedImageCrypto is
        // what a board without crypto hardware runs; BenchCrypto accepts any signature (the SHA-256 part alone).
        private static ImageVerifyLoop NewImageVerify(string id, ICrypto crypto)
        {
            byte[] image = BenchImage.Build(BenchImage.Size64K);
            ImageVerifier verifier = new ImageVerifier(crypto, BenchImage.TestPublicKey, SparkCoreBoard.ImageBoardId);
            return new ImageVerifyLoop(id, verifier, new MemoryFlash(image), SparkCoreFlashLayout.Create().Staging.Size, image.Length);
        }

        // The test key's signature over the 64 KB image's digest, verified alone.
        private static EcdsaVerifyLoop NewEcdsaVerify()
        {
            byte[] image = BenchImage.Build(BenchImage.Size64K);
            byte[] digest = new byte[Sha256.DigestSize];
            Sha256 sha = new Sha256();
            sha.Begin();
            sha.Update(image, 0, image.Length - ImageFormat.StandardTrailerSize);
            sha.Finish(digest, 0);
            return new EcdsaVerifyLoop(BenchImage.TestPublicKey, digest, BenchImage.Signature64K);
        }

        private static byte[] Pattern(int length)
        {
            byte[] b = new byte[length];
            uint state = 12345;
            for (int i = 0; i < length; i++)
            {
                state = state * 1103515245u + 12345u;
                b[i] = (byte)(state >> 16);
            }
            return b;
        }
    }
}
