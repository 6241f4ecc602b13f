using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.SparkCore;
using CoreFirmware.VirtualNanoClr;

namespace CoreFirmware.DevicePrograms
{
    /// <summary>
    /// A device program for nanoCLR with the HAL bridge (Tests/CoreFirmware.Tests/NanoClr): exercises
    /// every native of CoreFirmware.VirtualNanoClr against the virtual board and prints one line per
    /// check, "probe NAME: ok DETAIL" or "probe NAME: FAIL REASON", then "probe done: N passed, M failed".
    /// The host side of the test reads the board's models to confirm what the program did.
    /// </summary>
    public static class NanoHalProbe
    {
        private const int EdgeRounds = 3;
        private const int EdgeWaitMilliseconds = 10000;

        private static int _passed;
        private static int _failed;
        private static string _detail;

        private delegate void Check();

        /// <summary>Runs every check.</summary>
        public static void Main()
        {
            Console.WriteLine("probe start");
            Run("spi-jedec", SpiJedecId);
            Run("sst25-write-read", Sst25WriteRead);
            Run("gpio-edges", GpioEdgesFromTheCc3000);
            Run("gpio-output", GpioOutput);
            Run("clock", ClockAdvances);
            Run("internal-flash", InternalFlashProgramAndRead);
            Run("internal-flash-pgerr", InternalFlashRefusesAProgramOverData);
            Run("watchdog", WatchdogStartsAndFeeds);
            Run("serial", SerialWrites);
            Run("led", LedSetsColor);
            Run("no-such-part", UnknownChipSelectIsAManagedException);
            Run("bad-range", ATransferOutsideItsArrayIsRefused);
            Console.WriteLine("probe done: " + _passed.ToString() + " passed, " + _failed.ToString() + " failed");
        }

        private static void Run(string name, Check check)
        {
            _detail = "";
            bool ok = false;
            string reason = "";
            try
            {
                check();
                ok = true;
            }
            catch (Exception e)
            {
                reason = e.GetType().FullName + ": " + e.Message;
            }
            if (ok)
            {
                _passed++;
                Console.WriteLine("probe " + name + ": ok " + _detail);
            }
            else
            {
                _failed++;
                Console.WriteLine("probe " + name + ": FAIL " + reason);
            }
        }

        private static void Expect(bool condition, string what)
        {
            if (!condition) throw new Exception("expected " + what);
        }

        private static void SpiJedecId()
        {
            NanoSpiDevice flash = new NanoSpiDevice(SparkCoreBus.FlashSettings());
            byte[] tx = new byte[] { 0x9F, 0, 0, 0 };
            byte[] rx = new byte[4];
            flash.Select();
            flash.TransferFullDuplex(tx, 0, rx, 0, 4);
            flash.Deselect();
            int id = (rx[1] << 16) | (rx[2] << 8) | rx[3];
            _detail = "jedec 0x" + id.ToString("X6");
            Expect(id == Sst25Flash.ExpectedJedecId, "JEDEC id 0xBF2541");
        }

        private static void Sst25WriteRead()
        {
            NanoClock clock = new NanoClock();
            SpiBusArbiter arbiter = new SpiBusArbiter(clock, SpiBusArbiter.DefaultMaxHoldMilliseconds, SpiBusArbiter.DefaultMaxWaiters);
            Sst25Flash flash = new Sst25Flash(new NanoSpiDevice(SparkCoreBus.FlashSettings()), arbiter, clock);
            flash.Initialize();
            const int address = 0x1F0000;
            flash.EraseSector(address);
            byte[] data = new byte[300];
            for (int i = 0; i < data.Length; i++) data[i] = (byte)(i * 7 + 3);
            flash.Program(address + 5, data, 0, data.Length);
            byte[] back = new byte[data.Length];
            flash.Read(address + 5, back, 0, back.Length);
            for (int i = 0; i < data.Length; i++) Expect(back[i] == data[i], "byte " + i.ToString() + " read back as written");
            Expect(flash.Verify(address + 5, data, 0, data.Length), "Verify true");
            _detail = data.Length.ToString() + " bytes at 0x" + (address + 5).ToString("X6");
        }

