using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

// Two checks of the device build, run by MSBuild (nf-targets/SparkCore/DeviceBuild):
//   MetadataCheck <assembly.dll> [--allow <assembly name>]... [--allow-call-before-try] [--firmware]
//       the compiled assembly is acceptable to nanoFramework 1.x (NanoMetadataRules): no generics,
//       multi-dimensional arrays or pointers; references only mscorlib and the allowed deployments;
//       no call directly before a try (CallBeforeTryRule: a nanoCLR defect; the option is for its repro).
//       With --firmware (the system's deployments) also SafetySwitchRule: no switch that disables a
//       safety mechanism.
//   MetadataCheck switches <assembly.dll>...
//       SafetySwitchRule alone, on any build of the firmware assemblies (the tests run it on the host build).
//   MetadataCheck deployments <deploy folder> <nanoFramework tools folder> [budget bytes]
//       every .pe a device would hold is valid and loads with its references on nanoCLR (DeploymentCheck).
//   MetadataCheck native-table <assembly.pe> <assembly.dll> [--cpp <out.cpp> --symbol <C name> --prefix <fn prefix> --header <h>]
//       prints an interop assembly's native method table and the checksum the metadata processor put in
//       the .pe (NativeMethodTable); with --cpp, writes the C++ table nanoCLR registers (only if changed).
// Exit 0 when acceptable; 1 with one line per finding otherwise; 2 on a usage error.
if (args.Length >= 3 && args[0] == "deployments")
{
    long budget = args.Length > 3 ? long.Parse(args[3]) : 0;
    return new DeploymentCheck(args[1], args[2], budget).Run();
}

if (args.Length >= 3 && args[0] == "native-table")
{
    return NativeTableCommand.Run(args);
}

if (args.Length >= 2 && args[0] == "switches")
{
    int found = 0;
    foreach (var path in args.Skip(1))
    {
        using var s = File.OpenRead(path);
        using var r = new PEReader(s);
        foreach (var f in SafetySwitchRule.Check(r.GetMetadataReader()))
        {
            Console.Error.WriteLine($"{Path.GetFileName(path)}: error NF0003: {f}");
            found++;
        }
    }
    if (found > 0) return 1;
    Console.WriteLine($"MetadataCheck: no safety switch in {string.Join(", ", args.Skip(1).Select(Path.GetFileName))}.");
    return 0;
}

if (args.Length < 1 || args[0].StartsWith("--"))
{
    Console.Error.WriteLine("usage: MetadataCheck <assembly.dll> [--allow <assembly name>]... [--allow-call-before-try] | MetadataCheck deployments <folder> <tools> [budget]");
    return 2;
}
var allowed = new HashSet<string>(StringComparer.Ordinal);
bool allowCallBeforeTry = false;
bool firmware = false;
for (int i = 1; i < args.Length; i++)
{
    if (args[i] == "--allow" && i + 1 < args.Length) allowed.Add(args[++i]);
    else if (args[i] == "--allow-call-before-try") allowCallBeforeTry = true;
    else if (args[i] == "--firmware") firmware = true;
    else { Console.Error.WriteLine($"MetadataCheck: unknown argument '{args[i]}'"); return 2; }
}

using var stream = File.OpenRead(args[0]);
using var pe = new PEReader(stream);
var md = pe.GetMetadataReader();
var findings = new NanoMetadataRules(pe, md, allowed, allowCallBeforeTry).Check();
foreach (var f in findings)
    Console.Error.WriteLine($"{Path.GetFileName(args[0])}: error NF0001: {f}");
var switches = firmware ? SafetySwitchRule.Check(md) : new List<string>();
foreach (var f in switches)
    Console.Error.WriteLine($"{Path.GetFileName(args[0])}: error NF0003: {f}");
if (findings.Count > 0 || switches.Count > 0)
{
    if (findings.Count > 0) Console.Error.WriteLine($"{findings.Count} construct(s) that nanoFramework 1.x cannot load.");
    if (switches.Count > 0) Console.Error.WriteLine($"{switches.Count} safety switch(es) in the firmware: negative runs wire their replacements in from test code.");
    return 1;
}
string refs = allowed.Count == 0 ? "mscorlib only" : "mscorlib and " + string.Join(", ", allowed);
Console.WriteLine($"MetadataCheck: {Path.GetFileName(args[0])} uses no generics, multi-dimensional arrays or pointers{(allowCallBeforeTry ? "" : ", no call directly before a try")}; references {refs}"
    + (firmware ? "; no safety switch." : "."));
return 0;
