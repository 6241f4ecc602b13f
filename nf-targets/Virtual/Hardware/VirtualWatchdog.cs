using System.Diagnostics;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// The independent watchdog of the virtual Core. After <see cref="Start"/> a countdown runs on a
/// background thread; if <see cref="Feed"/> does not come within the timeout it raises
/// <see cref="Expired"/> once (on that thread) and stops counting: the virtual core resets the
/// board on it, calls <see cref="ResetByBoard"/> and sets <see cref="LastResetWasWatchdog"/>.
/// Like the STM32 IWDG it cannot be stopped by firmware, and a second Start is ignored.
/// </summary>
public sealed class VirtualWatchdog : IWatchdog, IDisposable
{
    private readonly object _sync = new();
    private readonly BackgroundFaults _faults;
    private Thread? _thread;
    private bool _running;
    private bool _expired;
    private int _timeoutMs;
    private long _deadline;
    private int _expiries;
    private int _feeds;

    /// <summary>
    /// A watchdog whose countdown thread reports what it did not expect (an <see cref="Expired"/>
    /// handler that throws, say) into <paramref name="faults"/> (its own recorder when null).
    /// </summary>
    public VirtualWatchdog(BackgroundFaults? faults = null)
    {
        _faults = faults ?? new BackgroundFaults();
    }

    /// <summary>Raised once when the countdown runs out (the board should reset).</summary>
    public event EventHandler? Expired;

    public bool IsRunning { get { lock (_sync) return _running; } }

    /// <summary>Set by the board on reset: true when the watchdog caused it.</summary>
    public bool LastResetWasWatchdog { get; set; }

    /// <summary>The timeout the running watchdog was started with (0 when not running).</summary>
    public int TimeoutMilliseconds { get { lock (_sync) return _running ? _timeoutMs : 0; } }

    /// <summary>How many times it expired since construction.</summary>
    public int ExpiryCount { get { lock (_sync) return _expiries; } }

    /// <summary>Feeds since construction.</summary>
    public int FeedCount { get { lock (_sync) return _feeds; } }

    /// <summary>True once the current countdown expired (until <see cref="ResetByBoard"/>).</summary>
    public bool HasExpired { get { lock (_sync) return _expired; } }

    public void Start(int timeoutMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeoutMilliseconds, 1);
        lock (_sync)
        {
            if (_running) return;
            _running = true;
            _expired = false;
            _timeoutMs = timeoutMilliseconds;
            _deadline = Stopwatch.GetTimestamp() + ToTicks(timeoutMilliseconds);
            // Started under the lock: Countdown checks it is still the current countdown thread.
            _thread = new Thread(() => _faults.Run("VirtualWatchdog", Countdown)) { IsBackground = true, Name = "VirtualWatchdog" };
            _thread.Start();
        }
    }

    public void Feed()
    {
        lock (_sync)
        {
            if (!_running || _expired) return;
            _feeds++;
            _deadline = Stopwatch.GetTimestamp() + ToTicks(_timeoutMs);
        }
    }

    /// <summary>
    /// The board's reset: the countdown stops and the watchdog is idle until firmware starts it
    /// again. Waits (bounded) for the countdown thread to end; call it from any thread but not
    /// from inside an <see cref="Expired"/> handler if you need that wait (there it returns at once).
    /// </summary>
    /// <param name="causedByWatchdog">Stored in <see cref="LastResetWasWatchdog"/>.</param>
    public void ResetByBoard(bool causedByWatchdog)
    {
        Thread? t;
        lock (_sync)
        {
            _running = false;
            _expired = false;
            t = _thread;
            _thread = null;
            Monitor.PulseAll(_sync);
        }

        LastResetWasWatchdog = causedByWatchdog;
        if (t != null && t != Thread.CurrentThread) t.Join(TimeSpan.FromSeconds(5));
    }

    /// <summary>Ends the countdown thread (as a reset without a watchdog cause would, but keeps <see cref="LastResetWasWatchdog"/>).</summary>
    public void Dispose()
    {
        bool last = LastResetWasWatchdog;
        ResetByBoard(last);
    }

    private void Countdown()
    {
        while (true)
        {
            lock (_sync)
            {
                if (!_running || Thread.CurrentThread != _thread) return;
                long remaining = _deadline - Stopwatch.GetTimestamp();
                if (remaining > 0)
                {
                    // Bounded wait: wakes at the deadline (a feed only moves it later) or on reset.
                    int ms = (int)Math.Min(int.MaxValue, remaining * 1000 / Stopwatch.Frequency + 1);
                    Monitor.Wait(_sync, ms);
                    continue;
                }

                _expired = true;
                _expiries++;
            }

            Expired?.Invoke(this, EventArgs.Empty);
            return;
        }
    }

    private static long ToTicks(int ms) => ms * Stopwatch.Frequency / 1000;
}
