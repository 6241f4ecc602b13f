using System.Reflection;
using CoreFirmware.Benchmarks;

// Runs every benchmark (or the ones named) and prints one table.
var all = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && !t.IsAbstract && !t.IsInterface)
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name)
    .ToList();
var chosen = args.Length == 0 ? all : all.Where(b => args.Contains(b.Name)).ToList();
if (chosen.Count == 0)
{
    Console.Error.WriteLine("unknown benchmark; available: " + string.Join(", ", all.Select(b => b.Name)));
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
