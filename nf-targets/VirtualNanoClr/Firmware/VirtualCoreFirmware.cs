using System;
using System.Threading;
using CoreFirmware.Application.App;
using CoreFirmware.Drivers.Cc3000;
using CoreFirmware.Drivers.Diagnostics;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.SparkCore;

namespace CoreFirmware.VirtualNanoClr.Firmware
{
    /// <summary>
    /// What the virtual Core's MCU runs on nanoCLR, boot after boot: the board's HAL over the native
    /// bridge, the bootloader (install, test boot, rollback, factory image), the system runtime (cloud
    /// link, OTA, watchdog, status LED) and the user app loaded from the application slot, whose
    /// payload is the app's deployment (.pe) (<see cref="UserAppLoader"/>). It waits for the runtime's
    /// reboot request and resets the MCU (NanoMcu.Reset); the host boots it again. The same wiring
    /// as the runner's VirtualCore on CoreCLR, with nothing of the host's inside.
    /// </summary>
    /// <remarks>
    /// It reports to the host in lines the host reads: "@@boot ...", "@@app ...", "@@reboot ...".
    /// A boot that fails (no keys, a flash error) says so and waits for the watchdog, as a device would.
    /// </remarks>
    public static class VirtualCoreFirmware
    {
        private const int RebootPollMilliseconds = 1000;
        private const int StatusPeriodMilliseconds = 250;

        /// <summary>One boot.</summary>
        public static void Main()
        {
            NanoBoardSettings settings = NanoBoardSettings.Read();
            NanoClock clock = new NanoClock();
            NanoWatchdog watchdog = new NanoWatchdog();
            NanoInternalFlash internalFlash = new NanoInternalFlash();
            NanoGpioPin d0 = new NanoGpioPin(SparkCorePins.D0);
            NanoGpioPin d7 = new NanoGpioPin(SparkCorePins.D7);
            d0.SetPinMode(PinMode.InputPullDown);
            d7.SetPinMode(PinMode.Output);
            SpiBusArbiter arbiter = new SpiBusArbiter(clock, SpiBusArbiter.DefaultMaxHoldMilliseconds, SpiBusArbiter.DefaultMaxWaiters);
            Sst25Flash flash = new Sst25Flash(new NanoSpiDevice(SparkCoreBus.FlashSettings()), arbiter, clock);
            Cc3000Driver cc3000 = new Cc3000Driver(new NanoSpiDevice(SparkCoreBus.Cc3000Settings()),
                new NanoGpioPin(SparkCorePins.Cc3000Irq), new NanoGpioPin(SparkCorePins.Cc3000Enable), arbiter, clock);
            NanoCrypto crypto = new NanoCrypto();
            FlashMap map = SparkCoreFlashLayout.Create();

            BootDecision decision = RunBootloader(flash, map, internalFlash, crypto, watchdog, settings);
            if (decision == null)
            {
                Halt();
                return;
            }

            SystemParts parts = new SystemParts();
            parts.ThreadFaults = new ThreadFaultLog();
            cc3000.ThreadFaults = parts.ThreadFaults;
            parts.BootDecision = decision;
            parts.AutoConfirmMilliseconds = settings.AutoConfirm;
            parts.Flash = flash;
            parts.FlashMap = map;
            parts.Cc3000 = cc3000;
            parts.Crypto = crypto;
            parts.Clock = clock;
            parts.StatusLed = new NanoRgbLed();
            parts.SafeModePin = d0;
            parts.Ssid = settings.Ssid;
            parts.Key = settings.Key;
            parts.CloudIpv4 = settings.CloudAddress;
            parts.CloudPort = settings.Port;
            parts.FirmwareVersion = settings.Version;
            parts.ImageBoardId = SparkCoreBoard.ImageBoardId;
            if (!settings.Preemption) parts.UserPreemptionProvider = new NoUserPreemption();
            parts.Watchdog = settings.Watchdog ? watchdog : null;
            parts.WatchdogCheckinTimeoutMilliseconds = settings.CheckinTimeout;
            parts.WatchdogHardwareTimeoutMilliseconds = settings.HardwareTimeout;
            parts.WatchdogFeedPeriodMilliseconds = settings.FeedPeriod;
            SystemRuntime runtime = new SystemRuntime(parts);
            if (!Boot(runtime))
            {
                Halt();
                return;
            }

            NanoCoreStatus status = new NanoCoreStatus(runtime, cc3000, arbiter);
            UserThread user = null;
            if (!runtime.SafeMode)
            {
                user = StartApp(runtime, internalFlash, decision, new NanoSerialPort(NanoSerialPort.Serial1), d0, d7, clock, status);
            }
            else
            {
                Console.WriteLine("@@app none (safe mode: " + runtime.SafeModeReason + ")");
            }

            status.Report();
            while (!runtime.RebootRequested.WaitOne(StatusPeriodMilliseconds, false))
            {
                status.Report();
            }
            status.Report();
            string reason = runtime.RebootReason;
            Console.WriteLine("@@reboot " + reason);
            if (user != null) user.Stop(0);
            // As the CoreCLR virtual Core resets: user networking taken away, the cloud link closes its
            // socket (what was sent, the 2.04 to UpdateDone above all, goes out before the module stops),
            // bounded. Without it the reset cut the module's power with the answer still queued, and the
            // cloud reported an update the device installed as 'device disconnected'.
            runtime.Shutdown(ShutdownTimeoutMilliseconds);
            NanoMcu.Reset(reason);
            Halt();
        }

