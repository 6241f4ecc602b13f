using CoreFirmware.Fuzz.Engine;
using CoreFirmware.Fuzz.Targets;

namespace CoreFirmware.Fuzz;

/// <summary>Every fuzz target, by name, and the bounded run CI makes of each.</summary>
public static class FuzzTargets
{
    /// <summary>Target names in a stable order.</summary>
    public static readonly string[] Names = ["json", "http-head", "http-body", "coap", "spark", "hci", "image"];

    /// <summary>A new instance of the target called <paramref name="name"/> (dispose it when it is IDisposable).</summary>
    public static IFuzzTarget Create(string name) => name switch
    {
        "json" => new JsonTarget(),
        "http-head" => new HttpHeadTarget(),
        "http-body" => new HttpBodyTarget(),
        "coap" => new CoapTarget(),
        "spark" => new SparkMessagesTarget(),
        "hci" => new HciEventTarget(),
        "image" => new ImageTarget(),
        _ => throw new ArgumentException($"no fuzz target '{name}' (targets: {string.Join(", ", Names)})"),
    };

    /// <summary>
    /// Inputs per target in CI: a few seconds each on a loaded 2-core machine. The HCI target crosses
    /// threads per input and the image target verifies ECDSA signatures, hence their smaller counts.
    /// </summary>
    public static long CiIterations(string name) => name switch
    {
        "hci" => 1500,
        "image" => 1500,
        "http-head" or "http-body" => 6000,
        _ => 15000,
    };

    /// <summary>Runs <paramref name="name"/> for at most <paramref name="iterations"/> inputs or <paramref name="time"/>.</summary>
    public static FuzzReport Run(string name, long iterations, TimeSpan time, int seed, int maxFindings = 1, Action<FuzzFinding>? onFinding = null)
    {
        IFuzzTarget target = Create(name);
        try
        {
            var runner = new FuzzRunner(target, FuzzCorpus.Load(name), seed) { MaxFindings = maxFindings, OnFinding = onFinding };
            return CrashGuard.Run(runner, () => runner.Run(iterations, time));
        }
        finally
        {
            (target as IDisposable)?.Dispose();
        }
    }
}
