namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The module's power as WLAN_EN drives it: off, booting, waiting for the host's first (split) write,
/// running; the power epoch that tells work started before a power cycle from work after it; and the
/// two ways a powered module stops answering (a hang, a framing violation), both cleared by a power
/// cycle. Guarded by the model's lock.
/// </summary>
internal sealed class Cc3000ModelPower
{
    public enum Phase { Off, Booting, AwaitingFirstWrite, Running }

    private readonly Cc3000Model _model;

    public Cc3000ModelPower(Cc3000Model model) => _model = model;

    public Phase State { get; set; } = Phase.Off;

    /// <summary>Counts power-offs: anything started in an earlier epoch is stale.</summary>
    public int Epoch { get; private set; }

    /// <summary>Hung by the fault hook: no answers until WLAN_EN cycles.</summary>
    public bool Hung { get; set; }

    /// <summary>Stopped by a framing violation until WLAN_EN cycles.</summary>
    public bool Stopped { get; set; }

    public long PowerUps { get; private set; }

    public long PowerDowns { get; private set; }

    /// <summary>Time from WLAN_EN rising to IRQ low (ready).</summary>
    public int BootDelayMilliseconds { get; set; } = 5;

    /// <summary>Powered, not hung and not stopped.</summary>
    public bool AnsweringLocked => State != Phase.Off && !Hung && !Stopped;

    /// <summary>WLAN_EN rose: boots on a host thread, then awaits the first write (unless the fault plan fails the boot).</summary>
    public void PowerUp()
    {
        int epoch;
        lock (_model.Sync)
        {
            if (State != Phase.Off) return;
            PowerUps++;
            State = Phase.Booting;
            epoch = Epoch;
            if (_model.FaultPlan.TakeFailedBootLocked()) return; // stays booting, silent, until WLAN_EN cycles
        }
        _model.Faults.Start("CC3000 boot", () =>
        {
            Thread.Sleep(BootDelayMilliseconds);
            lock (_model.Sync)
            {
                if (State != Phase.Booting || Epoch != epoch) return;
                State = Phase.AwaitingFirstWrite;
                _model.Spi.ExpectFirstWriteLocked();
                _model.Spi.UpdateIrqLocked();
            }
        });
    }

    /// <summary>WLAN_EN fell (a reset seen by the module).</summary>
    public void CountPowerDownLocked() => PowerDowns++;

    /// <summary>Power is gone: a new epoch, and a hang or violation is forgotten.</summary>
    public void OffLocked()
    {
        Epoch++;
        State = Phase.Off;
        Hung = false;
        Stopped = false;
    }
}
