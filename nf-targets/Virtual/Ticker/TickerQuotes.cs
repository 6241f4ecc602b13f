using System.Globalization;
using System.Text;

namespace CoreFirmware.Virtual.Ticker;

/// <summary>
/// Bitcoin ticker documents for <see cref="TickerServer"/>: a Bitstamp-like flat object and a
/// CoinDesk-like price index with nested objects, from a seeded random walk so values change on
/// every request and runs are reproducible. Thread-safe.
/// </summary>
public sealed class TickerQuotes
{
    private static readonly (string Code, string Symbol, string Description, double Rate)[] Currencies =
    {
        ("USD", "&#36;", "United States Dollar", 1.0),
        ("GBP", "&pound;", "British Pound Sterling", 0.79),
        ("EUR", "&euro;", "Euro", 0.92),
        ("JPY", "&yen;", "Japanese Yen", 151.2),
        ("CHF", "CHF", "Swiss Franc", 0.88),
        ("CAD", "CA&#36;", "Canadian Dollar", 1.36),
        ("AUD", "AU&#36;", "Australian Dollar", 1.52),
        ("CNY", "&yen;", "Chinese Yuan Renminbi", 7.23),
        ("SEK", "kr", "Swedish Krona", 10.4),
        ("NZD", "NZ&#36;", "New Zealand Dollar", 1.64),
    };

    private readonly object _sync = new();
    private readonly Random _random;
    private double _price = 43250.0;
    private long _timestamp = 1_700_000_000;
    private long _sequence;

    /// <summary>Creates a generator; the same seed gives the same sequence of documents.</summary>
    public TickerQuotes(int seed = 2014)
    {
        _random = new Random(seed);
    }

    /// <summary>The next Bitstamp-like ticker (about 200-260 bytes; decimals vary per request).</summary>
    public string NextBitstamp()
    {
        lock (_sync)
        {
            Step();
            int decimals = 2 + (int)(_sequence % 4);
            double spread = 0.5 + _random.NextDouble() * 20;
            var sb = new StringBuilder(320);
            sb.Append("{\"high\": \"").Append(F(_price * 1.021, decimals))
              .Append("\", \"last\": \"").Append(F(_price, decimals))
              .Append("\", \"timestamp\": \"").Append(_timestamp.ToString(CultureInfo.InvariantCulture))
              .Append("\", \"bid\": \"").Append(F(_price - spread, decimals))
              .Append("\", \"vwap\": \"").Append(F(_price * (1 + (_random.NextDouble() - 0.5) * 0.01), decimals))
              .Append("\", \"volume\": \"").Append(F(2000 + _random.NextDouble() * 9000, 8))
              .Append("\", \"low\": \"").Append(F(_price * 0.978, decimals))
              .Append("\", \"ask\": \"").Append(F(_price + spread, decimals))
              .Append("\", \"open\": ").Append(F(_price * (1 + (_random.NextDouble() - 0.5) * 0.04), 2))
              .Append('}');
            return sb.ToString();
        }
    }

    /// <summary>The next CoinDesk-like price index with 1 to 3 currencies (about 450-1000 bytes).</summary>
    public string NextCoinDesk()
    {
        lock (_sync)
        {
            Step();
            int count = 1 + (int)(_sequence % 3);
            return CoinDesk(count, 0);
        }
    }

    /// <summary>A CoinDesk-like document padded with more currency entries until it is at least <paramref name="minimumSize"/> bytes (valid JSON).</summary>
    public string Huge(int minimumSize)
    {
        lock (_sync)
        {
            Step();
            return CoinDesk(Currencies.Length, minimumSize);
        }
    }

    private string CoinDesk(int count, int minimumSize)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(_timestamp);
        var sb = new StringBuilder(1024 + minimumSize);
        sb.Append("{\"time\":{\"updated\":\"").Append(time.ToString("MMM d, yyyy HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))
          .Append("\",\"updatedISO\":\"").Append(time.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture))
          .Append("\",\"updateduk\":\"").Append(time.ToString("MMM d, yyyy 'at' HH:mm 'GMT'", CultureInfo.InvariantCulture))
          .Append("\"},\"disclaimer\":\"This data was produced from the CoreFirmware ticker server for tests. Not investment advice.\"")
          .Append(",\"chartName\":\"Bitcoin\",\"bpi\":{");
        int written = 0;
        int round = 0;
        while (written < count || sb.Length < minimumSize)
        {
            var c = Currencies[written % Currencies.Length];
            string code = round == 0 ? c.Code : c.Code + round.ToString(CultureInfo.InvariantCulture);
            double rate = _price * c.Rate * (1 + (_random.NextDouble() - 0.5) * 0.002);
            if (written > 0) sb.Append(',');
            sb.Append('"').Append(code).Append("\":{\"code\":\"").Append(code)
              .Append("\",\"symbol\":\"").Append(c.Symbol)
              .Append("\",\"rate\":\"").Append(rate.ToString("#,0.0000", CultureInfo.InvariantCulture))
              .Append("\",\"description\":\"").Append(c.Description)
              .Append("\",\"rate_float\":").Append(F(rate, 4)).Append('}');
            written++;
            if (written % Currencies.Length == 0) round++;
        }
        sb.Append("}}");
        return sb.ToString();
    }

    private void Step()
    {
        _sequence++;
        _timestamp += 1 + _random.Next(30);
        _price *= 1 + (_random.NextDouble() - 0.5) * 0.004;
    }

    private static string F(double value, int decimals) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);
}
