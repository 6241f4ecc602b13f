#nullable disable
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>An RGB LED that shows nothing.</summary>
    public sealed class BenchRgbLed : IRgbLed
    {
        /// <inheritdoc />
        public void SetColor(byte red, byte green, byte blue)
        {
        }
    }

    /// <summary>A hardware watchdog that never bites (the benchmark is no board).</summary>
    public sealed class BenchWatchdog : IWatchdog
    {
        private bool _running;

        /// <inheritdoc />
        public void Start(int timeoutMilliseconds)
        {
            _running = true;
        }

        /// <inheritdoc />
        public void Feed()
        {
        }

        /// <inheritdoc />
        public bool IsRunning
        {
            get { return _running; }
        }

        /// <inheritdoc />
        public bool LastResetWasWatchdog
        {
            get { return false; }
        }
    }

    /// <summary>Serial1 with no cable: bytes written are counted and dropped.</summary>
    public sealed class BenchSerialPort : ISerialPort
    {
        private long _bytes;

        /// <summary>Bytes written so far.</summary>
        public long Bytes
        {
            get { return _bytes; }
        }

        /// <inheritdoc />
        public void Write(byte[] buffer, int offset, int count)
        {
            _bytes += count;
        }
    }
}
