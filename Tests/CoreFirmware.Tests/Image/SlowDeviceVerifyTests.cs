using System.Security.Cryptography;
using System.Text;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Drivers.Flash;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Status;
using CoreFirmware.Ota.Update;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Ota;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Image;

/// <summary>
/// The checks at UpdateDone at the speed of a 168 MHz Cortex-M4 (README, "Timing on a slow CPU"): a
/// simulated clock advances 18 ms per 256-byte read of the image (SHA-256 at 14 KB/s, the slow end of
/// the 15-45 s estimate for a 640 KB slot) and 4 s for the ECDSA verification, so the verification of
/// a 640 KB image takes about 50 s of device time inside one <see cref="ImageVerifier.Verify"/>. With the
/// progress hook (<see cref="OtaVerifyProgress"/>) the system thread checks in every 16 KB and the
/// longest silence is the ECDSA call; without it (the negative run) the check-in gap is the whole
/// verification, past the system watchdog's 15 s check-in timeout: the board would reset in the middle
/// of every large update.
/// </summary>
[Trait("Category", "Image")]
public sealed class SlowDeviceVerifyTests : IDisposable
{
    private const int MillisecondsPerRead = 18;
    private const int EcdsaMilliseconds = 4000;
    private const int ImageSize = 640 * 1024;

    private static readonly ECDsa Key = ImageSigner.GenerateKey();
    private readonly SimulatedDevice _device = new();
    private readonly byte[] _image = Signed(ImageSize - 1024);

    public void Dispose() => _device.Crypto.Dispose();

    // Header + payload hashed in 16 KB steps, and one more call before the signature check.
    private int ExpectedSteps => (_image.Length - ImageFormat.StandardTrailerSize) / ImageVerifier.ProgressStepBytes + 1;

    [Fact]
    public void WithTheProgressHookTheSystemThreadChecksInThroughoutAFiftySecondVerification()
    {
        var (result, progress) = Verify(withHook: true);

        Assert.Equal(ImageVerifyResult.Ok, result);
        Assert.True(_device.Clock.UptimeMilliseconds > SystemWatchdog.DefaultCheckinTimeoutMilliseconds * 3,
            $"the verification took {_device.Clock.UptimeMilliseconds} ms of device time: not slow enough to test anything");
        // The longest silence is the signature check, which starts with a fresh check-in.
        Assert.InRange(_device.LongestCheckinGapMs, EcdsaMilliseconds, SystemWatchdog.DefaultCheckinTimeoutMilliseconds / 2);
        Assert.False(_device.WatchdogWouldStarve);
        Assert.Equal(ExpectedSteps, progress.Steps); // every 16 KB, plus one before ECDSA
        // The cloud hears "verifying ..." at most every 5 s of device time (and waits for UpdateDone again at each).
        Assert.InRange(_device.Events.Count, (int)(_device.Clock.UptimeMilliseconds / 10_000), (int)(_device.Clock.UptimeMilliseconds / OtaVerifyProgress.KeepAliveMilliseconds));
        Assert.All(_device.Events, e => Assert.StartsWith("verifying ", e));
    }

    [Fact]
    public void NegativeRunWithoutTheHookTheWatchdogStarvesInsideOneVerify()
    {
        var (result, _) = Verify(withHook: false);

        Assert.Equal(ImageVerifyResult.Ok, result);
        Assert.True(_device.LongestCheckinGapMs > SystemWatchdog.DefaultCheckinTimeoutMilliseconds,
            $"longest check-in gap {_device.LongestCheckinGapMs} ms");
        Assert.True(_device.WatchdogWouldStarve);
        Assert.Empty(_device.Events);
    }

    [Fact]
    public void TheOtaServiceSetsItsHookOnTheStagingWriterAndTheVerifier()
    {
        using var rig = new OtaRig();
        Assert.Same(rig.Ota.VerifyProgress, rig.Staging.Progress);
        Assert.Same(rig.Ota.VerifyProgress, rig.Policy.Verifier.Progress);
    }

    [Fact]
    public void TheBootloaderFeedsARunningHardwareWatchdogWhileItVerifies()
    {
        var watchdog = new CountingWatchdog { IsRunning = true };
        var feed = new BootWatchdogFeed(watchdog);
        var verifier = new ImageVerifier(_device.Crypto, ImageSigner.PublicKeyPoint(Key), SparkCoreBoard.ImageBoardId) { Progress = feed };
        Assert.Equal(ImageVerifyResult.Ok, verifier.Verify(_device.Flash(_image), 0, ImageSize, _image.Length));
        Assert.Equal(ExpectedSteps, watchdog.Feeds);

        var stopped = new CountingWatchdog();
        verifier.Progress = new BootWatchdogFeed(stopped);
        Assert.Equal(ImageVerifyResult.Ok, verifier.Verify(_device.Flash(_image), 0, ImageSize, _image.Length));
        Assert.Equal(0, stopped.Feeds); // a watchdog that is not running is left alone
    }

    private (ImageVerifyResult, OtaVerifyProgress) Verify(bool withHook)
    {
        var progress = new OtaVerifyProgress(_device, _device.Clock) { Watchdog = _device.Watchdog };
        var verifier = new ImageVerifier(_device.Crypto, ImageSigner.PublicKeyPoint(Key), SparkCoreBoard.ImageBoardId);
        if (withHook) verifier.Progress = progress;
        progress.Begin();
        _device.StartWatching();
        ImageVerifyResult result = verifier.Verify(_device.Flash(_image), 0, ImageSize, _image.Length);
        _device.Observe();
        return (result, progress);
    }

