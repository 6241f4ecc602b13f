using System;
using System.Threading;
using CoreFirmware.Drivers.Diagnostics;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Cloud;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Protocol;
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
    /// <remarks>
    /// <para>Watchdog (BOOT-DESIGN.md, "Faults and the watchdog"): with <see cref="SystemParts.Watchdog"/>
    /// set, Boot starts a <see cref="SystemWatchdog"/> first thing; Boot checks in between its steps
    /// and the cloud link on every iteration. A user-app fault (<see cref="ReportUserFault(string)"/>)
    /// shows red SOS and stops the feeding, so the hardware watchdog resets the board.</para>
    /// <para>Safe mode: D0 high at boot, or <see cref="BootStateFlags.SafeModeRequested"/> in the boot
    /// state (the cloud asked; the flag is cleared here, one-shot).</para>
    /// </remarks>
    public sealed class SystemRuntime : ISystemControl, ISafeModeRequestHandler, IThreadFaultListener
    {
        /// <summary>SOS code shown for a user-app fault: 1, the Core's "hard fault" (the app crashed).</summary>
        public const int UserFaultSosCode = 1;

        /// <summary>SOS code for a user app that ran out of memory: 8, the Core's "out of heap memory".</summary>
        public const int OutOfMemorySosCode = 8;

        /// <summary>Reboot reason after the cloud's safe-mode request.</summary>
        public const string SafeModeRebootReason = "cloud: safe mode requested";

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
        private ThreadFaultLog _threadFaults;
        private CloudLink _cloud;
        private DeviceCloud _deviceCloud;
        private OtaService _ota;
        private SocketBroker _broker;
        private BootStateRecord _bootState;
        private StatusLed _led;
        private bool _safeMode;
        private bool _safeModeRequested;
        private bool _lastResetWasWatchdog;
        private SystemStatusMonitor _status;
        private DeploymentControl _deployment;
        private string _safeModeReason = "";
        private SystemWatchdog _watchdog;
        private BootStateStore _store;
        private readonly object _faultSync = new object();
        private string _userFault;

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

        /// <summary>The app's cloud API (variables, functions, events, time; null before boot): hand it to the user app.</summary>
        public DeviceCloud DeviceCloud
        {
            get { return _deviceCloud; }
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
            _threadFaults = p.ThreadFaults != null ? p.ThreadFaults : new ThreadFaultLog();
            _threadFaults.Listener = this;
            if (p.Watchdog != null)
            {
                // First thing: a boot that hangs is reset too. Each boot step below is bounded by at
                // most NetworkStartTimeoutMilliseconds and checks in after it.
                _lastResetWasWatchdog = p.Watchdog.LastResetWasWatchdog;
                _watchdog = new SystemWatchdog(p.Watchdog, p.Clock, p.WatchdogCheckinTimeoutMilliseconds,
                    p.WatchdogHardwareTimeoutMilliseconds, p.WatchdogFeedPeriodMilliseconds);
                _watchdog.ThreadFaults = _threadFaults;
                _watchdog.Start();
            }

            // Safe mode replaces the old "if D0 is high, spin forever" hack in user code: the system
            // (cloud, OTA) runs, the board does not start the user app.
            _safeMode = p.SafeModePin != null && p.SafeModePin.Read() == PinValue.High;
            if (_safeMode) _safeModeReason = "safe-mode pin high at boot";
            if (p.BootDecision != null && !p.BootDecision.RunApplication)
            {
                _safeMode = true;
                _safeModeReason = p.BootDecision.Reason;
            }

            p.Flash.Initialize();
            DeviceKeys keys = DeviceKeys.Read(p.Flash, p.FlashMap.Keys);
            if (keys == null) throw new InvalidOperationException("no device keys in the flash's keys region: provision the board first");
            // One store for every writer (OTA service, deployment control): they lock on it.
            _store = new BootStateStore(p.Flash, p.FlashMap.BootStateA, p.FlashMap.BootStateB);
            _bootState = new BootStateRecord(_store);
            _bootState.Read();
            _deployment = new DeploymentControl(_store, this, p.Clock, p.BootDecision != null && p.BootDecision.TestBoot);
            _deployment.AutoConfirmMilliseconds = p.AutoConfirmMilliseconds;
            _deployment.ThreadFaults = _threadFaults;
            TakeSafeModeRequest();
            Checkin();

            if (p.Cc3000.Start(NetworkStartTimeoutMilliseconds) == 0)
            {
                Checkin();
                p.Cc3000.ConnectToAccessPoint(p.Ssid, p.Key, NetworkStartTimeoutMilliseconds);
            }

            Checkin();

            INetworkSockets userView = p.Cc3000.CreateSocketView(BusPriority.UserNetwork);
            _broker = new SocketBroker(userView, (ISocketAborter)userView, p.Clock, UserSocketLimit);

            CloudLinkSettings settings = new CloudLinkSettings();
            settings.HostName = p.CloudHost;
            settings.Ipv4Address = p.CloudIpv4;
            settings.Port = p.CloudPort;
            settings.DeviceId = keys.DeviceId;
            settings.DevicePrivateKeyDer = keys.DevicePrivateKeyDer;
            settings.DevicePublicKeyDer = keys.DevicePublicKeyDer;
            settings.ServerPublicKeyDer = keys.ServerPublicKeyDer;
            settings.FirmwareVersion = p.FirmwareVersion;
            INetworkSockets systemSockets = p.SystemSockets != null ? p.SystemSockets : p.Cc3000.CreateSocketView(BusPriority.SystemNetwork);
            _cloud = new CloudLink(systemSockets, p.Crypto, p.Clock, settings);
            _cloud.ThreadFaults = _threadFaults;
            // Images must be signed with the provisioned image key, for this board, not below the security
            // counter and not older than the running image (BootState as read at boot; BOOT-DESIGN.md).
            BootState current = _bootState.Store.Current;
            OtaImagePolicy policy = new OtaImagePolicy(new ImageVerifier(p.Crypto, keys.ImagePublicKey, p.ImageBoardId),
                p.ImageBoardId, current.ActiveVersion, current.SecurityCounter);
            IUserNetworkPreemption preemption = p.UserPreemptionProvider != null ? p.UserPreemptionProvider.For(_broker) : _broker;
            if (preemption == null) throw new InvalidOperationException("the board's user preemption provider gave none");
            _ota = new OtaService(_cloud, preemption, new StagingWriter(p.Flash, p.FlashMap.Staging), _bootState, policy, p.Clock, this);
            _deployment.Updates = _ota; // a revert request stops a transfer in flight
            _cloud.UpdateHandler = _ota;
            BootDecision decision = p.BootDecision;
            if (decision != null && decision.Installs > 0 && decision.State.PendingImageSize > 0)
            {
                _ota.AnnounceInstalled(decision.State.PendingImageSize, decision.State.PendingImageCrc);
            }

            _cloud.SafeModeHandler = this;
            _cloud.Watchdog = _watchdog;
            _ota.Watchdog = _watchdog;
            _deviceCloud = new DeviceCloud(_cloud, p.Clock, _broker);
            _deviceCloud.ThreadFaults = _threadFaults;
            _deviceCloud.SetBootReport(BootReport(decision), _safeMode ? null : _deployment,
                PackedImageVersion.ToText(decision == null ? 0 : decision.ActiveVersion));
            _cloud.AppHandler = _deviceCloud;
            _deviceCloud.Start();

            if (p.StatusLed != null)
            {
                _led = new StatusLed(p.StatusLed);
                _led.ThreadFaults = _threadFaults;
                _led.Start();
                _status = new SystemStatusMonitor(_led, p.Cc3000, _cloud, _ota, _safeMode);
                _status.ThreadFaults = _threadFaults;
                _status.Start();
            }

            _cloud.Start();
            if (!_safeMode)
            {
                // In safe mode the app does not run, so a test image cannot prove itself healthy.
                _deployment.StartAutoConfirm(_cloud, p.BootDecision != null && (p.BootDecision.ImageFlags & ImageFlags.ManualConfirm) != 0);
            }
        }

        // The "corefw/boot" text (DeviceCloud.SetBootReport): version, test or confirmed, what the bootloader did.
        private string BootReport(BootDecision decision)
        {
            if (_safeMode) return "safe-mode " + _safeModeReason;
            if (decision == null) return "none confirmed ran";
            string how = decision.Rollbacks > 0 ? "rolled-back"
                : decision.Installs > 0 ? "installed"
                : decision.FactoryRestores > 0 ? "factory"
                : "ran";
            return PackedImageVersion.ToText(decision.ActiveVersion) + (decision.TestBoot ? " testing " : " confirmed ") + how;
        }

        // The cloud's safe-mode request (BootStateFlags.SafeModeRequested): safe mode this boot, and
        // the flag is cleared (one-shot). When the clearing write fails the next boot is safe mode again.
        private void TakeSafeModeRequest()
        {
            BootState s = _store.Read();
            if (!s.Has(BootStateFlags.SafeModeRequested)) return;
            _safeModeRequested = true;
            _safeMode = true;
            _safeModeReason = "requested by the cloud";
            s.Flags = s.Flags & ~BootStateFlags.SafeModeRequested;
            _store.Write(s);
        }

        private void Checkin()
        {
            SystemWatchdog w = _watchdog;
            if (w != null) w.Checkin();
        }

        /// <summary>True when this boot is in safe mode because the cloud asked for it (the boot-state flag was set).</summary>
        public bool SafeModeRequestedByCloud
        {
            get { return _safeModeRequested; }
        }

        /// <summary>The board's reset cause as read at boot: true when the hardware watchdog reset it.</summary>
        public bool LastResetWasWatchdog
        {
            get { return _lastResetWasWatchdog; }
        }

        /// <summary>The system watchdog (null when the board gave no hardware watchdog, or before boot).</summary>
        public SystemWatchdog Watchdog
        {
            get { return _watchdog; }
        }

        /// <summary>Why the user app faulted, or null while it has not.</summary>
        public string UserFault
        {
            get { lock (_faultSync) { return _userFault; } }
        }

        /// <summary>
        /// A fault in the user app (an unhandled exception escaped its thread): red SOS
        /// <see cref="UserFaultSosCode"/> on the status LED, and the system watchdog stops feeding,
        /// so the hardware watchdog resets the board. The board calls it from the user thread's
        /// fault callback (Ota does not know the app contract). Any thread; the first fault wins.
        /// </summary>
        /// <param name="reason">What the app threw, for logs.</param>
        public void ReportUserFault(string reason)
        {
            ReportUserFault(reason, UserFaultSosCode);
        }

        /// <summary>As <see cref="ReportUserFault(string)"/> with an SOS code (e.g. <see cref="OutOfMemorySosCode"/>).</summary>
        /// <param name="reason">What the app threw, for logs.</param>
        /// <param name="sosCode">The blink count after the SOS (1..StatusLed.MaxSosCode).</param>
        public void ReportUserFault(string reason, int sosCode)
        {
            lock (_faultSync)
            {
                if (_userFault != null) return;
                _userFault = reason == null || reason.Length == 0 ? "user app fault" : reason;
            }

            DeploymentControl deployment = _deployment;
            if (deployment != null) deployment.NoteFault();
            SystemWatchdog w = _watchdog;
            if (w != null) w.ReportFault();
            SystemStatusMonitor status = _status;
            if (status != null)
            {
                status.ShowFault(sosCode);
            }
            else if (_led != null)
            {
                _led.Sos(sosCode);
            }
        }

        /// <inheritdoc />
        public int OnSafeModeRequest()
        {
            OtaState ota = _ota == null ? OtaState.Idle : _ota.State;
            if (ota != OtaState.Idle) return CoapCode.ServiceUnavailable;
            try
            {
                lock (_store)
                {
                    BootState s = _store.Read();
                    s.Flags = s.Flags | BootStateFlags.SafeModeRequested;
                    return _store.Write(s) ? CoapCode.Changed : CoapCode.InternalServerError;
                }
            }
            catch (Exception)
            {
                // Flash errors (Sst25Exception, SpiBusTimeoutException): nothing recorded, no reboot.
                return CoapCode.InternalServerError;
            }
        }

        /// <inheritdoc />
        public void OnSafeModeAcknowledged(bool answerSent)
        {
            RequestReboot(SafeModeRebootReason);
        }

        /// <summary>
        /// True when the safe-mode pin was high at boot or the cloud asked for safe mode
        /// (<see cref="SafeModeRequestedByCloud"/>): the board must not start the user app;
        /// cloud and OTA run as usual and the LED breathes magenta.
        /// </summary>
        public bool SafeMode
        {
            get { return _safeMode; }
        }

        /// <summary>Why the system is in safe mode ("" when it is not).</summary>
        public string SafeModeReason
        {
            get { return _safeModeReason; }
        }

        /// <summary>Confirm / revert of the running image (null before boot); hand it to the user app.</summary>
        public DeploymentControl Deployment
        {
            get { return _deployment; }
        }

        /// <summary>The status LED driver (null when the board gave no LED or before boot).</summary>
        public StatusLed Led
        {
            get { return _led; }
        }

        /// <summary>
        /// Exceptions that ended one of the system's threads this boot (null before <see cref="Boot"/>).
        /// Each one asks for a reboot: a device whose cloud link, LED or watchdog thread is gone is
        /// restarted, not left half alive.
        /// </summary>
        public ThreadFaultLog ThreadFaults
        {
            get { return _threadFaults; }
        }

        /// <inheritdoc />
        public void OnThreadFault(string thread, Exception exception)
        {
            RequestReboot(ThreadFaultRebootPrefix + thread);
        }

        /// <summary>The start of the reboot reason after a thread fault; the thread's name follows.</summary>
        public const string ThreadFaultRebootPrefix = "system thread failed: ";

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
                // A reset takes user networking away, whatever the OTA service's preemption is wired to.
                _broker.Shutdown();
            }
            if (_deployment != null && !_deployment.Stop(timeoutMilliseconds)) clean = false;
            if (_status != null && !_status.Stop(timeoutMilliseconds)) clean = false;
            if (_led != null && !_led.Stop(timeoutMilliseconds)) clean = false;
            if (_cloud != null && !_cloud.Stop(timeoutMilliseconds)) clean = false;
            // A callback stuck in app code leaves the call thread behind (as the user thread); not a dirty stop.
            if (_deviceCloud != null) _deviceCloud.Stop(timeoutMilliseconds < 1000 ? timeoutMilliseconds : 1000);
            _parts.Cc3000.Stop();

            // Last: the supervisor feeds while the rest stops. The hardware watchdog keeps running;
            // the board's reset (which follows a shutdown) stops it.
            if (_watchdog != null && !_watchdog.Stop(timeoutMilliseconds)) clean = false;
            return clean;
        }
    }
}
