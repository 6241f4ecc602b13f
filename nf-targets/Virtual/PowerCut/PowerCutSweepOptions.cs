using System.Security.Cryptography;

namespace CoreFirmware.Virtual.PowerCut;

/// <summary>Settings of a <see cref="PowerCutSweep"/>.</summary>
public sealed class PowerCutSweepOptions
{
    /// <summary>Nominal image size in KB (the three images are within a KB of it).</summary>
    public int ImageKb { get; set; } = 16;

    /// <summary>Most cut points tried; more operations than this are sampled (seeded), always with the first and last <see cref="AlwaysIncluded"/>.</summary>
    public int MaxPoints { get; set; } = 2000;

    /// <summary>Operations at each end of the sequence that a sample always includes.</summary>
    public int AlwaysIncluded { get; set; } = 50;

    /// <summary>Seed of the sample, the word step and the tear inside each cut operation.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>The boot path under test (default: the firmware's bootloader).</summary>
    public ISweepBootStep BootStep { get; set; } = new BootloaderStep();

    /// <summary>Also write the old image into the factory slot at "manufacture" (default off: every
    /// recovery must then come from the backup/install protocol itself, not the last resort).</summary>
    public bool FactoryImage { get; set; }

    /// <summary>
    /// Boot-state writes made at "manufacture" before the starting state. The store alternates two
    /// 128-entry sectors, so after 253 writes the update's fourth and fifth state writes (Testing,
    /// Confirmed) each have to erase a full sector first: the sweep cuts into those erases too.
    /// </summary>
    public int BootStateHistory { get; set; } = 253;

    /// <summary>Image signing key (a new P-256 key when null).</summary>
    public ECDsa? Key { get; set; }

    /// <summary>Signer (default <see cref="SweepImages.HostSigner"/> with <see cref="Key"/>).</summary>
    public SweepImageSigner? Signer { get; set; }

    /// <summary>Boots a recovery may take while the boot state still says a copy is under way.</summary>
    public int MaxRecoveryBoots { get; set; } = 3;

    /// <summary>Brick descriptions kept in the result.</summary>
    public int MaxBrickDetails { get; set; } = 20;

    /// <summary>Cut runs at once (each on its own backing file and verifier); default 2, the machine's cores as CI has them.</summary>
    public int Parallelism { get; set; } = Math.Min(2, Environment.ProcessorCount);

    /// <summary>Folder for the SST25 backing file (the temp folder when null).</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>Progress lines (null: quiet).</summary>
    public Action<string>? Log { get; set; }
}
