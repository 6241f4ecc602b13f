namespace CoreFirmware.Fuzz.Engine;

/// <summary>
/// The seed corpus of a target: the files in Corpus/&lt;target&gt;/ (kept in the repository beside
/// this project and copied next to the assembly), read as raw bytes.
/// </summary>
public static class FuzzCorpus
{
    /// <summary>The folder of <paramref name="target"/>'s seeds in the build output.</summary>
    public static string Folder(string target) => Path.Combine(AppContext.BaseDirectory, "Corpus", target);

    public static IReadOnlyList<byte[]> Load(string target)
    {
        string folder = Folder(target);
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"no seed corpus for '{target}' at {folder}");
        return Directory.GetFiles(folder)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .ToArray();
    }
}