        private static BootDecision RunBootloader(Sst25Flash flash, FlashMap map, NanoInternalFlash internalFlash,
            NanoCrypto crypto, NanoWatchdog watchdog, NanoBoardSettings settings)
        {
            BootDecision decision = null;
            string failure = null;
            try
            {
                flash.Initialize();
                DeviceKeys keys = DeviceKeys.Read(flash, map.Keys);
                if (keys == null) throw new InvalidOperationException("no device keys in the flash's keys region");
                ImageVerifier verifier = new ImageVerifier(crypto, keys.ImagePublicKey, SparkCoreBoard.ImageBoardId);
                Bootloader bootloader = settings.TestBoot
                    ? new Bootloader(flash, map, internalFlash, verifier, watchdog)
                    : new BootloaderWithoutTestBoot(flash, map, internalFlash, verifier, watchdog);
                decision = bootloader.Run();
            }
            catch (Exception e)
            {
                failure = e.GetType().Name + ": " + e.Message;
            }
            if (failure != null)
            {
                Console.WriteLine("@@boot failed " + failure);
                return null;
            }
            Console.WriteLine("@@boot run=" + (decision.RunApplication ? "1" : "0")
                + " version=" + decision.ActiveVersion.ToString()
                + " installs=" + decision.Installs.ToString()
                + " rollbacks=" + decision.Rollbacks.ToString()
                + " factory=" + decision.FactoryRestores.ToString()
                + " testboot=" + (decision.TestBoot ? "1" : "0"));
            return decision;
        }

        private static bool Boot(SystemRuntime runtime)
        {
            string failure = null;
            try
            {
                runtime.Boot();
            }
            catch (Exception e)
            {
                failure = e.GetType().Name + ": " + e.Message;
            }
            if (failure == null) return true;
            Console.WriteLine("@@boot failed runtime: " + failure);
            return false;
        }

        private static UserThread StartApp(SystemRuntime runtime, NanoInternalFlash internalFlash, BootDecision decision,
            NanoSerialPort serial1, NanoGpioPin d0, NanoGpioPin d7, NanoClock clock, NanoCoreStatus status)
        {
            IUserApp app = null;
            string failure = null;
            try
            {
                byte[] deployment = new byte[decision.PayloadSize];
                internalFlash.Read(decision.PayloadOffset, deployment, 0, deployment.Length);
                app = UserAppLoader.Load(deployment);
            }
            catch (Exception e)
            {
                failure = e.Message;
            }
            if (app == null)
            {
                // The device's crash at start: SOS, then the watchdog.
                Console.WriteLine("@@app failed " + failure);
                runtime.ReportUserFault("app load: " + failure, SystemRuntime.UserFaultSosCode);
                return null;
            }
            Console.WriteLine("@@app " + app.GetType().FullName);
            NanoAppGate gate = new NanoAppGate(app);
            UserThread user = new UserThread(gate, new UserAppContext(serial1, d0, d7, runtime.UserSockets, clock, runtime.Updates, runtime.Deployment));
            user.FaultHandler = delegate (UserThread thread, Exception fault)
            {
                int code = fault is OutOfMemoryException ? SystemRuntime.OutOfMemorySosCode : SystemRuntime.UserFaultSosCode;
                Console.WriteLine("@@app fault " + fault.GetType().Name + ": " + fault.Message);
                runtime.ReportUserFault("user app: " + fault.GetType().Name + ": " + fault.Message, code);
            };
            status.SetApp(user, app, gate);
            user.Start();
            return user;
        }

        // What a device does after a fatal start-up error or its reset request: nothing, until the reset.
        // Bound on the orderly stop before a reset (each system thread's Stop waits at most this long).
        private const int ShutdownTimeoutMilliseconds = 3000;

        private static void Halt()
        {
            while (true) Thread.Sleep(RebootPollMilliseconds);
        }
    }
}
