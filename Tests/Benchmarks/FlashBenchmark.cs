using System.Diagnostics;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// SST25 driver + virtual part throughput on the host: Sst25Flash -> VirtualSpiDevice ->
/// SharedSpiBus -> Sst25Model (fast timing profile, so the figures are the software path, not
/// the part's busy times; on the board the 21 MHz SCK caps reads near 2.6 MB/s).
/// </summary>
public sealed class FlashBenchmark : IBenchmark
{
    public string Name => "flash";

    public void Run(BenchmarkReport report)
    {
        string path = Path.Combine(Path.GetTempPath(), $"corefw-bench-sst25-{Guid.NewGuid():N}.bin");
        try
        {
            var clock = new VirtualClock();
            var bus = new SharedSpiBus();
            var cs = new VirtualGpioPin(SparkCorePins.FlashChipSelect, "FLASH_CS", PinValue.High);
            using var model = new Sst25Model(path, SparkCorePins.FlashChipSelect, Sst25TimingProfile.Fast, clock);
            bus.Attach(model, cs);
            var device = new VirtualSpiDevice(bus, SparkCoreBus.FlashSettings(), cs);
            var arbiter = new SpiBusArbiter(clock);
            var flash = new Sst25Flash(device, arbiter, clock);
            flash.Initialize();

            var buffer = new byte[64 * 1024];
            foreach (bool highSpeed in new[] { false, true })
            {
                flash.UseHighSpeedRead = highSpeed;
                string mode = highSpeed ? "high-speed read 0x0B" : "read 0x03";
                for (int i = 0; i < 4; i++) flash.Read(i * buffer.Length, buffer, 0, buffer.Length); // warm-up
                const int Passes = 20;
                int reads = 0;
                long alloc0 = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                for (int pass = 0; pass < Passes; pass++)
                {
                    for (int a = 0; a < Sst25Flash.Capacity; a += buffer.Length)
                    {
                        flash.Read(a, buffer, 0, buffer.Length);
                        reads++;
                    }
                }
                sw.Stop();
                long alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
                double mb = (double)Passes * Sst25Flash.Capacity / (1024 * 1024);
                report.Add(Name, $"{mode}, 64 KB calls", mb / sw.Elapsed.TotalSeconds, "MB/s", "0.0");
                report.Add(Name, $"{mode}, bytes allocated per 64 KB read", (double)alloc / reads, "B", "0.##", goal: "0");
            }
            flash.UseHighSpeedRead = false;

            // Small reads: the per-transaction cost (arbiter + RDSR + 4-byte header + CS edges).
            {
                var small = new byte[16];
                for (int i = 0; i < 1000; i++) flash.Read(i * 16, small, 0, 16);
                const int N = 200_000;
                long alloc0 = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < N; i++) flash.Read((i * 16) & (Sst25Flash.Capacity - 1), small, 0, 16);
                sw.Stop();
                long alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
                report.Add(Name, "16-byte read, cost per call", sw.Elapsed.TotalMilliseconds * 1e6 / N, "ns", "0");
                report.Add(Name, "16-byte read, bytes allocated per call", (double)alloc / N, "B", "0.##", goal: "0");
            }

            // Programming (fast profile: no busy time), AAI and byte-program modes.
            var data = new byte[Sst25Flash.Capacity];
            new Random(1).NextBytes(data);
            foreach (bool aai in new[] { true, false })
            {
                flash.UseAutoAddressIncrement = aai;
                int length = aai ? 1024 * 1024 : 256 * 1024;
                var swErase = Stopwatch.StartNew();
                flash.EraseRange(0, length);
                swErase.Stop();
                long alloc0 = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                flash.Program(0, data, 0, length);
                sw.Stop();
                long alloc = GC.GetAllocatedBytesForCurrentThread() - alloc0;
                if (!flash.Verify(0, data, 0, length)) throw new InvalidOperationException("verify failed");
                string mode = aai ? "AAI word program" : "byte program";
                report.Add(Name, $"{mode} throughput ({length / 1024} KB)", length / (1024.0 * 1024) / sw.Elapsed.TotalSeconds, "MB/s", "0.00");
                report.Add(Name, $"{mode}, bytes allocated per 256-byte chunk", (double)alloc / (length / Sst25Flash.ProgramChunkSize), "B", "0.##", goal: "0");
                if (aai) report.Add(Name, "erase range (64 KB blocks), fast profile", length / (1024.0 * 1024) / swErase.Elapsed.TotalSeconds, "MB/s", "0");
            }
            report.Add(Name, "bus violations", bus.ViolationCount, "", goal: "0");
            report.Add(Name, "arbiter grants", arbiter.Grants, "");
        }
        finally
        {
            try { File.Delete(path); } catch (IOException) { }
        }
    }
}
