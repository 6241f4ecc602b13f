using System.Globalization;
using CoreFirmware.Virtual.Sst25;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// The flags the live view and the soak share: --cycles N, --faults MIX, --interval SECONDS,
/// --idle-every N, --fast-ota, --fast-flash, --lockup SECONDS, --seed N.
/// </summary>
public static class ScenarioArgs
{
    public const string Usage = "--cycles N, --faults none|all|link,corrupt,hang,power, --interval SECONDS, --idle-every N (0: none), "
        + "--fast-ota, --fast-flash, --lockup SECONDS, --seed N, --clr coreclr|nano";

    /// <summary>Parses <paramref name="args"/> over <paramref name="defaults"/>; null (and a message on stderr) on a bad flag.</summary>
    public static ScenarioOptions? Parse(string command, string[] args, ScenarioOptions defaults, Func<string, bool>? extra = null)
    {
        var o = defaults;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                double Seconds() => double.Parse(Next(), CultureInfo.InvariantCulture);
                switch (args[i])
                {
                    case "--cycles": o = With(o, cycles: int.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--faults": o = With(o, faults: FaultMix.Parse(Next())); break;
                    case "--interval": o = With(o, interval: TimeSpan.FromSeconds(Seconds())); break;
                    case "--idle-every": o = With(o, idleEvery: int.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--fast-ota": o = With(o, fastOta: true); break;
                    case "--fast-flash": o = With(o, timing: Sst25TimingProfile.Fast); break;
                    case "--lockup": o = With(o, lockup: TimeSpan.FromSeconds(Seconds())); break;
                    case "--seed": o = With(o, seed: int.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "--clr":
                        o = With(o, clr: Next() switch
                        {
                            "coreclr" => ScenarioClr.CoreClr,
                            "nano" => ScenarioClr.Nano,
                            var other => throw new ArgumentException($"--clr takes coreclr or nano, not '{other}'"),
                        });
                        break;
                    default:
                        if (extra != null && extra(args[i])) break;
                        throw new ArgumentException($"unknown flag '{args[i]}'");
                }
            }
            if (o.Cycles < 1) throw new ArgumentException("--cycles must be at least 1");
            return o;
        }
        catch (Exception e) when (e is ArgumentException || e is FormatException || e is OverflowException)
        {
            Console.Error.WriteLine($"{command}: {e.Message} (flags: {Usage})");
            return null;
        }
    }

    private static ScenarioOptions With(ScenarioOptions o, int? cycles = null, FaultMix? faults = null, TimeSpan? interval = null, int? idleEvery = null,
        bool? fastOta = null, Sst25TimingProfile? timing = null, TimeSpan? lockup = null, int? seed = null, ScenarioClr? clr = null) => new()
    {
        Cycles = cycles ?? o.Cycles,
        Faults = faults ?? o.Faults,
        Interval = interval ?? o.Interval,
        IdleEvery = idleEvery ?? o.IdleEvery,
        FastOta = fastOta ?? o.FastOta,
        FlashTiming = timing ?? o.FlashTiming,
        LockupTimeout = lockup ?? o.LockupTimeout,
        Seed = seed ?? o.Seed,
        PowerCut = o.PowerCut,
        MaxConsecutiveLockups = o.MaxConsecutiveLockups,
        Clr = clr ?? o.Clr,
        AutoConfirmMilliseconds = o.AutoConfirmMilliseconds,
    };
}
