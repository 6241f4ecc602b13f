using System.Globalization;
using System.Text;
using CoreFirmware.Application.Json;
using Xunit;
using static CoreFirmware.Tests.Json.JsonTestSupport;

namespace CoreFirmware.Tests.Json;

/// <summary>
/// TryGetDouble gives the correctly rounded double (round half to even) of any JSON number, the
/// same bits as CoreCLR's double.Parse; a value too small for a double rounds to zero with its
/// sign, a value that rounds past double.MaxValue is a clear failure (false), never infinity
/// (issue 12, item 4: <c>0.&lt;400 zeros&gt;1</c> used to give +Infinity).
/// </summary>
[Trait("Category", "Json")]
public sealed class JsonDoubleRoundingTests
{
    private static bool Read(string text, out double value)
    {
        byte[] json = Utf8(text);
        Assert.Equal(JsonResult.Complete, ParseAll(json, out var tokens));
        return JsonTokenReader.TryGetDouble(json, tokens, 0, out value);
    }

    private static void AssertSameAsDoubleParse(string text)
    {
        double expected = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        bool ok = Read(text, out double got);
        if (double.IsInfinity(expected))
        {
            Assert.False(ok, $"{Short(text)}: out of range must fail, got {got:R}");
            return;
        }

        Assert.True(ok, $"{Short(text)}: failed");
        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(got),
            $"{Short(text)}: expected {expected:R}, got {got:R}");
    }

    private static string Short(string text) => text.Length <= 80 ? text : text[..40] + "..." + text[^30..] + $" ({text.Length} chars)";

    [Fact]
    public void UnderflowRoundsToZeroNeverInfinity()
    {
        string tiny = "0." + new string('0', 400) + "1";
        Assert.True(Read(tiny, out double v));
        Assert.Equal(0.0, v);
        Assert.False(double.IsNegative(v));
        Assert.True(Read("-" + tiny, out v));
        Assert.True(v == 0.0 && double.IsNegative(v), $"-tiny gave {v:R}");
        Assert.True(Read("1e-400", out v));
        Assert.Equal(0.0, v);
        Assert.True(Read("0." + new string('0', 300) + "1", out v));
        Assert.Equal(1e-301, v);
        Assert.True(Read("1" + new string('0', 400) + "e-800", out v));
        Assert.Equal(0.0, v);
        Assert.True(Read("0." + new string('0', 400) + "1e500", out v));
        Assert.Equal(1e99, v);
        Assert.True(Read("-0", out v));
        Assert.True(v == 0.0 && double.IsNegative(v));
    }

    [Fact]
    public void OverflowIsAClearFailure()
    {
        foreach (string text in new[] { "1e400", "-1e400", "1e309", "1.7976931348623159e308", "17976931348623159" + new string('0', 292), "1e99999999999" })
        {
            Assert.False(Read(text, out double v), $"{Short(text)} gave {v:R}");
            Assert.Equal(0.0, v);
        }

        // Up to half an ulp above the largest double still rounds to it.
        Assert.True(Read("1.7976931348623158e308", out double max));
        Assert.Equal(double.MaxValue, max);
        Assert.True(Read("-1.7976931348623158079e308", out double min));
        Assert.Equal(double.MinValue, min);
    }

    [Theory]
    [InlineData("2.2250738585072011e-308")]   // the classic endless-loop input of 2011, just below the smallest normal
    [InlineData("2.2250738585072012e-308")]
    [InlineData("2.2250738585072014e-308")]
    [InlineData("4.9406564584124654e-324")]   // the smallest subnormal
    [InlineData("2.4703282292062327e-324")]   // below half of it: 0
    [InlineData("2.4703282292062328e-324")]   // above half of it: the smallest subnormal
    [InlineData("2.470328229206232720882778e-324")]
    [InlineData("1.7976931348623157e308")]
    [InlineData("9007199254740993")]          // 2^53 + 1: a tie, to even
    [InlineData("9007199254740995")]
    [InlineData("1.00000000000000011102230246251565404236316680908203125")]    // exactly halfway: to even (1)
    [InlineData("1.00000000000000011102230246251565404236316680908203124")]
    [InlineData("1.00000000000000011102230246251565404236316680908203126")]
    [InlineData("8.98846567431158e307")]
    [InlineData("1.602176634e-19")]
    [InlineData("6.02214076e23")]
    [InlineData("1e23")]
    [InlineData("8.589973e9")]
    [InlineData("3.0517578125e-05")]
    [InlineData("0.1")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("-0.000000000000000000000000000000000000000000000000000000000000000001")]
    public void HardCasesMatchDoubleParse(string text)
    {
        AssertSameAsDoubleParse(text);
    }

    [Fact]
    public void DigitsPastTheKeptOnesStillDecideATie()
    {
        // 800 significant digits decide every case exactly; beyond them only "some digit is not zero" counts.
        string half = "1.00000000000000011102230246251565404236316680908203125";
        AssertSameAsDoubleParse(half + new string('0', 900));
        AssertSameAsDoubleParse(half + new string('0', 900) + "1");
        AssertSameAsDoubleParse(half + new string('0', 900) + "1e-200");
        // Exactly half of the smallest subnormal (2^-1075 = 5^1075 * 10^-1075): a tie, to even (0).
        string subnormalHalf = System.Numerics.BigInteger.Pow(5, 1075).ToString(CultureInfo.InvariantCulture) + "e-1075";
        AssertSameAsDoubleParse(subnormalHalf);
        AssertSameAsDoubleParse(subnormalHalf.Replace("e-1075", "000000001e-1084"));
        AssertSameAsDoubleParse("0." + new string('9', 1200));
        AssertSameAsDoubleParse(new string('9', 309));
        AssertSameAsDoubleParse(new string('9', 310));
    }

    [Fact]
    public void RandomNumbersMatchDoubleParse()
    {
        // Deterministic: 17 to 25 significant digits over the whole exponent range, and the shortest
        // round-trip text of random doubles (subnormals included).
        var random = new Random(12);
        var text = new StringBuilder();
        for (int i = 0; i < 4000; i++)
        {
            text.Clear();
            if (random.Next(2) == 0) text.Append('-');
            int digits = 17 + random.Next(9);
            text.Append((char)('1' + random.Next(9))).Append('.');
            for (int k = 1; k < digits; k++) text.Append((char)('0' + random.Next(10)));
            text.Append('e').Append(random.Next(-345, 312));
            AssertSameAsDoubleParse(text.ToString());

            double d = BitConverter.Int64BitsToDouble(random.NextInt64(0, 0x7FF0000000000000));
            AssertSameAsDoubleParse(d.ToString("R", CultureInfo.InvariantCulture));
        }
    }
}
