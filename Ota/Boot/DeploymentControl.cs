using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Update;
using CoreFirmware.Ota.Cloud;
using CoreFirmware.Ota.Update;
using CoreFirmware.Drivers.Diagnostics;

namespace CoreFirmware.Ota.Boot
{
    /// <summary>
    /// The running image's side of a test boot (Ota/Boot/BOOT-DESIGN.md): the confirm and revert
    /// calls user code gets as <see cref="IDeploymentControl"/>, and the automatic confirm after the
    /// image has run healthy with the cloud connected for <see cref="AutoConfirmMilliseconds"/>.
    /// </summary>
    /// <remarks>
    /// A confirm raises the boot state's security counter to the confirmed image's version (never
    /// lowers it). A revert writes RollbackPending and stops the OTA service's transfer in flight
    /// (<see cref="Updates"/>): the revert goes first (BOOT-DESIGN.md, state table).
    /// Every read-modify-write of the boot state takes the store's lock (the OTA service writes the
    /// same store from the cloud thread). The auto-confirm watcher is one short-lived thread that
    /// exists only during a test boot: it ends when the image is confirmed, reverted or faulted.
    /// </remarks>
    public sealed class DeploymentControl : IDeploymentControl
    {
        /// <summary>Default healthy, cloud-connected time before a test image is confirmed: 30 s.</summary>
        public const int DefaultAutoConfirmMilliseconds = 30000;

        /// <summary>How often the watcher looks at the cloud link.</summary>
        public const int PollMilliseconds = 100;

        private readonly BootStateStore _store;
        private readonly ISystemControl _system;
        private readonly IClock _clock;
        private readonly AutoResetEvent _stop = new AutoResetEvent(false);
        private int _status;
        private int _faulted;
        private int _autoConfirms;
        private Thread _watcher;
        private CloudLink _cloud;
        private OtaService _updates;
        private int _autoConfirmMs = DefaultAutoConfirmMilliseconds;

        /// <summary>Creates the control for this boot.</summary>
        /// <param name="store">The boot-state store (shared with the OTA service; locked on).</param>
        /// <param name="system">Reboots the board after a revert request.</param>
        /// <param name="clock">The board clock.</param>
        /// <param name="testBoot">True when the bootloader started the image in test mode.</param>
        public DeploymentControl(BootStateStore store, ISystemControl system, IClock clock, bool testBoot)
        {
            if (store == null) throw new ArgumentNullException("store");
            if (system == null) throw new ArgumentNullException("system");
            if (clock == null) throw new ArgumentNullException("clock");
            _store = store;
            _system = system;
            _clock = clock;
            _status = testBoot ? (int)DeploymentStatus.Testing : (int)DeploymentStatus.Confirmed;
        }

        /// <summary>Healthy, cloud-connected time after which a test image is confirmed automatically (default 30 s).</summary>
        public int AutoConfirmMilliseconds
        {
            get { return _autoConfirmMs; }
            set
            {
                if (value < 1) throw new ArgumentOutOfRangeException("value");
                _autoConfirmMs = value;
            }
        }

        /// <summary>The OTA service of this boot (null: none): a revert request stops its transfer in
        /// flight and refuses updates until the reboot. Set once at boot, before the app runs.</summary>
        public OtaService Updates
        {
            get { return _updates; }
            set { _updates = value; }
        }

        /// <summary>Test images confirmed by the watcher (0 or 1 per boot).</summary>
        public int AutoConfirms
        {
            get { return Interlocked.CompareExchange(ref _autoConfirms, 0, 0); }
        }

        /// <inheritdoc />
        public DeploymentStatus Status
        {
            get { return (DeploymentStatus)Interlocked.CompareExchange(ref _status, 0, 0); }
        }

        /// <inheritdoc />
        public bool ConfirmDeploymentImage()
        {
            lock (_store)
            {
                if (Status != DeploymentStatus.Testing) return false;
                BootState s = _store.Read();
                if (s.State != BootImageState.Testing)
                {
                    // An OTA made another image pending meanwhile: this one is no longer the one to keep.
                    return false;
                }

                s.State = BootImageState.Confirmed;
                s.BootAttempts = 0;
                s.WatchdogResets = 0;
                s.RaiseSecurityCounter(s.ActiveVersion);
                if (!_store.Write(s)) return false;
                Interlocked.Exchange(ref _status, (int)DeploymentStatus.Confirmed);
            }

            _stop.Set();
            return true;
        }

        /// <inheritdoc />
        public bool RequestDeploymentRevert()
        {
            lock (_store)
            {
                if (Status != DeploymentStatus.Testing) return false;
                BootState s = _store.Read();
                // Pending (an OTA landed first): the pending image replaces this one at the reboot and the
                // backup stays; there is nothing left to revert.
                if (s.State != BootImageState.Testing) return false;
                s.State = BootImageState.RollbackPending;
                if (!_store.Write(s)) return false;
                Interlocked.Exchange(ref _status, (int)DeploymentStatus.RevertPending);
            }

            OtaService updates = _updates;
            if (updates != null) updates.CancelForRevert();
            _stop.Set();
            _system.RequestReboot("deployment revert requested");
            return true;
        }

        /// <summary>
        /// A fault in this boot (a user-app crash): the image is not healthy, so it is not confirmed
        /// automatically any more this boot.
        /// </summary>
        public void NoteFault()
        {
            Interlocked.Exchange(ref _faulted, 1);
            _stop.Set();
        }

        /// <summary>
        /// During a test boot of an image without <c>ImageFlags.ManualConfirm</c>, starts the watcher
        /// that confirms the image once <paramref name="cloud"/> has stayed connected for
        /// <see cref="AutoConfirmMilliseconds"/> with no fault noted. Does nothing otherwise.
        /// </summary>
        public void StartAutoConfirm(CloudLink cloud, bool manualConfirm)
        {
            if (cloud == null) throw new ArgumentNullException("cloud");
            if (Status != DeploymentStatus.Testing || manualConfirm || _watcher != null) return;
            _cloud = cloud;
            _watcher = _guard.NewThread(Watch);
            _watcher.Start();
        }

        /// <summary>Stops the watcher (bounded wait). True when it ended in time or never ran.</summary>
        public bool Stop(int timeoutMilliseconds)
        {
            _stop.Set();
            Thread t = _watcher;
            return t == null || t.Join(timeoutMilliseconds);
        }

        private readonly ThreadGuard _guard = new ThreadGuard("deployment watcher");

        /// <summary>Where an exception that ends this thread is reported (see <see cref="ThreadGuard"/>); set before it starts.</summary>
        public ThreadFaultLog ThreadFaults { get { return _guard.Faults; } set { _guard.Faults = value; } }

        private void Watch()
        {
            long connectedSince = -1;
            while (!_stop.WaitOne(PollMilliseconds, false))
            {
                if (Interlocked.CompareExchange(ref _faulted, 0, 0) != 0 || Status != DeploymentStatus.Testing) return;
                long now = _clock.UptimeMilliseconds;
                if (_cloud.State != CloudLinkState.Connected)
                {
                    connectedSince = -1;
                    continue;
                }

                if (connectedSince < 0) connectedSince = now;
                if (now - connectedSince >= _autoConfirmMs)
                {
                    if (ConfirmDeploymentImage()) Interlocked.Increment(ref _autoConfirms);
                    return;
                }
            }
        }
    }
}
