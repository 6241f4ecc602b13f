namespace CoreFirmware.Fuzz.Engine;

/// <summary>An input that broke an invariant, threw, or did not finish within the hang bound.</summary>
public sealed record FuzzFinding(string Target, string Kind, string Detail, byte[] Input)
{
    /// <summary>The input as hex (what a test failure prints; `--replay` takes the saved file).</summary>
    public string InputHex => Convert.ToHexString(Input.Length <= 512 ? Input : Input[..512]) + (Input.Length > 512 ? "..." : "");

    public override string ToString() => $"{Target}: {Kind}: {Detail}\n  input ({Input.Length} bytes): {InputHex}";
}
