using CoreFirmware.Nano.Repros;
using Xunit;

namespace CoreFirmware.Tests.Nano;

/// <summary>
/// The repro programs of nanoCLR's defects (Tests/Nano/Repros) run on CoreCLR: each check's expected
/// value is CoreCLR's answer, so here none may show a defect (on nanoCLR the README says which do).
/// </summary>
[Trait("Category", "Nano")]
public sealed class NanoReprosOnCoreClr
{
    [Fact]
    public void EveryReproGivesTheExpectedAnswerOnCoreClr()
    {
        var output = new StringWriter();
        var previous = Console.Out;
        int defects;
        lock (typeof(Console))
        {
            Console.SetOut(output);
            try
            {
                defects = ReproProgram.RunAll();
            }
            finally
            {
                Console.SetOut(previous);
            }
        }

        string text = output.ToString();
        Assert.True(defects == 0, text);
        Assert.Contains("@@repro call-before-try.catch expected=outer got=outer ok", text);
        Assert.Contains("@@repros 0", text);
    }
}