        // The CC3000 model powers up when WLAN_EN goes high and pulls IRQ low from its own thread after its
        // boot delay: a real cross-thread edge. The handler only signals; this thread waits on the event.
        private static void GpioEdgesFromTheCc3000()
        {
            NanoGpioPin irq = new NanoGpioPin(SparkCorePins.Cc3000Irq);
            NanoGpioPin enable = new NanoGpioPin(SparkCorePins.Cc3000Enable);
            irq.SetPinMode(PinMode.InputPullUp);
            enable.SetPinMode(PinMode.Output);
            AutoResetEvent falling = new AutoResetEvent(false);
            AutoResetEvent rising = new AutoResetEvent(false);
            int fallingCount = 0;
            int risingCount = 0;
            PinValueChangedEventHandler handler = delegate (object sender, PinValueChangedEventArgs e)
            {
                if (e.ChangeType == PinEventTypes.Falling)
                {
                    fallingCount++;
                    falling.Set();
                }
                else
                {
                    risingCount++;
                    rising.Set();
                }
            };
            irq.ValueChanged += handler;
            int delivered = GpioEdgeDispatcher.EdgesDelivered;
            // The host counts native calls between these two lines: waiting for an edge makes none.
            Console.WriteLine("@@edges begin");
            for (int round = 0; round < EdgeRounds; round++)
            {
                enable.Write(PinValue.High);
                Expect(falling.WaitOne(EdgeWaitMilliseconds, false), "a falling IRQ edge within 10 s of power-up (round " + round.ToString() + ")");
                Expect(irq.Read() == PinValue.Low, "IRQ low after the falling edge");
                enable.Write(PinValue.Low);
                Expect(rising.WaitOne(EdgeWaitMilliseconds, false), "a rising IRQ edge after power-down (round " + round.ToString() + ")");
            }
            Console.WriteLine("@@edges end");
            irq.ValueChanged -= handler;
            Expect(fallingCount == EdgeRounds && risingCount == EdgeRounds, EdgeRounds.ToString() + " edges of each kind, got "
                + fallingCount.ToString() + " falling, " + risingCount.ToString() + " rising");
            Expect(GpioEdgeDispatcher.DroppedEdges == 0, "no dropped edge");
            _detail = fallingCount.ToString() + " falling, " + risingCount.ToString() + " rising, dispatcher delivered "
                + (GpioEdgeDispatcher.EdgesDelivered - delivered).ToString();
        }

        private static void GpioOutput()
        {
            NanoGpioPin led = new NanoGpioPin(SparkCorePins.D7);
            led.SetPinMode(PinMode.Output);
            led.Write(PinValue.High);
            Expect(led.Read() == PinValue.High, "D7 reads high after writing high");
            led.Write(PinValue.Low);
            Expect(led.Read() == PinValue.Low, "D7 reads low after writing low");
            NanoGpioPin d0 = new NanoGpioPin(SparkCorePins.D0);
            _detail = "D0 " + (d0.Read() == PinValue.High ? "high" : "low");
        }

        private static void ClockAdvances()
        {
            NanoClock clock = new NanoClock();
            long t0 = clock.UptimeTicks;
            Thread.Sleep(30);
            long t1 = clock.UptimeTicks;
            Expect(t0 > 0, "uptime above zero");
            Expect(t1 - t0 >= 30 * 10000 - 10000, "at least ~30 ms of ticks across a 30 ms sleep");
            Expect(clock.UptimeMilliseconds >= t1 / 10000, "milliseconds agree with ticks");
            _detail = "advanced " + ((t1 - t0) / 10000).ToString() + " ms over a 30 ms sleep";
        }

