using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Diagnostics;

namespace CoreFirmware.Ota.Status
{
    /// <summary>
    /// Drives the RGB status LED from its own thread, one frame every <see cref="FramePeriodMilliseconds"/>.
    /// Patterns are counted in frames, not read from a clock, so a late frame on a busy board
    /// stretches a pattern a little but never skips a blink of an SOS code.
    /// </summary>
    /// <remarks>
    /// <see cref="SetPattern(StatusPattern)"/> and <see cref="Sos"/> are thread-safe and allocate
    /// nothing; the frame loop allocates nothing (the SOS sequence lives in a preallocated array).
    /// The LED is written only when the colour changes.
    /// </remarks>
    public sealed class StatusLed
    {
        /// <summary>Default frame period: 20 ms (50 frames/s, smooth enough for breathing).</summary>
        public const int DefaultFramePeriodMilliseconds = 20;

        /// <summary>Flashing: this many frames on, then as many off (100 ms each at 20 ms frames, about 5 Hz).</summary>
        public const int FlashFrames = 5;

        /// <summary>One Morse unit of the SOS in frames: 100 ms at 20 ms frames (about 12 words per minute).</summary>
        public const int SosUnitFrames = 5;

        /// <summary>Largest SOS blink count shown; larger codes are clamped. Spark's fault codes are well below it.</summary>
        public const int MaxSosCode = 20;

        /// <summary>Brightness of the lit half of a flash and of an SOS element.</summary>
        public const byte FullLevel = 255;

        // Segments of the SOS sequence, alternating on/off lengths in units: S (3 dots), O (3 dashes),
        // S (3 dots) = 18 segments, then on/off per blink of the code.
        private const int SosSegmentCapacity = 18 + 2 * MaxSosCode;

        // Rising half of one breath, one entry per frame: 8 + 247 * ((1 - cos(pi*i/63)) / 2)^2,
        // rounded (computed offline). The falling half plays it backwards, so a breath is
        // 128 frames (2.56 s at 20 ms). Never fully dark, so breathing is not mistaken for off.
        private static readonly byte[] BreathTable = new byte[]
        {
            8, 8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 10, 11, 11, 12,
            14, 15, 17, 19, 21, 23, 26, 29, 33, 37, 41, 45, 50, 55, 61, 67,
            73, 79, 86, 93, 100, 108, 115, 123, 131, 139, 147, 155, 163, 171, 179, 186,
            193, 201, 207, 214, 220, 226, 231, 236, 240, 244, 247, 250, 252, 254, 255, 255,
        };

        private readonly IRgbLed _led;
        private readonly int _framePeriod;
        private readonly object _sync = new object();
        private readonly AutoResetEvent _stopEvent = new AutoResetEvent(false);
        private readonly int[] _sosSegments = new int[SosSegmentCapacity];

        // Written under _sync by SetPattern, read under _sync by the frame step.
        private StatusPattern _requested = StatusPattern.Off;
        private int _requestedCode;
        private int _requestVersion;

        // Frame-loop state: only the frame step touches it.
        private int _seenVersion = -1;
        private StatusPattern _pattern = StatusPattern.Off;
        private int _frame;
        private int _sosLength;
        private int _sosTotalFrames;
        private bool _haveColor;
        private byte _r, _g, _b;

        private Thread _thread;
        private int _stopRequested;

        /// <summary>Creates the driver with the default 20 ms frame period.</summary>
        /// <param name="led">The LED to drive.</param>
        public StatusLed(IRgbLed led) : this(led, DefaultFramePeriodMilliseconds)
        {
        }

        /// <summary>Creates the driver with a given frame period (1..1000 ms; tests use short ones).</summary>
        /// <param name="led">The LED to drive.</param>
        /// <param name="framePeriodMilliseconds">Time between frames.</param>
        public StatusLed(IRgbLed led, int framePeriodMilliseconds)
        {
            if (led == null) throw new ArgumentNullException("led");
            if (framePeriodMilliseconds < 1 || framePeriodMilliseconds > 1000) throw new ArgumentOutOfRangeException("framePeriodMilliseconds");
            _led = led;
            _framePeriod = framePeriodMilliseconds;
        }

        /// <summary>The frame period in milliseconds.</summary>
        public int FramePeriodMilliseconds
        {
            get { return _framePeriod; }
        }

        /// <summary>The pattern last requested.</summary>
        public StatusPattern Pattern
        {
            get { lock (_sync) return _requested; }
        }

        /// <summary>The SOS code last requested (0 when the pattern is not <see cref="StatusPattern.Sos"/>).</summary>
        public int SosCode
        {
            get { lock (_sync) return _requestedCode; }
        }

        /// <summary>Shows <paramref name="pattern"/> from the next frame. Thread-safe, allocates nothing; setting the current pattern again does not restart it.</summary>
        /// <param name="pattern">The pattern; <see cref="StatusPattern.Sos"/> shows code 1 (use <see cref="Sos"/> for another).</param>
        public void SetPattern(StatusPattern pattern)
        {
            Request(pattern, pattern == StatusPattern.Sos ? 1 : 0);
        }

        /// <summary>Shows red SOS followed by <paramref name="code"/> blinks, repeated. Thread-safe, allocates nothing.</summary>
        /// <param name="code">The fault code, 1..<see cref="MaxSosCode"/> (clamped), e.g. 1 hard fault, 8 out of heap.</param>
        public void Sos(int code)
        {
            if (code < 1) code = 1;
            if (code > MaxSosCode) code = MaxSosCode;
            Request(StatusPattern.Sos, code);
        }

