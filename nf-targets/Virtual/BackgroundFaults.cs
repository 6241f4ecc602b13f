using System.Globalization;
using System.Text;

namespace CoreFirmware.Virtual;

/// <summary>
/// Exceptions that escaped the host's own background threads (the hardware models' threads, the
/// host servers, the runner's threads). On CoreCLR an exception nobody catches on a thread ends the
/// whole process: the test host with every test in it, or the main job. So each such thread runs its
/// body through <see cref="Run"/> (or catches and calls <see cref="Report"/>), and what it did not
/// expect lands here instead: the scenario's summary prints it and the test rigs fail when theirs is
/// not empty, naming the thread and the exception. Expected endings (a socket closed under its
/// reader, say) are handled where they happen and are not faults.
/// </summary>
/// <remarks>
/// One recorder per owner (a board, a model, a server), so a test checks the parts it built and not
/// those of a test running beside it. Bounded: the first <see cref="MaxKept"/> faults are kept, all are counted.
/// </remarks>
public sealed class BackgroundFaults
{
    /// <summary>Faults kept with their details; later ones are only counted.</summary>
    public const int MaxKept = 50;

    private readonly object _sync = new();
    private readonly List<Fault> _kept = new();
    private int _count;

    /// <summary>One exception that escaped a background thread.</summary>
    public sealed record Fault(DateTimeOffset At, string Thread, Exception Exception)
    {
        public override string ToString() => $"{Thread}: {Exception.GetType().FullName}: {Exception.Message}";
    }

    /// <summary>Faults reported so far.</summary>
    public int Count { get { lock (_sync) return _count; } }

    /// <summary>The faults kept (up to <see cref="MaxKept"/>), oldest first.</summary>
    public IReadOnlyList<Fault> Kept { get { lock (_sync) return _kept.ToArray(); } }

    /// <summary>Forgets every fault: for a test that caused the ones it checked on purpose.</summary>
    public void Clear()
    {
        lock (_sync)
        {
            _count = 0;
            _kept.Clear();
        }
    }

    /// <summary>Records that <paramref name="exception"/> escaped the thread <paramref name="thread"/>.</summary>
    public void Report(string thread, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        lock (_sync)
        {
            _count++;
            if (_kept.Count < MaxKept) _kept.Add(new Fault(DateTimeOffset.UtcNow, thread, exception));
        }
    }

    /// <summary>Runs a background thread's body; whatever escapes it is reported under <paramref name="thread"/>.</summary>
    public void Run(string thread, Action body)
    {
        try
        {
            body();
        }
        catch (Exception e)
        {
            Report(thread, e);
        }
    }

    /// <summary>Starts a background thread named <paramref name="name"/> whose body runs through <see cref="Run"/>.</summary>
    public Thread Start(string name, Action body)
    {
        var thread = new Thread(() => Run(name, body)) { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }

    /// <summary>"none", or one line per fault kept (the first with its stack trace): what a failing test or the summary prints.</summary>
    public string Describe()
    {
        lock (_sync)
        {
            if (_count == 0) return "none";
            var text = new StringBuilder();
            text.Append(_count.ToString(CultureInfo.InvariantCulture)).Append(" background thread fault(s):");
            foreach (Fault f in _kept) text.Append("\n  ").Append(f);
            if (_count > _kept.Count) text.Append("\n  ... and ").Append((_count - _kept.Count).ToString(CultureInfo.InvariantCulture)).Append(" more");
            text.Append("\nfirst: ").Append(_kept[0].Exception);
            return text.ToString();
        }
    }
}
