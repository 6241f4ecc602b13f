using CoreFirmware.Application.App;
using CoreFirmware.Application.Http;
using CoreFirmware.Application.Json;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Application.Samples.BitcoinTicker
{
    /// <summary>
    /// The app from the 2014 report that locked the Core out of OTA updates: in a loop with no
    /// delay, fetch a Bitcoin ticker over REST, tokenize the JSON, print the fields to Serial1 and
    /// toggle the LED. Here it is written against the bounded REST client and the tokenizer, so
    /// after <see cref="Setup"/> a loop iteration allocates nothing and memory stays flat however
    /// long it runs.
    /// </summary>
    public sealed class BitcoinTickerApp : IUserApp, IAppCounters
    {
        /// <summary>Tokens for one reply: a Bitstamp ticker has 19 (one object, nine keys, nine values).</summary>
        public const int MaxTokens = 64;

        private readonly JsonToken[] _tokens = new JsonToken[MaxTokens];
        private readonly JsonParser _parser = new JsonParser();
        private UserAppContext _context;
        private RestClient _client;
        private bool _ledOn;
        // The text Loop prints, in static fields: nanoCLR allocates a new string object each time it
        // executes a string literal (ldstr), so a literal in Loop would cost heap on every request.
        private static readonly string Hash = "#";
        private static readonly string RequestFailed = " request failed: ";
        private static readonly string HttpStatus = " HTTP ";
        private static readonly string NotAnObject = " reply is not a JSON object";
        private static readonly string Pair = " BTC/USD";
        private static readonly string LastLabel = " last ";
        private static readonly string LastKey = "last";
        private static readonly string BidLabel = " bid ";
        private static readonly string BidKey = "bid";
        private static readonly string AskLabel = " ask ";
        private static readonly string AskKey = "ask";
        private static readonly string VolumeLabel = " volume ";
        private static readonly string VolumeKey = "volume";
        private static readonly string Missing = "?";

        private int _requests;
        private int _parsed;
        private int _failures;

        /// <summary>Creates the app for the ticker at http://<paramref name="host"/>:<paramref name="port"/><paramref name="path"/>.</summary>
        public BitcoinTickerApp(string host, int port, string path)
        {
            Host = host;
            Port = port;
            Path = path;
        }

        /// <summary>Creates the app for the default ticker (http://ticker.local/v2/ticker/btcusd).</summary>
        public BitcoinTickerApp() : this("ticker.local", 80, "/v2/ticker/btcusd")
        {
        }

        /// <summary>Ticker host (name or dotted IPv4).</summary>
        public string Host { get; private set; }

        /// <summary>Ticker TCP port.</summary>
        public int Port { get; private set; }

        /// <summary>Ticker path.</summary>
        public string Path { get; private set; }

        /// <summary>Requests made.</summary>
        public int Requests
        {
            get { return _requests; }
        }

        /// <summary>Replies tokenized and printed.</summary>
        public int Parsed
        {
            get { return _parsed; }
        }

        /// <summary>Same as <see cref="Parsed"/> (IAppCounters).</summary>
        public int Completed
        {
            get { return _parsed; }
        }

        /// <summary>Requests that failed (network, HTTP status or JSON).</summary>
        public int Failures
        {
            get { return _failures; }
        }

        /// <summary>Result of the last request.</summary>
        public HttpResult LastResult
        {
            get { return _client == null ? HttpResult.Ok : _client.Result; }
        }

        /// <inheritdoc />
        public void Setup(UserAppContext context)
        {
            _context = context;
            _client = new RestClient(context.Network, context.Clock);
            context.UserLed.SetPinMode(PinMode.Output);
            context.Serial1.Print("Bitcoin ticker: http://").Print(Host).Print(":").Print(Port).Print(Path).PrintLine();
        }

        /// <inheritdoc />
        public void Loop()
        {
            SerialWriter serial = _context.Serial1;
            _requests++;
            HttpResult result = _client.Get(Host, Port, Path);
            if (result != HttpResult.Ok || _client.StatusCode != 200)
            {
                _failures++;
                serial.Print(Hash).Print(_requests).Print(RequestFailed).Print(Describe(result));
                if (result == HttpResult.Ok) serial.Print(HttpStatus).Print(_client.StatusCode);
                serial.PrintLine();
                return;
            }

            byte[] body = _client.Body;
            _parser.Reset();
            JsonResult parsed = _parser.Parse(body, _client.BodyOffset, _client.BodyLength, _tokens);
            if (parsed != JsonResult.Complete || _tokens[0].Type != JsonTokenType.Object)
            {
                _failures++;
                serial.Print(Hash).Print(_requests).PrintLine(NotAnObject);
                return;
            }

            _parsed++;
            serial.Print(Hash).Print(_requests).Print(Pair);
            PrintField(serial, body, LastLabel, LastKey);
            PrintField(serial, body, BidLabel, BidKey);
            PrintField(serial, body, AskLabel, AskKey);
            PrintField(serial, body, VolumeLabel, VolumeKey);
            serial.PrintLine();

            _ledOn = !_ledOn;
            _context.UserLed.Write(_ledOn ? PinValue.High : PinValue.Low);
        }

        // Prints label and the raw text of the value of key (a string's text without its quotes).
        private void PrintField(SerialWriter serial, byte[] body, string label, string key)
        {
            int value = JsonTokenReader.FindKey(body, _tokens, 0, key);
            serial.Print(label);
            if (value < 0)
            {
                serial.Print(Missing);
                return;
            }
            // Fields read in place: copying the struct out of the array is a heap copy on nanoCLR.
            int start = _tokens[value].Start;
            serial.Print(body, start, _tokens[value].End - start);
        }

        private static string Describe(HttpResult result)
        {
            switch (result)
            {
                case HttpResult.Ok: return "ok";
                case HttpResult.TimedOut: return "timed out";
                case HttpResult.ConnectionRefused: return "connection refused";
                case HttpResult.HostNotFound: return "host not found";
                case HttpResult.TooLarge: return "reply too large";
                case HttpResult.HeadersTooLarge: return "headers too large";
                case HttpResult.Truncated: return "reply truncated";
                case HttpResult.MalformedResponse: return "malformed reply";
                case HttpResult.Preempted: return "preempted by an update";
                case HttpResult.NetworkError: return "network error";
                case HttpResult.InvalidRequest: return "invalid request";
                default: return "error";
            }
        }
    }
}
