namespace CoreFirmware.Fuzz.Engine;

/// <summary>What a run did: iterations, distinct outcomes, working corpus size and findings.</summary>
public sealed record FuzzReport(string Target, long Iterations, TimeSpan Elapsed, int Outcomes, int CorpusSize, IReadOnlyList<FuzzFinding> Findings)
{
    public override string ToString() =>
        $"{Target,-14} {Iterations,12:N0} inputs  {Iterations / Math.Max(Elapsed.TotalSeconds, 0.001),10:N0}/s  {Outcomes,5} outcomes  corpus {CorpusSize,5}  findings {Findings.Count}";
}
