using CoreFirmware.Application.App;
using CoreFirmware.Application.Http;
using CoreFirmware.Application.Json;
using CoreFirmware.Drivers.Cloud;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Application.Samples.BitcoinTicker
{
    /// <summary>
    /// The app from the 2014 report that locked the Core out of OTA updates: in a loop with no
    /// delay, fetch a Bitcoin ticker over REST, tokenize the JSON, print the fields to Serial1 and
    /// toggle the LED. Here it is written against the bounded REST client and the tokenizer, so
    /// after <see cref="Setup"/> a loop iteration allocates nothing and memory stays flat however
    /// long it runs.
    /// <para>In the cloud (when the system gives one): variable <c>price</c> (string, the last price's
    /// text), <c>requests</c> and <c>failures</c> (int); function <c>interval</c> (argument: milliseconds
    /// between polls, 0 to 60000; 0 polls with no delay, as the original; returns the new interval,
    /// -1 for a bad argument); event <c>btc-price</c> (public, the last price) at most every
    /// <see cref="PublishEveryMilliseconds"/>.</para>
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

        private static readonly string PriceVariable = "price";
        private static readonly string RequestsVariable = "requests";
        private static readonly string FailuresVariable = "failures";
        private static readonly string IntervalFunction = "interval";
        private static readonly string PriceEvent = "btc-price";

        /// <summary>Longest price text kept (a price is a few digits).</summary>
        public const int MaxPriceLength = 32;

        /// <summary>Longest poll interval the <c>interval</c> function takes.</summary>
        public const int MaxIntervalMilliseconds = 60000;

        /// <summary>The price event goes out at most this often (the cloud allows about 1 a second).</summary>
        public const int PublishEveryMilliseconds = 2000;

        private readonly object _priceSync = new object();
        private readonly byte[] _price = new byte[MaxPriceLength];
        private int _priceLength;
        private readonly byte[] _pricePublish = new byte[MaxPriceLength];
        private int _intervalMs;
        private long _lastPollMs = -1;
        private long _lastPublishMs = -1;
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

        /// <summary>Milliseconds between polls (0: none, as the original app); set by the cloud function <c>interval</c>.</summary>
        public int IntervalMilliseconds
        {
            get { return System.Threading.Interlocked.CompareExchange(ref _intervalMs, 0, 0); }
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
            ICloud cloud = context.Cloud;
            if (cloud != null)
            {
                cloud.Variable(PriceVariable, new CloudStringVariable(ReadPrice));
                cloud.Variable(RequestsVariable, new CloudIntVariable(ReadRequests));
                cloud.Variable(FailuresVariable, new CloudIntVariable(ReadFailures));
                cloud.Function(IntervalFunction, new CloudFunction(SetInterval));
            }
        }

        // Cloud callbacks: they run on the system's cloud-call thread, beside Loop.
        private int ReadPrice(byte[] buffer, int offset, int capacity)
        {
            lock (_priceSync)
            {
                int n = _priceLength < capacity ? _priceLength : capacity;
                for (int i = 0; i < n; i++) buffer[offset + i] = _price[i];
                return n;
            }
        }

        private int ReadRequests()
        {
            return System.Threading.Interlocked.CompareExchange(ref _requests, 0, 0);
        }

        private int ReadFailures()
        {
            return System.Threading.Interlocked.CompareExchange(ref _failures, 0, 0);
        }

        private int SetInterval(CloudArgument argument)
        {
            int ms;
            if (!argument.TryParseInt(out ms) || ms < 0 || ms > MaxIntervalMilliseconds) return -1;
            System.Threading.Interlocked.Exchange(ref _intervalMs, ms);
            return ms;
        }

        /// <inheritdoc />
        public void Loop()
        {
            int interval = IntervalMilliseconds;
            long now = _context.Clock.UptimeMilliseconds;
            if (interval > 0 && _lastPollMs >= 0 && now - _lastPollMs < interval)
            {
                // Waits in short steps so a shorter interval (or a reset) takes effect soon.
                long left = interval - (now - _lastPollMs);
                System.Threading.Thread.Sleep(left < 50 ? (int)left : 50);
                return;
            }

            _lastPollMs = now;
            SerialWriter serial = _context.Serial1;
            System.Threading.Interlocked.Increment(ref _requests);
            HttpResult result = _client.Get(Host, Port, Path);
            if (result != HttpResult.Ok || _client.StatusCode != 200)
            {
                System.Threading.Interlocked.Increment(ref _failures);
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
                System.Threading.Interlocked.Increment(ref _failures);
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
            KeepPrice(body);

            _ledOn = !_ledOn;
            _context.UserLed.Write(_ledOn ? PinValue.High : PinValue.Low);
        }

        // Keeps the "last" value's text for the cloud variable and publishes it (at most every PublishEveryMilliseconds).
        private void KeepPrice(byte[] body)
        {
            int value = JsonTokenReader.FindKey(body, _tokens, 0, LastKey);
            if (value < 0) return;
            int start = _tokens[value].Start;
            int length = _tokens[value].End - start;
            if (length > MaxPriceLength) length = MaxPriceLength;
            lock (_priceSync)
            {
                for (int i = 0; i < length; i++) _price[i] = body[start + i];
                _priceLength = length;
            }

            ICloud cloud = _context.Cloud;
            long now = _context.Clock.UptimeMilliseconds;
            if (cloud == null || (_lastPublishMs >= 0 && now - _lastPublishMs < PublishEveryMilliseconds)) return;
            for (int i = 0; i < length; i++) _pricePublish[i] = body[start + i];
            if (cloud.Publish(PriceEvent, _pricePublish, 0, length, 0, false) == PublishResult.Ok) _lastPublishMs = now;
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
