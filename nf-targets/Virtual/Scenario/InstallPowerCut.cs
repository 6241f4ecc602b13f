namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// <see cref="FaultKind.PowerCutDuringInstall"/> on the virtual board: the power fails inside one of
/// the bootloader's writes to the application slot (the MCU's internal flash, written only by an
/// install or a rollback), at a seeded random operation among the first <see cref="Window"/> of the
/// next install. That write is torn, the boot dies with it, and the board powers up again at the
/// next reset (<see cref="VirtualBoard.Reset"/>): the bootloader must resume the install from its
/// recorded progress (or roll back) and leave the device on a valid image.
/// </summary>
public sealed class InstallPowerCut : IPowerCutFault
{
    /// <summary>
    /// Most operations (page erases and programs) the cut is chosen among. An install writes 5 per 1 KB
    /// page (one erase, four 256-byte programs); the ticker app's image is about 11 KB (CoreCLR's assembly),
    /// 60 operations, or 5 KB (its nanoFramework .pe), 30.
    /// </summary>
    public const int DefaultWindow = 40;

    /// <summary>Operations the next cut is chosen among (<see cref="WindowFor"/> the image being installed).</summary>
    public int Window { get; set; } = DefaultWindow;

    /// <summary>A window that stays inside the install of an image of <paramref name="imageBytes"/>: its page operations, at most <see cref="DefaultWindow"/>.</summary>
    public static int WindowFor(int imageBytes) => Math.Clamp((imageBytes + 1023) / 1024 * 5, 1, DefaultWindow);

    private int _cuts;
    private long _armedAt = -1;

    public int Cuts => Volatile.Read(ref _cuts);

    public void Arm(VirtualBoard board, Random random)
    {
        ArgumentNullException.ThrowIfNull(board);
        board.InternalFlash.PowerCutHappened -= OnCut;
        board.InternalFlash.PowerCutHappened += OnCut;
        _armedAt = board.InternalFlash.OperationCount + random.Next(0, Window);
        board.InternalFlash.CutPowerAtOperation(_armedAt);
    }

    public void Disarm(VirtualBoard board)
    {
        ArgumentNullException.ThrowIfNull(board);
        board.InternalFlash.CutPowerAtOperation(-1);
        board.InternalFlash.PowerCutHappened -= OnCut;
        _armedAt = -1;
    }

    private void OnCut(long operation) => Interlocked.Increment(ref _cuts);
}
