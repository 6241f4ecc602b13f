namespace CoreFirmware.Virtual.PowerCut;

/// <summary>
/// `power-cut-sweep`: runs <see cref="PowerCutSweep"/> and prints the figures (operations in the dry
/// run, cut points tried, boots old / new, bricks). Exit code 0 when there are no bricks.
/// Flags: --max-points N, --image-kb K, --seed S, --factory, --unsafe (the negative run), --parallel N, --work-dir DIR.
/// </summary>
public static class PowerCutSweepCommand
{
    public static int Run(string[] args)
    {
        var options = new PowerCutSweepOptions();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--max-points": options.MaxPoints = int.Parse(args[++i]); break;
                case "--image-kb": options.ImageKb = int.Parse(args[++i]); break;
                case "--seed": options.Seed = int.Parse(args[++i]); break;
                case "--factory": options.FactoryImage = true; break;
                case "--unsafe": options.BootStep = new UnsafeInstallStep(); break;
                case "--parallel": options.Parallelism = int.Parse(args[++i]); break;
                case "--work-dir": options.WorkDirectory = args[++i]; break;
                default:
                    Console.Error.WriteLine($"power-cut-sweep: unknown flag '{args[i]}'");
                    Console.Error.WriteLine("flags: --max-points N (default 2000) --image-kb K (default 16) --seed S --factory --unsafe --parallel N --work-dir DIR");
                    return 2;
            }
        }

        options.Log = line => Console.WriteLine("  " + line);
        Console.WriteLine($"CoreFirmware virtual Core: power-cut sweep over a full update ({options.ImageKb} KB images, {options.BootStep.Name})");
        var result = new PowerCutSweep(options).Run();
        Console.WriteLine();
        Console.WriteLine(result.Summary());
        return result.Bricks == 0 ? 0 : 1;
    }
}
