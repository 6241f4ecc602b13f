using System.Reflection;
using CoreFirmware.Benchmarks;

// Runs every benchmark ("all", "table" or no name) or the ones named, then prints ONE table with
// the machine and the settings on top. See README.md.
if (args.Length == 1 && args[0] == NoisyNeighbour.SpinArgument) return NoisyNeighbour.Spin(); // the ota benchmark's busy neighbour
var all = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name)
    .ToList();
bool everything = args.Length == 0 || args.Contains("all") || args.Contains("table");
var chosen = everything ? all : all.Where(b => args.Contains(b.Name)).ToList();
if (chosen.Count == 0)
{
    Console.Error.WriteLine("unknown benchmark; available: all (or table), " + string.Join(", ", all.Select(b => b.Name)));
    return 2;
}
var report = new BenchmarkReport();
foreach (var b in chosen)
{
    Console.WriteLine($"== {b.Name}");
    b.Run(report);
}
report.Print(Console.Out);
return 0;
