namespace CoreFirmware.Fuzz.Engine;

/// <summary>
/// One parser under fuzzing. <see cref="Run"/> feeds it one input and checks the invariants; a
/// broken invariant throws <see cref="FuzzInvariantException"/>, and any other exception that
/// escapes is a finding too (the parsers document none for hostile bytes).
/// </summary>
public interface IFuzzTarget
{
    /// <summary>Short name: the corpus folder (Corpus/&lt;name&gt;) and the command-line argument.</summary>
    string Name { get; }

    /// <summary>Longest input the mutator makes for this target.</summary>
    int MaxInputLength { get; }

    /// <summary>Byte strings the mutator splices in (keywords, delimiters, interesting numbers).</summary>
    IReadOnlyList<byte[]> Dictionary { get; }

    /// <summary>
    /// Runs one input. Returns a short description of what the parser made of it (its result and
    /// the paths it took); inputs that give a description not seen before join the working corpus.
    /// </summary>
    string Run(byte[] input);
}
