namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The faults a test asked the module to commit through the fault hooks of <see cref="Cc3000Model"/>:
/// counts and flags the model's parts take one at a time as each fault comes due, and the delays of
/// late answers. Counts and flags are guarded by the model's lock; nothing here is reset by a power
/// cycle (a planned fault waits for its moment).
/// </summary>
internal sealed class Cc3000ModelFaultPlan
{
    private int _freeReportsToLose;
    private int _buffersToWithhold;
    private bool _dropIrqArmed;
    private int _bootsToFail;

    /// <summary>Every command answer is signalled this long after its command (0 = at once).</summary>
    public int AnswerDelayMilliseconds { get; set; }

    /// <summary>A gethostbyname is answered this long after it was asked (0 = at once; negative = never).</summary>
    public int DnsDelayMilliseconds { get; set; }

    public void LoseFreeBufferReportsLocked(int buffers) => _freeReportsToLose = buffers;

    /// <summary>True when the report of the buffer being freed now is to be lost.</summary>
    public bool TakeLostFreeBufferReportLocked() => TakeOne(ref _freeReportsToLose);

    public void WithholdBuffersLocked(int buffers) => _buffersToWithhold = buffers;

    /// <summary>True when the buffer being freed now is to be kept by the module instead.</summary>
    public bool TakeWithheldBufferLocked() => TakeOne(ref _buffersToWithhold);

    public void ArmIrqDropLocked() => _dropIrqArmed = true;

    /// <summary>True when the frame queued now is not to pull IRQ low.</summary>
    public bool TakeIrqDropLocked()
    {
        if (!_dropIrqArmed) return false;
        _dropIrqArmed = false;
        return true;
    }

    public void FailBootsLocked(int count) => _bootsToFail = count;

    /// <summary>True when the power-up beginning now is never to signal ready.</summary>
    public bool TakeFailedBootLocked() => TakeOne(ref _bootsToFail);

    // Takes one from a planned count; false when none is left.
    private static bool TakeOne(ref int count)
    {
        if (count <= 0) return false;
        count--;
        return true;
    }
}
