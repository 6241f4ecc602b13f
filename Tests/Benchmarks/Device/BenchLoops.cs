#nullable disable
using System;
using CoreFirmware.Application.Http;
using CoreFirmware.Application.Json;
using CoreFirmware.Application.Samples.BitcoinTicker;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Ota.Crypto;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>
    /// One workload of the device benchmark: <see cref="Run"/> does it a number of times in a row (the
    /// loop is inside, so the harness's call costs nothing per operation). Each checks its result and
    /// throws on a wrong one: a figure for work that failed is no figure.
    /// </summary>
    public abstract class BenchLoop
    {
        /// <summary>Figure id in the output (e.g. "json.ticker").</summary>
        public abstract string Id { get; }

        /// <summary>"bytes" (a throughput) or "ops" (a cost per operation).</summary>
        public abstract string Unit { get; }

        /// <summary>Units of work in one operation (bytes processed, or 1).</summary>
        public abstract long WorkPerOperation { get; }

        /// <summary>Does the operation <paramref name="times"/> times.</summary>
        public abstract void Run(int times);
    }

    /// <summary>Tokenizes one document with the JSMN-style tokenizer, into a token array or counting only.</summary>
    public sealed class TokenizeLoop : BenchLoop
    {
        private readonly string _id;
        private readonly byte[] _doc;
        private readonly JsonParser _parser = new JsonParser();
        private readonly JsonToken[] _tokens;

        /// <summary>Tokenizes <paramref name="doc"/>; with <paramref name="withTokens"/> into an array sized for it, else count-only.</summary>
        public TokenizeLoop(string id, byte[] doc, bool withTokens)
        {
            _id = id;
            _doc = doc;
            if (_parser.Parse(doc, 0, doc.Length, null) != JsonResult.Complete) throw new InvalidOperationException(id + ": document does not parse");
            if (withTokens) _tokens = new JsonToken[_parser.TokenCount];
        }

        /// <summary>Tokens in the document.</summary>
        public int TokenCount
        {
            get { return _parser.TokenCount; }
        }

        public override string Id
        {
            get { return _id; }
        }

        public override string Unit
        {
            get { return "bytes"; }
        }

        public override long WorkPerOperation
        {
            get { return _doc.Length; }
        }

        public override void Run(int times)
        {
            for (int i = 0; i < times; i++)
            {
                _parser.Reset();
                if (_parser.Parse(_doc, 0, _doc.Length, _tokens) != JsonResult.Complete) throw new InvalidOperationException(_id + ": parse failed");
            }
        }
    }

    /// <summary>SHA-256 (Ota/Image/Sha256) of one buffer, start to digest.</summary>
    public sealed class Sha256Loop : BenchLoop
    {
        private readonly byte[] _data;
        private readonly byte[] _digest = new byte[Sha256.DigestSize];
        private readonly Sha256 _sha = new Sha256();

        /// <summary>Hashes <paramref name="data"/> whole each time.</summary>
        public Sha256Loop(byte[] data)
        {
            _data = data;
        }

        public override string Id
        {
            get { return "sha256"; }
        }

        public override string Unit
        {
            get { return "bytes"; }
        }

        public override long WorkPerOperation
        {
            get { return _data.Length; }
        }

        public override void Run(int times)
        {
            for (int i = 0; i < times; i++)
            {
                _sha.Begin();
                _sha.Update(_data, 0, _data.Length);
                _sha.Finish(_digest, 0);
            }
        }
    }

    /// <summary>CRC32 (Ota/Protocol/Crc32, the OTA chunk check) of one buffer.</summary>
    public sealed class Crc32Loop : BenchLoop
    {
        private readonly byte[] _data;
        private uint _last;

        /// <summary>Checksums <paramref name="data"/> whole each time.</summary>
        public Crc32Loop(byte[] data)
        {
            _data = data;
        }

        /// <summary>The last CRC (kept so the work is observable).</summary>
        public uint Last
        {
            get { return _last; }
        }

        public override string Id
        {
            get { return "crc32"; }
        }

        public override string Unit
        {
            get { return "bytes"; }
        }

        public override long WorkPerOperation
        {
            get { return _data.Length; }
        }

        public override void Run(int times)
        {
            for (int i = 0; i < times; i++) _last = Crc32.Compute(_data, 0, _data.Length);
        }
    }

    /// <summary>One uncontended SpiBusArbiter acquire + release at a priority.</summary>
    public sealed class ArbiterLoop : BenchLoop
    {
        private readonly SpiBusArbiter _arbiter;
        private readonly BusPriority _priority;
        private readonly string _id;

        /// <summary>Acquires and releases <paramref name="arbiter"/> at <paramref name="priority"/>.</summary>
        public ArbiterLoop(SpiBusArbiter arbiter, BusPriority priority, string id)
        {
            _arbiter = arbiter;
            _priority = priority;
            _id = id;
        }

        public override string Id
        {
            get { return _id; }
        }

        public override string Unit
        {
            get { return "ops"; }
        }

        public override long WorkPerOperation
        {
            get { return 1; }
        }

        public override void Run(int times)
        {
            for (int i = 0; i < times; i++)
            {
                _arbiter.Acquire(_priority, 100);
                _arbiter.Release();
            }
        }
    }

    /// <summary>One RestClient GET of the ticker over <see cref="InMemoryTickerSockets"/>.</summary>
    public sealed class RestGetLoop : BenchLoop
    {
        private readonly RestClient _client;

        /// <summary>GETs through <paramref name="client"/>.</summary>
        public RestGetLoop(RestClient client)
        {
            _client = client;
        }

        public override string Id
        {
            get { return "rest.get"; }
        }

        public override string Unit
        {
            get { return "ops"; }
        }

        public override long WorkPerOperation
        {
            get { return 1; }
        }

        public override void Run(int times)
        {
            for (int i = 0; i < times; i++)
            {
                HttpResult r = _client.Get("ticker.local", 80, "/v2/ticker/btcusd");
                if (r != HttpResult.Ok || _client.StatusCode != 200) throw new InvalidOperationException("rest.get: " + ((int)r).ToString());
            }
        }
    }

    /// <summary>One Loop() of the Bitcoin ticker app (GET, tokenize, print four fields, toggle the LED).</summary>
    public sealed class TickerAppLoop : BenchLoop
    {
        private readonly BitcoinTickerApp _app;

        /// <summary>Runs <paramref name="app"/>'s Loop (Setup already done).</summary>
        public TickerAppLoop(BitcoinTickerApp app)
        {
            _app = app;
        }

        public override string Id
        {
            get { return "ticker.loop"; }
        }

        public override string Unit
        {
            get { return "ops"; }
        }

        public override long WorkPerOperation
        {
            get { return 1; }
        }

        public override void Run(int times)
        {
            for (int i = 0; i < times; i++) _app.Loop();
            if (_app.Failures != 0) throw new InvalidOperationException("ticker.loop: " + _app.Failures.ToString() + " failed loops");
        }
    }

    /// <summary>One ImageVerifier.Verify of an image held in (memory) flash.</summary>
    public sealed class ImageVerifyLoop : BenchLoop
    {
        private readonly string _id;
        private readonly ImageVerifier _verifier;
        private readonly IFlashReader _flash;
        private readonly int _slotSize;
        private readonly int _length;

        /// <summary>Verifies the <paramref name="length"/>-byte image at address 0 of <paramref name="flash"/> in a slot of <paramref name="slotSize"/>.</summary>
        public ImageVerifyLoop(string id, ImageVerifier verifier, IFlashReader flash, int slotSize, int length)
        {
            _id = id;
            _verifier = verifier;
            _flash = flash;
            _slotSize = slotSize;
            _length = length;
        }

        public override string Id
        {
            get { return _id; }
        }

        public override string Unit
        {
            get { return "ops"; }
        }

        public override long WorkPerOperation
        {
            get { return 1; }
        }

        public override void Run(int times)
        {
            for (int i = 0; i < times; i++)
            {
                ImageVerifyResult r = _verifier.Verify(_flash, 0, _slotSize, _length);
                if (r != ImageVerifyResult.Ok) throw new InvalidOperationException(_id + ": " + ((int)r).ToString());
            }
        }
    }

    /// <summary>One ECDSA P-256 verification (Ota/Crypto/EcdsaP256Verifier) of a valid signature over a SHA-256 digest.</summary>
    public sealed class EcdsaVerifyLoop : BenchLoop
    {
        private readonly EcdsaP256Verifier _verifier = new EcdsaP256Verifier();
        private readonly byte[] _publicKey;
        private readonly byte[] _digest;
        private readonly byte[] _signature;

        /// <summary>Verifies <paramref name="signature"/> (r || s) over <paramref name="digest"/> under <paramref name="publicKey"/> (0x04 || X || Y).</summary>
        public EcdsaVerifyLoop(byte[] publicKey, byte[] digest, byte[] signature)
        {
            _publicKey = publicKey;
            _digest = digest;
            _signature = signature;
        }

        public override string Id
        {
            get { return "ecdsa.verify"; }
        }

        public override string Unit
        {
            get { return "ops"; }
        }

        public override long WorkPerOperation
        {
            get { return 1; }
        }

        public override void Run(int times)
        {
            for (int i = 0; i < times; i++)
            {
                if (!_verifier.Verify(_publicKey, 0, _digest, 0, _signature, 0)) throw new InvalidOperationException("ecdsa.verify: rejected");
            }
        }
    }
}