    private static byte[] Signed(int payloadSize)
    {
        var payload = new byte[payloadSize - ImageFormat.StandardTrailerSize];
        new Random(11).NextBytes(payload);
        return ImageSigner.Sign(payload, new ImageVersion(1, 0, 0, 0), SparkCoreBoard.ImageBoardId, Key);
    }

    private sealed class CountingWatchdog : IWatchdog
    {
        public int Feeds;
        public bool IsRunning { get; set; }
        public bool LastResetWasWatchdog => false;
        public void Start(int timeoutMilliseconds) => IsRunning = true;
        public void Feed() => Feeds++;
    }

    /// <summary>
    /// The slow device: its clock, its flash (each read costs device time), its crypto (ECDSA costs
    /// device time), its system watchdog (not started: the test plays the supervisor, looking at the
    /// check-ins after every step of device time) and the link the hook publishes on.
    /// </summary>
    private sealed class SimulatedDevice : IOtaChannel
    {
        public readonly SimulatedClock Clock = new();
        public readonly SlowCrypto Crypto;
        public readonly SystemWatchdog Watchdog;
        public readonly List<string> Events = new();
        private int _seenCheckins;
        private long _lastCheckinMs;

        public SimulatedDevice()
        {
            Crypto = new SlowCrypto(this);
            Watchdog = new SystemWatchdog(new CountingWatchdog(), Clock);
        }

        public long LongestCheckinGapMs { get; private set; }
        public bool WatchdogWouldStarve => LongestCheckinGapMs > Watchdog.CheckinTimeoutMilliseconds;

        public IFlashReader Flash(byte[] image) => new SlowFlash(this, image);

        public void StartWatching()
        {
            _seenCheckins = Watchdog.Checkins;
            _lastCheckinMs = Clock.UptimeMilliseconds;
            LongestCheckinGapMs = 0;
        }

        /// <summary>Device time passes: the supervisor's view before and after.</summary>
        public void Spend(int milliseconds)
        {
            Observe();
            Clock.Advance(milliseconds);
            Observe();
        }

        public void Observe()
        {
            long now = Clock.UptimeMilliseconds;
            LongestCheckinGapMs = Math.Max(LongestCheckinGapMs, now - _lastCheckinMs);
            if (Watchdog.Checkins != _seenCheckins)
            {
                _seenCheckins = Watchdog.Checkins;
                _lastCheckinMs = now;
            }
        }

        public bool IsConnected => true;
        public bool SendResponse(byte[] token, int tokenLength, int code, byte[] payload, int offset, int count) => true;
        public bool SendChunkMissed(int[] indexes, int offset, int count) => true;

        public bool Publish(string name, byte[] data, int offset, int count)
        {
            Assert.Equal(OtaService.EventName, name);
            Events.Add(Encoding.ASCII.GetString(data, offset, count));
            return true;
        }
    }

    private sealed class SimulatedClock : IClock
    {
        private long _ms;
        public long UptimeMilliseconds => _ms;
        public long UptimeTicks => _ms * TimeSpan.TicksPerMillisecond;
        public void Advance(int milliseconds) => _ms += milliseconds;
    }

    private sealed class SlowFlash(SimulatedDevice device, byte[] image) : IFlashReader
    {
        public void Read(int address, byte[] buffer, int offset, int count)
        {
            Array.Copy(image, address, buffer, offset, count);
            device.Spend(MillisecondsPerRead);
        }
    }

    /// <summary>The host's crypto with the ECDSA verification taking device time.</summary>
    private sealed class SlowCrypto(SimulatedDevice device) : ICrypto, IDisposable
    {
        private readonly HostCrypto _host = new();

        public bool EcdsaP256Verify(byte[] publicKey, int publicKeyOffset, byte[] digest, int digestOffset, byte[] signature, int signatureOffset)
        {
            device.Spend(EcdsaMilliseconds);
            return _host.EcdsaP256Verify(publicKey, publicKeyOffset, digest, digestOffset, signature, signatureOffset);
        }

        public int RsaEncrypt(byte[] publicKeyDer, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity) => throw new NotSupportedException();
        public int RsaDecrypt(byte[] privateKeyDer, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity) => throw new NotSupportedException();
        public int RsaSignRaw(byte[] privateKeyDer, byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset, int outputCapacity) => throw new NotSupportedException();
        public bool RsaVerifyRaw(byte[] publicKeyDer, byte[] signature, int signatureOffset, int signatureCount, byte[] expected, int expectedOffset, int expectedCount) => throw new NotSupportedException();
        public int AesCbcEncrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity) => throw new NotSupportedException();
        public int AesCbcDecrypt(byte[] key, byte[] iv, byte[] input, int inputOffset, int inputCount, byte[] output, int outputOffset, int outputCapacity) => throw new NotSupportedException();
        public int HmacSha1(byte[] key, int keyOffset, int keyCount, byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset) => throw new NotSupportedException();
        public int Sha256(byte[] data, int dataOffset, int dataCount, byte[] output, int outputOffset) => _host.Sha256(data, dataOffset, dataCount, output, outputOffset);
        public void Dispose() => _host.Dispose();
    }
}