        private static void InternalFlashProgramAndRead()
        {
            NanoInternalFlash flash = new NanoInternalFlash();
            Expect(flash.PageSize > 0 && flash.Size % flash.PageSize == 0, "a whole number of pages");
            int page = flash.Size - flash.PageSize;
            flash.ErasePage(page);
            byte[] data = new byte[] { 0x12, 0x34, 0x56, 0x78 };
            flash.Program(page + 8, data, 0, 4);
            byte[] back = new byte[6];
            flash.Read(page + 6, back, 0, 6);
            Expect(back[0] == 0xFF && back[1] == 0xFF && back[2] == 0x12 && back[5] == 0x78, "erased bytes then the programmed ones");
            _detail = "size " + flash.Size.ToString() + ", page " + flash.PageSize.ToString();
        }

        // The model throws (PGERR); the firmware sees its own InternalFlashException with the model's reason.
        private static void InternalFlashRefusesAProgramOverData()
        {
            NanoInternalFlash flash = new NanoInternalFlash();
            int page = flash.Size - flash.PageSize;
            byte[] data = new byte[] { 0x00, 0x00 };
            string caught = null;
            try
            {
                flash.Program(page + 8, data, 0, 2);
            }
            catch (InternalFlashException e)
            {
                caught = e.Message;
            }
            Expect(caught != null, "InternalFlashException for a program over programmed bytes");
            Expect(caught.IndexOf("PGERR") >= 0, "the model's reason (PGERR) in the message: " + caught);
            _detail = caught;
        }

        private static void WatchdogStartsAndFeeds()
        {
            NanoWatchdog watchdog = new NanoWatchdog();
            Expect(!watchdog.LastResetWasWatchdog, "a power-on reset, not the watchdog's");
            watchdog.Start(600000);
            Expect(watchdog.IsRunning, "running after Start");
            for (int i = 0; i < 5; i++) watchdog.Feed();
            _detail = "started, fed 5 times";
        }

        private static void SerialWrites()
        {
            NanoSerialPort serial = new NanoSerialPort(NanoSerialPort.Serial1);
            byte[] text = new byte[] { (byte)'p', (byte)'r', (byte)'o', (byte)'b', (byte)'e', (byte)' ', (byte)'s', (byte)'e', (byte)'r', (byte)'i', (byte)'a', (byte)'l', 13, 10 };
            serial.Write(text, 0, text.Length);
            _detail = text.Length.ToString() + " bytes";
        }

        private static void LedSetsColor()
        {
            NanoRgbLed led = new NanoRgbLed();
            led.SetColor(0, 40, 200);
            _detail = "0,40,200";
        }

        private static void UnknownChipSelectIsAManagedException()
        {
            SpiConnectionSettings settings = new SpiConnectionSettings(SparkCoreBus.SpiBusId, 99);
            NativeHalException caught = null;
            try
            {
                new NanoSpiDevice(settings);
            }
            catch (NativeHalException e)
            {
                caught = e;
            }
            Expect(caught != null, "NativeHalException for a chip select with no part");
            Expect(caught.ErrorCode == NativeHalError.NoSuchPart, "error code NoSuchPart (-2), got " + caught.ErrorCode.ToString());
            Expect(caught.Message.IndexOf("no pin 99") >= 0, "the board's reason in the message: " + caught.Message);
            _detail = caught.Message;
        }

        private static void ATransferOutsideItsArrayIsRefused()
        {
            NanoSpiDevice flash = new NanoSpiDevice(SparkCoreBus.FlashSettings());
            byte[] small = new byte[4];
            bool refused = false;
            try
            {
                // Select inside the try: nanoCLR hands an exception of a call placed directly before a
                // try to that try's handlers (Tests/Nano/Repros), which MetadataCheck refuses.
                flash.Select();
                flash.Write(small, 2, 4);
            }
            catch (IndexOutOfRangeException)
            {
                refused = true;
            }
            finally
            {
                flash.Deselect();
            }
            Expect(refused, "IndexOutOfRangeException for 4 bytes at offset 2 of a 4-byte array");
            _detail = "refused before any byte was clocked";
        }
    }
}
