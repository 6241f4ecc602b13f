using System.Diagnostics;

namespace CoreFirmware.Fuzz.Engine;

/// <summary>
/// Runs one target: first every seed as it is, then mutated inputs (from the seeds and from inputs
/// that gave a new outcome) until an iteration or time budget is spent. The target runs on a worker
/// thread watched by the caller's thread: an iteration still running after <see cref="HangBound"/>
/// is reported as a hang with its input, and the run ends.
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

    /// <summary>Longest a single input may take before it counts as a hang.</summary>
    public TimeSpan HangBound { get; init; } = TimeSpan.FromSeconds(10);

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

        // The watchdog: poll the running iteration's age (a bound on a hang, not a timing assertion).
        while (!worker.Join(50))
        {
            long started;
            byte[] input;
            lock (_sync)
            {
                started = _iterationStarted;
                input = _current;
            }

            if (started != 0 && Stopwatch.GetElapsedTime(started) > HangBound)
            {
                Record(new FuzzFinding(_target.Name, "hang", $"one input ran longer than {HangBound.TotalSeconds:0} s", input));
                _stop = true;
                break; // the worker is abandoned (a background thread)
            }
        }

        return new FuzzReport(_target.Name, Interlocked.Read(ref iterations), clock.Elapsed, outcomes.Count, corpus.Count, findings);
    }
}
