#nullable disable
using CoreFirmware.Application.App;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Drivers.Cc3000;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Cloud;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.Ota.Status;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>
    /// The objects the system holds once it has started, built the way the board and
    /// <see cref="SystemRuntime.Boot"/> build them (nf-targets/Virtual's VirtualCore is the model) but
    /// over null hardware (<see cref="BenchSpiDevice"/>, <see cref="BenchPin"/> ...) and fake keys of the
    /// real sizes: what the managed heap must hold before the app does anything. Boot itself cannot run
    /// here (it reads the keys from the SST25 and starts the CC3000), so this is the object graph, not
    /// its side effects: the flash is not initialised, the module not started, the user thread not
    /// started (<see cref="SetUpApp"/> runs the app's Setup directly).
    /// </summary>
    public sealed class StartupObjects
    {
        /// <summary>Bounded wait for each thread to stop.</summary>
        public const int StopTimeoutMilliseconds = 5000;

        // The board.
        public IClock Clock;
        public BenchCrypto Crypto;
        public SpiBusArbiter Arbiter;
        public BenchSpiDevice FlashSpi;
        public BenchSpiDevice Cc3000Spi;
        public BenchPin Cc3000Irq;
        public BenchPin Cc3000Enable;
        public BenchPin D0;
        public BenchPin D7;
        public BenchRgbLed RgbLed;
        public BenchWatchdog HardwareWatchdog;
        public BenchSerialPort Serial1;
        public Sst25Flash Flash;
        public FlashMap Map;
        public Cc3000Driver Cc3000;

        // The system (SystemRuntime.Boot's objects, in its order).
        public SystemParts Parts;
        public SystemRuntime Runtime;
        public SystemWatchdog Watchdog;
        public DeviceKeys Keys;
        public BootStateStore Store;
        public BootStateRecord BootState;
        public DeploymentControl Deployment;
        public SocketBroker Broker;
        public CloudLinkSettings CloudSettings;
        public CloudLink Cloud;
        public OtaImagePolicy Policy;
        public OtaService Ota;
        public StatusLed StatusLed;
        public SystemStatusMonitor Status;

        // The user side (after SetUpApp).
        public BitcoinTickerApp App;
        public UserAppContext AppContext;
        public UserThread UserThread;

        private bool _threads;

        /// <summary>Builds the board's drivers and the system's objects. Starts only what a driver's constructor starts (the CC3000 event thread).</summary>
        public static StartupObjects Construct()
        {
            StartupObjects s = new StartupObjects();
            s.Clock = new SystemClock();
            s.Crypto = new BenchCrypto();
            s.Arbiter = new SpiBusArbiter(s.Clock);
            s.FlashSpi = new BenchSpiDevice(SparkCoreBus.FlashSettings());
            s.Cc3000Spi = new BenchSpiDevice(SparkCoreBus.Cc3000Settings());
            s.Cc3000Irq = new BenchPin(SparkCorePins.Cc3000Irq, PinValue.High);
            s.Cc3000Enable = new BenchPin(SparkCorePins.Cc3000Enable, PinValue.Low);
            s.D0 = new BenchPin(0, PinValue.Low);
            s.D7 = new BenchPin(7, PinValue.Low);
            s.RgbLed = new BenchRgbLed();
            s.HardwareWatchdog = new BenchWatchdog();
            s.Serial1 = new BenchSerialPort();
            s.Flash = new Sst25Flash(s.FlashSpi, s.Arbiter, s.Clock);
            s.Map = SparkCoreFlashLayout.Create();
            s.Cc3000 = new Cc3000Driver(s.Cc3000Spi, s.Cc3000Irq, s.Cc3000Enable, s.Arbiter, s.Clock);

            SystemParts p = new SystemParts();
            p.Flash = s.Flash;
            p.FlashMap = s.Map;
            p.Cc3000 = s.Cc3000;
            p.Crypto = s.Crypto;
            p.Clock = s.Clock;
            p.StatusLed = s.RgbLed;
            p.SafeModePin = s.D0;
            p.Watchdog = s.HardwareWatchdog;
            p.Ssid = "CoreNet";
            p.Key = "correct horse battery";
            p.CloudHost = "device.spark.io";
            p.ImageBoardId = SparkCoreBoard.ImageBoardId;
            s.Parts = p;
            s.Runtime = new SystemRuntime(p);

            s.Watchdog = new SystemWatchdog(p.Watchdog, p.Clock, p.WatchdogCheckinTimeoutMilliseconds,
                p.WatchdogHardwareTimeoutMilliseconds, p.WatchdogFeedPeriodMilliseconds);
            // The record Boot reads from flash: an RSA-1024 device key pair (PKCS#1 private, SPKI public),
            // the cloud's RSA-2048 public key (SPKI) and the image key, at their DER sizes.
            s.Keys = new DeviceKeys(Filled(DeviceKeys.IdLength, 1), Filled(609, 2), Filled(162, 3), Filled(294, 4), BenchImage.TestPublicKey);
            s.Store = new BootStateStore(p.Flash, p.FlashMap.BootStateA, p.FlashMap.BootStateB);
            s.BootState = new BootStateRecord(s.Store);
            s.Deployment = new DeploymentControl(s.Store, s.Runtime, p.Clock, false);
            s.Deployment.AutoConfirmMilliseconds = p.AutoConfirmMilliseconds;

            INetworkSockets userView = p.Cc3000.CreateSocketView(BusPriority.UserNetwork);
            s.Broker = new SocketBroker(userView, (ISocketAborter)userView, p.Clock, SystemRuntime.UserSocketLimit);

            CloudLinkSettings settings = new CloudLinkSettings();
            settings.HostName = p.CloudHost;
            settings.Ipv4Address = p.CloudIpv4;
            settings.Port = p.CloudPort;
            settings.DeviceId = s.Keys.DeviceId;
            settings.DevicePrivateKeyDer = s.Keys.DevicePrivateKeyDer;
            settings.DevicePublicKeyDer = s.Keys.DevicePublicKeyDer;
            settings.ServerPublicKeyDer = s.Keys.ServerPublicKeyDer;
            settings.FirmwareVersion = p.FirmwareVersion;
            s.CloudSettings = settings;
            s.Cloud = new CloudLink(p.Cc3000.CreateSocketView(BusPriority.SystemNetwork), p.Crypto, p.Clock, settings);
            s.Policy = new OtaImagePolicy(new ImageVerifier(p.Crypto, s.Keys.ImagePublicKey, p.ImageBoardId), p.ImageBoardId, 0);
            s.Ota = new OtaService(s.Cloud, s.Broker, new StagingWriter(p.Flash, p.FlashMap.Staging), s.BootState, s.Policy, p.Clock, s.Runtime);
            s.Cloud.UpdateHandler = s.Ota;
            s.Cloud.SafeModeHandler = s.Runtime;
            s.Cloud.Watchdog = s.Watchdog;
            s.StatusLed = new StatusLed(p.StatusLed);
            s.Status = new SystemStatusMonitor(s.StatusLed, p.Cc3000, s.Cloud, s.Ota, false);
            return s;
        }

        /// <summary>
        /// The user side as the board builds it: the app's context, the user thread (not started) and the
        /// Bitcoin ticker app after its Setup (its REST client and token array). The app's sockets are
        /// <paramref name="network"/> (on the board: <see cref="Broker"/>, in front of the CC3000).
        /// </summary>
        public void SetUpApp(INetworkSockets network)
        {
            App = new BitcoinTickerApp();
            AppContext = new UserAppContext(Serial1, D0, D7, network, Clock, Broker, Deployment);
            UserThread = new UserThread(App, AppContext);
            App.Setup(AppContext);
        }

        /// <summary>
        /// Starts the threads Boot starts after building the objects (watchdog supervisor, status LED,
        /// status monitor, cloud link): their stacks are managed heap on nanoCLR. The cloud link finds no
        /// network and backs off.
        /// </summary>
        public void StartThreads()
        {
            _threads = true;
            Watchdog.Start();
            StatusLed.Start();
            Status.Start();
            Cloud.Start();
        }

        /// <summary>Stops every thread started here and by the CC3000 driver (bounded waits). True when all ended in time.</summary>
        public bool Stop()
        {
            bool clean = true;
            if (_threads)
            {
                if (!Status.Stop(StopTimeoutMilliseconds)) clean = false;
                if (!StatusLed.Stop(StopTimeoutMilliseconds)) clean = false;
                if (!Cloud.Stop(StopTimeoutMilliseconds)) clean = false;
            }
            Cc3000.Stop();
            if (_threads && !Watchdog.Stop(StopTimeoutMilliseconds)) clean = false;
            return clean;
        }

        private static byte[] Filled(int length, byte value)
        {
            byte[] b = new byte[length];
            for (int i = 0; i < length; i++) b[i] = (byte)(value + i);
            return b;
        }
    }
}
