namespace CoreFirmware.Ota.Boot
{
    /// <summary>
    /// What the bootloader needs to know across resets, as carried by one <see cref="BootStateStore"/>
    /// entry. A value type: copying it allocates nothing. The default value (all zero, state
    /// <see cref="BootImageState.None"/>) is what <see cref="BootStateStore.Read"/> gives when no valid
    /// entry exists.
    /// </summary>
    public struct BootState
    {
        /// <summary>Largest <see cref="BootAttempts"/> (stored in one byte).</summary>
        public const int MaxBootAttempts = 255;

        /// <summary>Largest <see cref="WatchdogResets"/> (stored in one byte).</summary>
        public const int MaxWatchdogResets = 255;

        /// <summary>State of the staged / test image.</summary>
        public BootImageState State;

        /// <summary>Test boots so far while <see cref="State"/> is Testing (0..255).</summary>
        public int BootAttempts;

        /// <summary>Watchdog resets seen while in test mode (0..255).</summary>
        public int WatchdogResets;

        /// <summary><see cref="BootStateFlags"/> bits (one byte).</summary>
        public int Flags;

        /// <summary>Size in bytes of the image in the staging slot (0 when none).</summary>
        public int PendingImageSize;

        /// <summary>CRC32 (IEEE) of the staged image's <see cref="PendingImageSize"/> bytes.</summary>
        public uint PendingImageCrc;

        /// <summary>Bytes of the install already copied (a multiple of the 4 KB sector while an
        /// install runs): the bootloader resumes from here after a power cut.</summary>
        public int InstallProgress;

        /// <summary>Version of the image now active in the MCU (0 when none runs: the state after
        /// "no valid image").</summary>
        public uint ActiveVersion;

        /// <summary>
        /// The anti-rollback floor: the highest packed version (Image.PackedImageVersion) ever
        /// confirmed on this board. Only ever raised (by a confirm, or by the bootloader when it
        /// records a confirmed image); never lowered by a rollback or a factory restore. The OTA
        /// service and the bootloader refuse images below it (Ota/Boot/BOOT-DESIGN.md, "Security
        /// counter"). 0 in a state read from a format-1 entry.
        /// </summary>
        public uint SecurityCounter;

        /// <summary>Raises <see cref="SecurityCounter"/> to <paramref name="confirmedVersion"/> when that is
        /// higher (it is never lowered).</summary>
        public void RaiseSecurityCounter(uint confirmedVersion)
        {
            if (confirmedVersion > SecurityCounter) SecurityCounter = confirmedVersion;
        }

        /// <summary>
        /// Back to the state before Pending (the state table's "refused staged image", and what clearing
        /// a stale pending image does): Testing, test counters kept, when the running image was under test
        /// (<see cref="BootStateFlags.KeepBackup"/>), else None with the counters reset; nothing pending,
        /// the other fields (active version, security counter, other flags) kept.
        /// </summary>
        public void ClearPending()
        {
            if (Has(BootStateFlags.KeepBackup))
            {
                State = BootImageState.Testing;
            }
            else
            {
                State = BootImageState.None;
                BootAttempts = 0;
                WatchdogResets = 0;
            }

            Flags &= ~(BootStateFlags.KeepBackup | BootStateFlags.FromFactory | BootStateFlags.Reinstall);
            PendingImageSize = 0;
            PendingImageCrc = 0;
            InstallProgress = 0;
        }

        /// <summary>True when <paramref name="flag"/> (a <see cref="BootStateFlags"/> bit) is set.</summary>
        public bool Has(int flag)
        {
            return (Flags & flag) != 0;
        }

        /// <summary>True when every field equals <paramref name="other"/>'s.</summary>
        public bool SameAs(BootState other)
        {
            return State == other.State && BootAttempts == other.BootAttempts && WatchdogResets == other.WatchdogResets && Flags == other.Flags
                && PendingImageSize == other.PendingImageSize && PendingImageCrc == other.PendingImageCrc
                && InstallProgress == other.InstallProgress && ActiveVersion == other.ActiveVersion && SecurityCounter == other.SecurityCounter;
        }

        /// <summary>A short text for logs and test messages.</summary>
        public override string ToString()
        {
            return "state " + ((int)State).ToString() + " attempts " + BootAttempts.ToString() + " wdt " + WatchdogResets.ToString() + " flags " + Flags.ToString()
                + " size " + PendingImageSize.ToString() + " crc " + PendingImageCrc.ToString() + " progress " + InstallProgress.ToString()
                + " version " + ActiveVersion.ToString() + " counter " + SecurityCounter.ToString();
        }
    }
}
