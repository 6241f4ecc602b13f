using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Cloud;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Status;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Ota.Runtime
{
    /// <summary>
    /// Boots the system side in the order ARCHITECTURE.md gives: flash, device keys, WiFi module
    /// and access point, then the socket broker, the OTA service and the cloud link on its own
    /// (system) thread. The board then starts the user thread with <see cref="UserSockets"/> and
    /// <see cref="Updates"/> (Ota does not depend on Application, so the app contract stays there).
    /// It is the <see cref="ISystemControl"/> the OTA service asks for a reboot; the board (or the
    /// virtual board's runner) watches <see cref="RebootRequested"/>.
    /// </summary>
    public sealed class SystemRuntime : ISystemControl
    {
        /// <summary>Time the module gets to start and join the access point at boot.</summary>
        public const int NetworkStartTimeoutMilliseconds = 10000;

        /// <summary>
        /// User sockets the broker allows at once: 3. The CC3000 keeps 4 sockets open at most (TI's
        /// figure; the virtual module enforces it), and the cloud link needs one of them whenever it
        /// reconnects. With the broker's default (8 descriptors less one = 7) a network-hungry app
        /// takes the 4th socket while the link is down and the device never gets back to the cloud
        /// (found by the end-to-end negative run: "open: NoFreeSocket" for ever).
        /// </summary>
        public const int UserSocketLimit = 3;

        private readonly SystemParts _parts;
        private readonly ManualResetEvent _rebootRequested = new ManualResetEvent(false);
        private string _rebootReason;
        private CloudLink _cloud;
        private OtaService _ota;
        private SocketBroker _broker;
        private BootStateRecord _bootState;
        private StatusLed _led;
        private bool _safeMode;
        private SystemStatusMonitor _status;

        /// <summary>Creates the runtime over the board's parts; nothing runs until <see cref="Boot"/>.</summary>
        public SystemRuntime(SystemParts parts)
        {
            if (parts == null) throw new ArgumentNullException("parts");
            _parts = parts;
        }

        /// <summary>The cloud connection (null before boot).</summary>
        public CloudLink Cloud
        {
            get { return _cloud; }
        }

        /// <summary>The OTA service (null before boot).</summary>
        public OtaService Ota
        {
            get { return _ota; }
        }

        /// <summary>The broker in front of user sockets (null before boot).</summary>
        public SocketBroker Broker
        {
            get { return _broker; }
        }

        /// <summary>The boot-state record as read at boot.</summary>
        public BootStateRecord BootState
        {
            get { return _bootState; }
        }

        /// <summary>The sockets user code gets: the broker, which an OTA update preempts.</summary>
        public INetworkSockets UserSockets
        {
            get { return _broker; }
        }

        /// <summary>What user code sees of updates (the pending flag).</summary>
        public IUpdateNotice Updates
        {
            get { return _broker; }
        }

        /// <summary>Signalled when something asked for a reboot.</summary>
        public WaitHandle RebootRequested
        {
            get { return _rebootRequested; }
        }

        /// <summary>Why the reboot was asked for, or null.</summary>
        public string RebootReason
        {
            get { return _rebootReason; }
        }

        /// <summary>
        /// Boots the system side. Throws when the flash or the device keys are unusable; a network
        /// that does not come up is not fatal (the driver and the cloud link keep retrying).
        /// </summary>
        public void Boot()
        {
            SystemParts p = _parts;
            // Safe mode replaces the old "if D0 is high, spin forever" hack in user code: the system
            // (cloud, OTA) runs, the board does not start the user app.
            _safeMode = p.SafeModePin != null && p.SafeModePin.Read() == PinValue.High;
            p.Flash.Initialize();
            DeviceKeys keys = DeviceKeys.Read(p.Flash, p.FlashMap.Keys);
            if (keys == null) throw new InvalidOperationException("no device keys in the flash's keys region: provision the board first");
            _bootState = new BootStateRecord(new BootStateStore(p.Flash, p.FlashMap.BootStateA, p.FlashMap.BootStateB));
            _bootState.Read();

            if (p.Cc3000.Start(NetworkStartTimeoutMilliseconds) == 0)
            {
                p.Cc3000.ConnectToAccessPoint(p.Ssid, p.Key, NetworkStartTimeoutMilliseconds);
            }

            INetworkSockets userView = p.Cc3000.CreateSocketView(BusPriority.UserNetwork);
            _broker = new SocketBroker(userView, (ISocketAborter)userView, p.Clock, UserSocketLimit);
            _broker.PreemptionEnabled = p.UserPreemption;

            CloudLinkSettings settings = new CloudLinkSettings();
            settings.HostName = p.CloudHost;
            settings.Ipv4Address = p.CloudIpv4;
            settings.Port = p.CloudPort;
            settings.DeviceId = keys.DeviceId;
            settings.DevicePrivateKeyDer = keys.DevicePrivateKeyDer;
            settings.DevicePublicKeyDer = keys.DevicePublicKeyDer;
            settings.ServerPublicKeyDer = keys.ServerPublicKeyDer;
            settings.FirmwareVersion = p.FirmwareVersion;
            _cloud = new CloudLink(p.Cc3000.CreateSocketView(BusPriority.SystemNetwork), p.Crypto, p.Clock, settings);
            // Images must be signed with the provisioned image key, for this board, and not older than
            // the running image (BootState.ActiveVersion as read at boot; BOOT-DESIGN.md).
            OtaImagePolicy policy = new OtaImagePolicy(new ImageVerifier(p.Crypto, keys.ImagePublicKey, p.ImageBoardId),
                p.ImageBoardId, _bootState.Store.Current.ActiveVersion);
            _ota = new OtaService(_cloud, _broker, new StagingWriter(p.Flash, p.FlashMap.Staging), _bootState, policy, p.Clock, this);
            _cloud.UpdateHandler = _ota;
            _cloud.Start();

            if (p.StatusLed != null)
            {
                _led = new StatusLed(p.StatusLed);
                _led.Start();
                _status = new SystemStatusMonitor(_led, p.Cc3000, _cloud, _ota, _safeMode);
                _status.Start();
            }
        }

        /// <summary>
        /// True when the safe-mode pin was high at boot: the board must not start the user app;
        /// cloud and OTA run as usual and the LED breathes magenta.
        /// </summary>
        public bool SafeMode
        {
            get { return _safeMode; }
        }

        /// <summary>The status LED driver (null when the board gave no LED or before boot).</summary>
        public StatusLed Led
        {
            get { return _led; }
        }

        /// <inheritdoc />
        public void RequestReboot(string reason)
        {
            _rebootReason = reason;
            _rebootRequested.Set();
        }

        /// <summary>
        /// Takes user networking away (a user call blocked in the stack returns at once), then
        /// stops the cloud link and the WiFi module. Stop the user thread after calling this.
        /// Returns false when the cloud link did not stop within <paramref name="timeoutMilliseconds"/>.
        /// </summary>
        public bool Shutdown(int timeoutMilliseconds)
        {
            bool clean = true;
            if (_broker != null)
            {
                // A reset takes user networking away whatever the preemption switch says.
                _broker.PreemptionEnabled = true;
                _broker.Shutdown();
            }
            if (_status != null && !_status.Stop(timeoutMilliseconds)) clean = false;
            if (_led != null && !_led.Stop(timeoutMilliseconds)) clean = false;
            if (_cloud != null && !_cloud.Stop(timeoutMilliseconds)) clean = false;
            _parts.Cc3000.Stop();
            return clean;
        }
    }
}
