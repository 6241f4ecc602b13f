using System;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Sst25;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Ota.Boot
{
    /// <summary>
    /// The boot path that runs before the system on every boot: reads the boot state, installs a
    /// pending image (backing the running one up first), resumes an install or a rollback a power
    /// cut interrupted, ends a failed test boot by restoring the backup, and falls back to the
    /// factory image, then to safe mode, when nothing better verifies. The decisions and the order
    /// of writes are in Ota/Boot/BOOT-DESIGN.md; the invariant that makes every power cut decidable
    /// is that a copy's source is verified before the copy starts and never written during it.
    /// </summary>
    /// <remarks>
    /// <para>Copies go through one <see cref="CopyChunkSize"/> buffer (one SST25 page); the
    /// application slot is written page by page (erase, program, read back and compare) and the
    /// progress is recorded in the boot state every <see cref="ProgressStepBytes"/>, so a cut
    /// resumes at the last recorded step and redoes at most that much.</para>
    /// <para>Allocation: the buffers and the store are allocated in the constructor; a run allocates
    /// its <see cref="BootDecision"/> and reason text (once per boot).</para>
    /// </remarks>
    public class Bootloader
    {
        /// <summary>Watchdog resets a test image may cause before the backup returns.</summary>
        public const int DefaultMaxTestWatchdogResets = 3;

        /// <summary>Install progress is recorded every 16 KB: 40 boot-state writes for a full
        /// 640 KB slot, and a cut redoes at most 16 pages.</summary>
        public const int ProgressStepBytes = 16 * 1024;

        /// <summary>Bytes per read/program step of a copy: one SST25 page.</summary>
        public const int CopyChunkSize = 256;

        // Transitions one run may take before it gives up (the longest real path is
        // Testing -> RollbackPending -> RollingBack(backup) -> RollingBack(factory) -> done).
        private const int MaxSteps = 12;

        private readonly Sst25Flash _flash;
        private readonly FlashRegion _staging;
        private readonly FlashRegion _backup;
        private readonly FlashRegion _factory;
        private readonly IInternalFlash _app;
        private readonly ImageVerifier _verifier;
        private readonly IWatchdog _watchdog;
        private readonly BootStateStore _store;
        private readonly BootWatchdogFeed _feed;
        private readonly byte[] _buffer = new byte[CopyChunkSize];
        private readonly byte[] _readBack = new byte[CopyChunkSize];
        private int _maxTestWatchdogResets = DefaultMaxTestWatchdogResets;
        private bool _testBoot = true;

        /// <summary>Creates the bootloader over the board's flash parts.</summary>
        /// <param name="flash">The external SST25 (initialised).</param>
        /// <param name="map">Its map: boot-state sectors, staging, backup and factory slots.</param>
        /// <param name="application">The MCU's internal flash application slot.</param>
        /// <param name="verifier">Verifies images with the device's image key and board id.</param>
        /// <param name="watchdog">Tells whether the watchdog caused the last reset (null: never).</param>
        public Bootloader(Sst25Flash flash, FlashMap map, IInternalFlash application, ImageVerifier verifier, IWatchdog watchdog)
        {
            if (flash == null) throw new ArgumentNullException("flash");
            if (map == null) throw new ArgumentNullException("map");
            if (application == null) throw new ArgumentNullException("application");
            if (verifier == null) throw new ArgumentNullException("verifier");
            if (application.PageSize % CopyChunkSize != 0 && CopyChunkSize % application.PageSize != 0)
                throw new ArgumentException("page size and copy chunk must divide one another", "application");
            _flash = flash;
            _staging = map.Staging;
            _backup = map.Backup;
            _factory = map.Factory;
            _app = application;
            _verifier = verifier;
            _watchdog = watchdog;
            _store = new BootStateStore(flash, map.BootStateA, map.BootStateB);
            // Long verifications and copies feed a running hardware watchdog as they go.
            _feed = new BootWatchdogFeed(watchdog);
            verifier.Progress = _feed;
        }

        /// <summary>The hook that feeds a running hardware watchdog during verifications and copies.</summary>
        public BootWatchdogFeed WatchdogFeed
        {
            get { return _feed; }
        }

        /// <summary>The boot-state store the bootloader reads and writes.</summary>
        public BootStateStore Store
        {
            get { return _store; }
        }

        /// <summary>Watchdog resets a test image may cause before it is rolled back (default 3).</summary>
        public int MaxTestWatchdogResets
        {
            get { return _maxTestWatchdogResets; }
            set
            {
                if (value < 1 || value > BootState.MaxWatchdogResets) throw new ArgumentOutOfRangeException("value");
                _maxTestWatchdogResets = value;
            }
        }

        /// <summary>
        /// True: an installed image boots in test mode and must confirm itself (BOOT-DESIGN.md); the
        /// firmware's bootloader always answers true. Read once per <see cref="Run"/>.
        /// </summary>
        protected virtual bool InstalledImageBootsInTestMode()
        {
            return true;
        }

        /// <summary>
        /// Decides this boot, following the state table of Ota/Boot/BOOT-DESIGN.md. Flash errors
        /// (Sst25Exception, SpiBusTimeoutException, an internal flash exception) propagate: the board
        /// boots again and the run resumes from the state last written.
        /// </summary>
        public BootDecision Run()
        {
            BootDecision d = new BootDecision();
            _testBoot = InstalledImageBootsInTestMode();
            d.WatchdogReset = _watchdog != null && _watchdog.LastResetWasWatchdog;
            BootState s = _store.Read();
            string why = "";
            for (int step = 0; step < MaxSteps; step++)
            {
                switch (s.State)
                {
                    case BootImageState.Pending:
                        {
                            string refusal = CheckStaged(s);
                            if (refusal != null)
                            {
                                // Back to the state before Pending (BootStateRecord.Erase does the same):
                                // Testing when the running image was under test, else None.
                                why = "staged image refused: " + refusal;
                                s.ClearPending();
                                Save(s);
                                break;
                            }

                            int length = _verifier.ImageLength;
                            // The backup only ever receives a confirmed image: the running one, when it was
                            // not under test (KeepBackup) and is not one that failed its test with nothing to
                            // go back to (NoValidImage: it may still verify, but it is no rollback target).
                            if (!s.Has(BootStateFlags.KeepBackup) && !s.Has(BootStateFlags.NoValidImage) && VerifyApplication() == ImageVerifyResult.Ok)
                            {
                                // A cut in here repeats the backup next boot: the application slot is untouched.
                                BackUpApplication(_verifier.ImageLength);
                            }

                            s.State = BootImageState.Installing;
                            s.PendingImageSize = length;
                            s.InstallProgress = 0;
                            s.Flags &= ~(BootStateFlags.KeepBackup | BootStateFlags.FromFactory | BootStateFlags.Reinstall);
                            Save(s);
                            break;
                        }

                    case BootImageState.Installing:
                        {
                            if (VerifyStaging(s) != ImageVerifyResult.Ok)
                            {
                                why = Join(why, "staged image lost during install");
                                if (StartRollback(ref s)) break;
                                return NoValidImage(d, ref s, why);
                            }

                            CopyIntoApplication(_staging, _verifier.ImageLength, ref s);
                            if (VerifyApplication() != ImageVerifyResult.Ok)
                            {
                                why = Join(why, "installed image does not verify");
                                if (StartRollback(ref s)) break;
                                return NoValidImage(d, ref s, why);
                            }

                            uint version = PackedImageVersion.Of(_verifier.Header);
                            s.State = _testBoot ? BootImageState.Testing : BootImageState.Confirmed;
                            s.BootAttempts = _testBoot ? 1 : 0;
                            s.WatchdogResets = 0;
                            s.ActiveVersion = version;
                            if (!_testBoot) s.RaiseSecurityCounter(version);
                            // Size and CRC stay while Testing: the runtime announces the installed image with them.
                            int installedSize = s.PendingImageSize;
                            uint installedCrc = s.PendingImageCrc;
                            ClearCopy(ref s);
                            s.Flags &= ~BootStateFlags.NoValidImage;
                            s.PendingImageSize = installedSize;
                            s.PendingImageCrc = installedCrc;
                            Save(s);
                            d.Installs++;
                            d.Reason = "installed " + PackedImageVersion.ToText(version) + (_testBoot ? " (test boot)" : " (confirmed at install)");
                            return RunImage(d, s, _testBoot);
                        }

                    case BootImageState.RollingBack:
                        {
                            bool fromFactory = s.Has(BootStateFlags.FromFactory);
                            FlashRegion source = fromFactory ? _factory : _backup;
                            if (!IsRollbackSource(source, s.SecurityCounter))
                            {
                                if (ToFactory(ref s)) break;
                                return NoValidImage(d, ref s, why);
                            }

                            CopyIntoApplication(source, _verifier.ImageLength, ref s);
                            if (VerifyApplication() != ImageVerifyResult.Ok)
                            {
                                why = Join(why, "restored image does not verify");
                                if (ToFactory(ref s)) break;
                                return NoValidImage(d, ref s, why);
                            }

                            uint version = PackedImageVersion.Of(_verifier.Header);
                            s.State = BootImageState.Confirmed;
                            s.BootAttempts = 0;
                            s.WatchdogResets = 0;
                            s.ActiveVersion = version;
                            s.RaiseSecurityCounter(version); // never lowered: a factory image below it runs, the counter stays
                            ClearCopy(ref s);
                            s.Flags &= ~BootStateFlags.NoValidImage;
                            Save(s);
                            if (fromFactory) d.FactoryRestores++;
                            else d.Rollbacks++;
                            d.Reason = (fromFactory ? "factory image " : "rolled back to ") + PackedImageVersion.ToText(version)
                                + (why.Length > 0 ? ": " + why : "");
                            return RunImage(d, s, false);
                        }

                    case BootImageState.Testing:
                        if (d.WatchdogReset)
                        {
                            s.WatchdogResets++;
                            if (s.WatchdogResets >= _maxTestWatchdogResets)
                            {
                                why = Join(why, "test image reset by the watchdog " + s.WatchdogResets.ToString() + " times");
                                s.State = BootImageState.RollbackPending;
                                Save(s);
                                break;
                            }
                        }
                        else if (s.BootAttempts >= 1)
                        {
                            why = Join(why, "test image not confirmed");
                            s.State = BootImageState.RollbackPending;
                            Save(s);
                            break;
                        }

                        if (VerifyApplication() != ImageVerifyResult.Ok)
                        {
                            why = Join(why, "test image does not verify");
                            s.State = BootImageState.RollbackPending;
                            Save(s);
                            break;
                        }

                        s.BootAttempts = 1;
                        Save(s);
                        d.Reason = "test boot of " + PackedImageVersion.ToText(PackedImageVersion.Of(_verifier.Header))
                            + (d.WatchdogReset ? " after watchdog reset " + s.WatchdogResets.ToString() : "");
                        return RunImage(d, s, true);

                    case BootImageState.RollbackPending:
                        if (StartRollback(ref s)) break;
                        return NoValidImage(d, ref s, why);

                    default: // None, Confirmed
                        if (s.Has(BootStateFlags.NoValidImage))
                        {
                            // Decided once already: nothing to run until an install.
                            return SafeMode(d, s, "no valid image" + (why.Length > 0 ? ": " + why : ""));
                        }

                        if (VerifyApplication() == ImageVerifyResult.Ok)
                        {
                            // The running image is confirmed (or the factory's): it raises the counter if
                            // it is the highest yet (a board whose state came from a format-1 entry).
                            uint version = PackedImageVersion.Of(_verifier.Header);
                            if (s.ActiveVersion != version || s.SecurityCounter < version)
                            {
                                s.ActiveVersion = version;
                                s.RaiseSecurityCounter(version);
                                Save(s);
                            }

                            d.Reason = (why.Length > 0 ? why + "; " : "") + "running " + PackedImageVersion.ToText(version);
                            return RunImage(d, s, false);
                        }

                        why = Join(why, "application slot does not verify");
                        if (StartRollback(ref s)) break;
                        return NoValidImage(d, ref s, why);
                }
            }

            return SafeMode(d, s, "boot state did not settle: " + s.ToString());
        }

        /// <summary>The staged image's verdict (the image and the bootloader's own version gate): null
        /// when it may be installed, else the reason.</summary>
        private string CheckStaged(BootState s)
        {
            ImageVerifyResult r = VerifyStaging(s);
            if (r != ImageVerifyResult.Ok) return OtaImagePolicy.ReasonOf(r); // the same words the OTA service sends the cloud
            uint version = PackedImageVersion.Of(_verifier.Header);
            if (version < s.SecurityCounter)
                return OtaImagePolicy.ReasonDowngrade + " (" + PackedImageVersion.ToText(version) + " is below the security counter " + PackedImageVersion.ToText(s.SecurityCounter) + ")";
            if (s.ActiveVersion != 0 && version == s.ActiveVersion && !s.Has(BootStateFlags.Reinstall))
                return OtaImagePolicy.ReasonSameVersion + " (" + PackedImageVersion.ToText(version) + " runs already; no re-install was asked for)";
            return null;
        }

        /// <summary>
        /// Starts the rollback a failed install, a failed test image or a rotten application slot
        /// needs: from the backup when it verifies and is not below the security counter (it holds the
        /// last confirmed image), else from the factory image; records RollingBack (written once) and
        /// returns true. False when neither verifies: nothing was written, the caller settles in
        /// <see cref="NoValidImage"/>.
        /// </summary>
        private bool StartRollback(ref BootState s)
        {
            int flags = s.Flags & ~(BootStateFlags.KeepBackup | BootStateFlags.FromFactory | BootStateFlags.Reinstall);
            if (!IsRollbackSource(_backup, s.SecurityCounter))
            {
                if (!IsRollbackSource(_factory, s.SecurityCounter)) return false;
                flags |= BootStateFlags.FromFactory;
            }

            s.State = BootImageState.RollingBack;
            s.Flags = flags;
            s.InstallProgress = 0;
            Save(s);
            return true;
        }

        /// <summary>A rollback from the backup that cannot go on turns to the factory image when it
        /// verifies (RollingBack from the factory, progress 0, written once): true. False when the
        /// rollback was already from the factory, or the factory image does not verify.</summary>
        private bool ToFactory(ref BootState s)
        {
            if (s.Has(BootStateFlags.FromFactory) || !IsRollbackSource(_factory, s.SecurityCounter)) return false;
            s.Flags |= BootStateFlags.FromFactory;
            s.InstallProgress = 0;
            Save(s);
            return true;
        }

        /// <summary>Nothing valid is left: write the settled "no valid image" state once (None, nothing
        /// active, nothing pending; the safe-mode request kept) and start in safe mode. The next boots
        /// read it and go to safe mode without writing; an install clears it.</summary>
        private BootDecision NoValidImage(BootDecision d, ref BootState s, string why)
        {
            BootState settled = new BootState();
            settled.State = BootImageState.None;
            settled.Flags = (s.Flags & BootStateFlags.SafeModeRequested) | BootStateFlags.NoValidImage;
            settled.SecurityCounter = s.SecurityCounter;
            if (!settled.SameAs(s)) Save(settled);
            s = settled;
            return SafeMode(d, s, "no valid image" + (why.Length > 0 ? ": " + why : ""));
        }

        // A rollback may land only on an image that verifies: the backup (which holds the last confirmed
        // image) when it is not below the security counter, the factory image whatever its version.
        private bool IsRollbackSource(FlashRegion slot, uint securityCounter)
        {
            if (VerifySlot(slot) != ImageVerifyResult.Ok) return false;
            if (slot == _factory) return true;
            return PackedImageVersion.Of(_verifier.Header) >= securityCounter;
        }

        private static string Join(string why, string more)
        {
            return why.Length > 0 ? why + "; " + more : more;
        }

        private BootDecision RunImage(BootDecision d, BootState s, bool test)
        {
            d.RunApplication = true;
            d.TestBoot = test;
            d.ActiveVersion = s.ActiveVersion;
            d.ImageFlags = _verifier.Header.Flags;
            d.PayloadOffset = ImageFormat.HeaderSize;
            d.PayloadSize = (int)_verifier.Header.PayloadSize;
            d.State = s;
            return d;
        }

        private BootDecision SafeMode(BootDecision d, BootState s, string reason)
        {
            d.RunApplication = false;
            d.TestBoot = false;
            d.ActiveVersion = 0;
            d.Reason = reason;
            d.State = s;
            return d;
        }

        private static void ClearCopy(ref BootState s)
        {
            s.PendingImageSize = 0;
            s.PendingImageCrc = 0;
            s.InstallProgress = 0;
            s.Flags &= ~(BootStateFlags.KeepBackup | BootStateFlags.FromFactory | BootStateFlags.Reinstall);
        }

        private void Save(BootState s)
        {
            if (_store.Write(s)) return;
            if (!_store.Write(s)) throw new InvalidOperationException("boot state did not verify after two writes");
        }

        private ImageVerifyResult VerifySlot(FlashRegion slot)
        {
            return _verifier.VerifyInSlot(_flash, slot.Start, slot.Size);
        }

        // The staged image is exactly as long as the transfer that wrote it (the recorded size); a state
        // without a size (written by hand, or by an older firmware) verifies it as a slot.
        private ImageVerifyResult VerifyStaging(BootState s)
        {
            if (s.PendingImageSize <= 0 || s.PendingImageSize > _staging.Size) return VerifySlot(_staging);
            return _verifier.Verify(_flash, _staging.Start, _staging.Size, s.PendingImageSize);
        }

        private ImageVerifyResult VerifyApplication()
        {
            int size = _app.Size < _staging.Size ? _app.Size : _staging.Size;
            return _verifier.VerifyInSlot(_app, 0, size);
        }

        // Copies the first `length` bytes of the application slot into the backup slot and compares.
        private void BackUpApplication(int length)
        {
            int eraseLength = (length + Sst25Flash.SectorSize - 1) / Sst25Flash.SectorSize * Sst25Flash.SectorSize;
            _flash.EraseRange(_backup.Start, eraseLength);
            for (int at = 0; at < length; at += CopyChunkSize)
            {
                int n = length - at < CopyChunkSize ? length - at : CopyChunkSize;
                _app.Read(at, _buffer, 0, n);
                _flash.Program(_backup.Start + at, _buffer, 0, n);
                if (!_flash.Verify(_backup.Start + at, _buffer, 0, n))
                    throw new InvalidOperationException("backup copy does not read back");
                if ((at + n) % ProgressStepBytes == 0) _feed.Progress(at + n, length);
            }
        }

        // Copies source[InstallProgress .. length) into the application slot page by page, recording
        // progress every ProgressStepBytes. A page is always erased before it is written, so the page
        // a cut tore is simply done again.
        private void CopyIntoApplication(FlashRegion source, int length, ref BootState s)
        {
            int page = _app.PageSize;
            int start = s.InstallProgress - s.InstallProgress % page;
            if (start < 0 || start > length) start = 0;
            for (int at = start; at < length; at += page)
            {
                _app.ErasePage(at);
                _feed.Progress(at, length); // an STM32F4 sector erase takes up to 2-4 s (128 KB sectors)
                int end = at + page < length ? at + page : length;
                for (int p = at; p < end; p += CopyChunkSize)
                {
                    int n = end - p < CopyChunkSize ? end - p : CopyChunkSize;
                    _flash.Read(source.Start + p, _buffer, 0, n);
                    int even = n;
                    if ((even & 1) != 0) _buffer[even++] = 0xFF; // the controller writes half-words
                    _app.Program(p, _buffer, 0, even);
                    _app.Read(p, _readBack, 0, n);
                    for (int i = 0; i < n; i++)
                    {
                        if (_readBack[i] != _buffer[i]) throw new InternalFlashException("application slot does not read back");
                    }

                    if ((p + n) % ProgressStepBytes == 0) _feed.Progress(p + n, length);
                }

                int done = at + page;
                if (done < length && done % ProgressStepBytes == 0)
                {
                    s.InstallProgress = done;
                    Save(s);
                }
            }
        }
    }
}
