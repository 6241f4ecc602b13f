namespace CoreFirmware.Fuzz.Engine;

/// <summary>A target's invariant did not hold for an input (a finding, not a crash of the fuzzer).</summary>
public sealed class FuzzInvariantException(string message) : Exception(message)
{
    /// <summary>Throws when <paramref name="condition"/> is false.</summary>
    public static void Check(bool condition, string message)
    {
        if (!condition) throw new FuzzInvariantException(message);
    }
}
