using System;
using System.IO;

/// <summary><c>MetadataCheck native-table</c>: prints (and with --cpp writes) an interop assembly's native method table.</summary>
static class NativeTableCommand
{
    public static int Run(string[] args)
    {
        string pe = args[1], dll = args[2];
        string? cpp = null, symbol = null, prefix = "CoreFwHal", header = "corefw_hal.h";
        for (int i = 3; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--cpp": cpp = value; i++; break;
                case "--symbol": symbol = value; i++; break;
                case "--prefix": prefix = value; i++; break;
                case "--header": header = value; i++; break;
                default:
                    Console.Error.WriteLine($"MetadataCheck native-table: unknown argument '{args[i]}'");
                    return 2;
            }
        }
        NativeMethodTable table;
        try
        {
            table = NativeMethodTable.Read(pe, dll);
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"MetadataCheck native-table: error NF0003: {e.Message}");
            return 1;
        }
        Console.Write(table.Describe());
        if (cpp == null) return 0;

        symbol ??= "g_CLR_AssemblyNative_" + table.AssemblyName.Replace('.', '_');
        string text;
        try
        {
            text = table.ToCpp(symbol, prefix, header);
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"MetadataCheck native-table: error NF0003: {e.Message}");
            return 1;
        }
        // Unchanged text keeps the file's time stamp, so the native build does not recompile it.
        if (!File.Exists(cpp) || File.ReadAllText(cpp) != text)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(cpp))!);
            File.WriteAllText(cpp, text);
            Console.WriteLine($"wrote {cpp}");
        }
        return 0;
    }
}
