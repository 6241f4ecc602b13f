namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The module's clock for what comes due later than its cause: late command answers (the fault
/// plan's answer delay), DNS answers that take time, and connects to black holes that the module's
/// own timeout ends. One host thread, started on first use, woken no later than the earliest due time.
/// </summary>
internal sealed class Cc3000ModelTimer
{
    private readonly Cc3000Model _model;
    private Thread? _thread;
    private long _wakeAt;

    public Cc3000ModelTimer(Cc3000Model model) => _model = model;

    /// <summary>Makes the timer thread look again no later than <paramref name="at"/> (TickCount64 ms). Caller holds the model lock.</summary>
    public void WakeLocked(long at)
    {
        if (_model.DisposedLocked) return;
        if (_thread == null) _thread = _model.Faults.Start("CC3000 timer", Loop);
        if (_wakeAt == 0 || at < _wakeAt) _wakeAt = at;
        Monitor.PulseAll(_model.Sync);
    }

    private void Loop()
    {
        lock (_model.Sync)
        {
            while (!_model.DisposedLocked)
            {
                long now = Environment.TickCount64;
                if (_wakeAt == 0 || now < _wakeAt)
                {
                    Monitor.Wait(_model.Sync, _wakeAt == 0 ? 100 : (int)Math.Clamp(_wakeAt - now, 1, 100));
                    continue;
                }
                _wakeAt = 0;
                // Due DNS answers and black-hole connect failures; then late answers that are due are signalled.
                _model.Resolver.OnTimerLocked(now);
                _model.Sockets.OnTimerLocked(now);
                _model.Spi.UpdateIrqLocked();
            }
        }
    }
}
