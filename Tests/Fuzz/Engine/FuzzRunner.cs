using System.Diagnostics;

namespace CoreFirmware.Fuzz.Engine;

/// <summary>
/// Runs one target: first every seed as it is, then mutated inputs (from the seeds and from inputs
/// that gave a new outcome) until an iteration or time budget is spent. The target runs on a worker
/// thread watched by the caller's thread: an iteration that has used <see cref="HangBound"/> of
/// processor time (a loop), or stayed <see cref="BlockedBound"/> on the clock (a wait that never
/// ends), is reported as a hang with its input, and the run ends. Processor time, not the clock,
/// bounds a loop, so a starved process on a loaded machine is not taken for a hung parser.
/// </summary>
/// <remarks>
/// Why our own fuzzer and not SharpFuzz (AFL/libFuzzer): SharpFuzz needs instrumented assemblies
/// and an external AFL or libFuzzer driver, which CI does not have and the firmware build does not
/// produce. An in-process fuzzer needs nothing, runs the same in xunit (a bounded, seeded and
/// therefore reproducible run) and from the command line (as long as one likes), and checks
/// semantic invariants a crash-only fuzzer cannot: strictness oracles, results within buffer
/// bounds, the same verdict for any split of the input, exact agreement with CoreCLR's number
/// parsing. What it lacks is coverage feedback; it stands in with per-target dictionaries, mutations
/// that suit text protocols (long runs, duplicated ranges, splices) and corpus growth on every new
/// outcome description a target returns.
/// </remarks>
public sealed class FuzzRunner
{
    private const int MaxWorkingCorpus = 8192;

    private readonly IFuzzTarget _target;
    private readonly IReadOnlyList<byte[]> _seeds;
    private readonly int _seed;
    private readonly object _sync = new();
    private byte[] _current = [];
    private long _iterationStarted;   // Stopwatch timestamp of the running iteration, 0 between iterations
    private volatile bool _stop;

    public FuzzRunner(IFuzzTarget target, IReadOnlyList<byte[]> seeds, int seed)
    {
        if (seeds.Count == 0) throw new ArgumentException($"target {target.Name} has no seeds");
        _target = target;
        _seeds = seeds;
        _seed = seed;
    }

    /// <summary>Processor time (the whole process's) one input may use before it counts as a hang.</summary>
    public TimeSpan HangBound { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time on the clock one input may take before it counts as a hang (blocked); default 12 x
    /// <see cref="HangBound"/>: long enough for a starved process (a 4-minute run at load average 50
    /// on 2 cores once took an input past 60 s; its replay took 0.2 s), well inside CI's 5-minute hang bound.
    /// </summary>
    public TimeSpan? BlockedBound { get; init; }

    /// <summary>Distinct findings to collect before the run stops (1: stop at the first).</summary>
    public int MaxFindings { get; init; } = 1;

    /// <summary>Called with each new finding as it is found (the command line saves it at once).</summary>
    public Action<FuzzFinding>? OnFinding { get; init; }

    /// <summary>The target's name.</summary>
    public string TargetName => _target.Name;

    /// <summary>The input being run now (saved by the crash handler when a worker thread of a target dies).</summary>
    public byte[] CurrentInput
    {
        get { lock (_sync) return _current; }
    }

    public FuzzReport Run(long maxIterations, TimeSpan maxTime)
    {
        var findings = new List<FuzzFinding>();
        var signatures = new HashSet<string>();
        var outcomes = new HashSet<string>();
        var corpus = new List<byte[]>(_seeds);
        var random = new Random(_seed);
        var mutator = new Mutator(random, _target.Dictionary, _target.MaxInputLength);
        long iterations = 0;
        var clock = Stopwatch.StartNew();

        void Record(FuzzFinding finding)
        {
            string signature = finding.Kind + "|" + finding.Detail.Split('\n')[0];
            lock (findings)
            {
                if (!signatures.Add(signature)) return;
                findings.Add(finding);
                if (findings.Count >= MaxFindings) _stop = true;
            }
            OnFinding?.Invoke(finding);
        }

        var worker = new Thread(() =>
        {
            try
            {
                int seedIndex = 0;
                while (!_stop && iterations < maxIterations && clock.Elapsed < maxTime)
                {
                    byte[] input = seedIndex < _seeds.Count
                        ? _seeds[seedIndex++]
                        : mutator.Mutate(corpus[random.Next(corpus.Count)], corpus);
                    lock (_sync)
                    {
                        _current = input;
                        _iterationStarted = Stopwatch.GetTimestamp();
                    }

                    string outcome;
                    try
                    {
                        outcome = _target.Run(input);
                    }
                    catch (FuzzInvariantException e)
                    {
                        Record(new FuzzFinding(_target.Name, "invariant", e.Message, input));
                        continue;
                    }
                    catch (Exception e)
                    {
                        Record(new FuzzFinding(_target.Name, "exception", $"{e.GetType().Name}: {e.Message}\n{e.StackTrace}", input));
                        continue;
                    }
                    finally
                    {
                        lock (_sync) _iterationStarted = 0;
                        Interlocked.Increment(ref iterations);
                    }

                    if (outcomes.Add(outcome))
                    {
                        if (corpus.Count < MaxWorkingCorpus) corpus.Add(input);
                        else corpus[_seeds.Count + random.Next(MaxWorkingCorpus - _seeds.Count)] = input;
                    }
                }
            }
            catch (Exception e)
            {
                Record(new FuzzFinding(_target.Name, "fuzzer", e.ToString(), CurrentInput));
            }
        })
        {
            IsBackground = true,
            Name = "fuzz " + _target.Name,
        };
        worker.Start();

        // The watchdog: follows the running iteration's processor time and age (bounds on a hang, not
        // timing assertions).
        TimeSpan blockedBound = BlockedBound ?? HangBound * 12;
        using Process process = Process.GetCurrentProcess();
        long watched = 0;
        TimeSpan cpuAtStart = TimeSpan.Zero;
        while (!worker.Join(50))
        {
            long started;
            byte[] input;
            lock (_sync)
            {
                started = _iterationStarted;
                input = _current;
            }

            if (started == 0) continue;
            process.Refresh();
            TimeSpan cpu = process.TotalProcessorTime;
            if (started != watched)
            {
                watched = started;
                cpuAtStart = cpu;
                continue;
            }

            TimeSpan used = cpu - cpuAtStart;
            TimeSpan age = Stopwatch.GetElapsedTime(started);
            if (used > HangBound || age > blockedBound)
            {
                Record(new FuzzFinding(_target.Name, "hang", used > HangBound
                    ? $"one input used more than {HangBound.TotalSeconds:0.#} s of processor time"
                    : $"one input has not finished in {blockedBound.TotalSeconds:0.#} s (blocked)", input));
                _stop = true;
                break; // the worker is abandoned (a background thread)
            }
        }

        return new FuzzReport(_target.Name, Interlocked.Read(ref iterations), clock.Elapsed, outcomes.Count, corpus.Count, findings);
    }
}
