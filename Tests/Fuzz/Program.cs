using System.Globalization;
using CoreFirmware.Fuzz;
using CoreFirmware.Fuzz.Engine;

// The fuzzers from the command line (README.md, "Fuzzing"):
//   dotnet run -c Release --project Tests/Fuzz -- list
//   dotnet run -c Release --project Tests/Fuzz -- <target|all> [--seconds N] [--iterations N] [--seed N] [--findings DIR]
//   dotnet run -c Release --project Tests/Fuzz -- replay <target> <file>
//   dotnet run -c Release --project Tests/Fuzz -- write-seeds <Tests/Fuzz/Corpus folder>
// Exit code 1 when a target had a finding (each saved in the findings folder, default ./fuzz-findings).

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: <target|all> [--seconds N] [--iterations N] [--seed N] [--findings DIR] | list | replay <target> <file> | write-seeds <corpus folder>");
    Console.WriteLine("targets: " + string.Join(", ", FuzzTargets.Names));
    return args.Length == 0 ? 2 : 0;
}

switch (args[0])
{
    case "list":
        foreach (string name in FuzzTargets.Names) Console.WriteLine($"{name,-10} {FuzzCorpus.Load(name).Count} seeds  (CI: {FuzzTargets.CiIterations(name):N0} inputs)");
        return 0;
    case "replay":
        {
            if (args.Length < 3) throw new ArgumentException("replay <target> <file>");
            IFuzzTarget target = FuzzTargets.Create(args[1]);
            try
            {
                Console.WriteLine($"{args[1]}: {target.Run(File.ReadAllBytes(args[2]))}");
                return 0;
            }
            catch (Exception e)
            {
                Console.WriteLine($"{args[1]}: {e}");
                return 1;
            }
            finally
            {
                (target as IDisposable)?.Dispose();
            }
        }
    case "write-seeds":
        SeedWriter.WriteAll(args.Length > 1 ? args[1] : Path.Combine("Tests", "Fuzz", "Corpus"));
        return 0;
}

double? seconds = null;
long? iterations = null;
int seed = Environment.TickCount;
string findings = "fuzz-findings";
for (int i = 1; i < args.Length; i++)
{
    string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--iterations": iterations = long.Parse(value, CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--findings": findings = value; break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }

    i++;
}

// Without a bound: 10 seconds a target. With --iterations alone: no time bound.
TimeSpan time = TimeSpan.FromSeconds(seconds ?? (iterations == null ? 10 : 1e9));
string[] targets = args[0] == "all" ? FuzzTargets.Names : [args[0]];
int withFindings = 0;
Console.WriteLine($"seed {seed}");
foreach (string name in targets)
{
    int saved = 0;
    FuzzReport report = FuzzTargets.Run(name, iterations ?? long.MaxValue, time, seed, maxFindings: 20, onFinding: f =>
    {
        Directory.CreateDirectory(findings);
        string file = Path.Combine(findings, $"{f.Target}-{f.Kind}-{Interlocked.Increment(ref saved)}.bin");
        File.WriteAllBytes(file, f.Input);
        Console.WriteLine($"FINDING {f}\n  saved to {file}");
    });
    Console.WriteLine(report);
    if (report.Findings.Count > 0) withFindings++;
}

return withFindings > 0 ? 1 : 0;