        private void Request(StatusPattern pattern, int code)
        {
            lock (_sync)
            {
                if (pattern == _requested && code == _requestedCode) return;
                _requested = pattern;
                _requestedCode = code;
                _requestVersion++;
            }
        }

        /// <summary>Starts the frame thread. Call once (again only after <see cref="Stop"/> returned true).</summary>
        public void Start()
        {
            if (_thread != null && _thread.IsAlive) throw new InvalidOperationException("already running");
            Interlocked.Exchange(ref _stopRequested, 0);
            _stopEvent.Reset();
            _thread = _guard.NewThread(Run);
            _thread.Start();
        }

        /// <summary>Stops the frame thread and turns the LED off.</summary>
        /// <param name="timeoutMilliseconds">How long to wait for the thread to end.</param>
        /// <returns>True when the thread ended within the timeout (or never ran).</returns>
        public bool Stop(int timeoutMilliseconds)
        {
            Interlocked.Exchange(ref _stopRequested, 1);
            _stopEvent.Set();
            Thread t = _thread;
            return t == null || t.Join(timeoutMilliseconds);
        }

        private readonly ThreadGuard _guard = new ThreadGuard("status LED");

        /// <summary>Where an exception that ends this thread is reported (see <see cref="ThreadGuard"/>); set before it starts.</summary>
        public ThreadFaultLog ThreadFaults { get { return _guard.Faults; } set { _guard.Faults = value; } }

        private void Run()
        {
            while (Interlocked.CompareExchange(ref _stopRequested, 0, 0) == 0)
            {
                Step();
                _stopEvent.WaitOne(_framePeriod, false);
            }

            _led.SetColor(0, 0, 0);
            _haveColor = false;
        }

        /// <summary>
        /// Renders one frame: picks up a new pattern, computes the colour and writes the LED if it
        /// changed. The frame thread calls it; call it yourself only when the thread is not started.
        /// Allocates nothing.
        /// </summary>
        public void Step()
        {
            StatusPattern pattern;
            int code;
            int version;
            lock (_sync)
            {
                pattern = _requested;
                code = _requestedCode;
                version = _requestVersion;
            }

            if (version != _seenVersion)
            {
                _seenVersion = version;
                _pattern = pattern;
                _frame = 0;
                if (pattern == StatusPattern.Sos) BuildSos(code);
            }

            byte r = 0, g = 0, b = 0;
            switch (_pattern)
            {
                case StatusPattern.BreathingCyan:
                    g = b = Breath(_frame);
                    _frame = (_frame + 1) % (2 * 64);
                    break;
                case StatusPattern.BreathingMagenta:
                    r = b = Breath(_frame);
                    _frame = (_frame + 1) % (2 * 64);
                    break;
                case StatusPattern.FlashingGreen:
                    g = Flash(_frame);
                    _frame = (_frame + 1) % (2 * FlashFrames);
                    break;
                case StatusPattern.FlashingCyan:
                    g = b = Flash(_frame);
                    _frame = (_frame + 1) % (2 * FlashFrames);
                    break;
                case StatusPattern.FlashingMagenta:
                    r = b = Flash(_frame);
                    _frame = (_frame + 1) % (2 * FlashFrames);
                    break;
                case StatusPattern.Sos:
                    r = SosLevel(_frame);
                    _frame = (_frame + 1) % _sosTotalFrames;
                    break;
                default:
                    break;
            }

            if (!_haveColor || r != _r || g != _g || b != _b)
            {
                _haveColor = true;
                _r = r;
                _g = g;
                _b = b;
                _led.SetColor(r, g, b);
            }
        }

        private static byte Breath(int frame)
        {
            int half = BreathTable.Length;
            return frame < half ? BreathTable[frame] : BreathTable[2 * half - 1 - frame];
        }

        private static byte Flash(int frame)
        {
            return frame < FlashFrames ? FullLevel : (byte)0;
        }

        private byte SosLevel(int frame)
        {
            int f = frame;
            for (int i = 0; i < _sosLength; i++)
            {
                int len = _sosSegments[i] * SosUnitFrames;
                if (f < len) return (i & 1) == 0 ? FullLevel : (byte)0;
                f -= len;
            }

            return 0;
        }

        // Morse timing: dot 1 unit, dash 3, gap inside a letter 1, between letters 3, after the
        // word 7. The code's blinks are 2 units on, 2 off, and 10 units dark before the repeat.
        private void BuildSos(int code)
        {
            int n = 0;
            n = AddLetter(n, 1, 3);
            n = AddLetter(n, 3, 3);
            n = AddLetter(n, 1, 7);
            for (int i = 0; i < code; i++)
            {
                _sosSegments[n++] = 2;
                _sosSegments[n++] = i == code - 1 ? 10 : 2;
            }

            _sosLength = n;
            int units = 0;
            for (int i = 0; i < n; i++) units += _sosSegments[i];
            _sosTotalFrames = units * SosUnitFrames;
        }

        private int AddLetter(int n, int onUnits, int gapAfter)
        {
            for (int i = 0; i < 3; i++)
            {
                _sosSegments[n++] = onUnits;
                _sosSegments[n++] = i == 2 ? gapAfter : 1;
            }

            return n;
        }
    }
}
