using CoreFirmware.Drivers.Hal;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Status;

namespace CoreFirmware.Ota.Update
{
    /// <summary>
    /// The OTA service's progress hook for the checks at UpdateDone (the whole image's CRC, then the
    /// signed image's hash and signature, <see cref="ImageVerifier.Progress"/>): each step checks in the
    /// system watchdog, and at most every <see cref="KeepAliveMilliseconds"/> it publishes a
    /// "verifying &lt;done&gt; &lt;total&gt;" event on <see cref="OtaService.EventName"/>, which keeps the link busy
    /// and tells the cloud, which waits for the answer to UpdateDone, that the device is still at it.
    /// </summary>
    /// <remarks>
    /// Why: on a 168 MHz Cortex-M4 the hash of a 640 KB image takes 15-45 s (README, "Timing on a slow
    /// CPU") inside one call on the cloud link's thread: without check-ins the system watchdog's 15 s
    /// check-in timeout resets the board in the middle of every large update, and the cloud gives up on
    /// UpdateDone after 15 s of silence. Allocation: the event buffer, in the constructor.
    /// </remarks>
    public sealed class OtaVerifyProgress : IWorkProgress
    {
        /// <summary>Longest silence on the link while verifying: 5 s, a third of the cloud's 15 s UpdateDone wait.</summary>
        public const int KeepAliveMilliseconds = 5000;

        /// <summary>The event's text before the figures.</summary>
        public static readonly string VerifyingText = "verifying ";

        private readonly IOtaChannel _channel;
        private readonly IClock _clock;
        private readonly byte[] _text = new byte[40];
        private SystemWatchdog _watchdog;
        private long _lastSentMs;
        private int _steps;
        private int _eventsSent;

        /// <summary>Creates the hook over the service's channel and clock.</summary>
        public OtaVerifyProgress(IOtaChannel channel, IClock clock)
        {
            _channel = channel;
            _clock = clock;
        }

        /// <summary>The watchdog to check in (the system runtime's; null: none).</summary>
        public SystemWatchdog Watchdog
        {
            get { return _watchdog; }
            set { _watchdog = value; }
        }

        /// <summary>Steps reported so far.</summary>
        public int Steps
        {
            get { return _steps; }
        }

        /// <summary>"verifying" events sent so far.</summary>
        public int EventsSent
        {
            get { return _eventsSent; }
        }

        /// <summary>Called when the checks at UpdateDone begin: the silence is counted from here.</summary>
        public void Begin()
        {
            _lastSentMs = _clock.UptimeMilliseconds;
            SystemWatchdog w = _watchdog;
            if (w != null) w.Checkin();
        }

        /// <inheritdoc />
        public void Progress(int bytesDone, int bytesTotal)
        {
            _steps++;
            SystemWatchdog w = _watchdog;
            if (w != null) w.Checkin();
            long now = _clock.UptimeMilliseconds;
            if (now - _lastSentMs < KeepAliveMilliseconds) return;
            _lastSentMs = now;
            int n = Ascii.Put(VerifyingText, _text, 0);
            n = Ascii.PutDecimal((uint)bytesDone, _text, n);
            _text[n++] = (byte)' ';
            n = Ascii.PutDecimal((uint)bytesTotal, _text, n);
            if (_channel.IsConnected && _channel.Publish(OtaService.EventName, _text, 0, n)) _eventsSent++;
        }
    }
}
