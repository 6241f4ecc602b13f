using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// The CC3000's SPI framing: one frame per bus transaction, with the IRQ handshake and the
    /// first-write rule. Writes: take the bus, assert CS, wait for the module to pull IRQ low,
    /// clock 0x01, length (BE, padded so the frame is even), two busy bytes and the packet. The
    /// first write after power-up waits ~50 us after CS, then goes as 4 bytes, a ~50 us pause, then the rest. Reads (only when
    /// IRQ is low): clock 0x03 0x00 0x00 and two more bytes, which bring the length (BE), then the
    /// packet and a pad byte when the frame would be odd.
    /// </summary>
    internal sealed class Cc3000SpiLink
    {
        /// <summary>The frame went out.</summary>
        public const int Ok = 0;
        /// <summary>The bus was not granted in time.</summary>
        public const int BusUnavailable = -1;
        /// <summary>The module did not pull IRQ low (not ready, or stuck).</summary>
        public const int NotReady = -2;
        /// <summary>The module announced a frame length the driver cannot take.</summary>
        public const int BadLength = -3;

        /// <summary>
        /// Longest wait, with the bus held and CS low, for the module's ready (IRQ low): 10 ms, well
        /// under the arbiter's hold bound. The module answers CS within microseconds when alive.
        /// </summary>
        public const int ReadyWaitMilliseconds = 10;

        private readonly ISpiDevice _spi;
        private readonly IGpioPin _irq;
        private readonly IBusArbiter _arbiter;
        private readonly IClock _clock;
        private readonly AutoResetEvent _irqFell;
        private readonly byte[] _readHeaderOut = new byte[] { Cc3000Protocol.SpiRead, 0, 0, 0, 0 };
        private readonly byte[] _readHeaderIn = new byte[Cc3000Protocol.SpiHeaderSize];
        private readonly byte[] _pad = new byte[1];
        private readonly object _sync = new object();
        private bool _firstWritePending;
        private int _frames;

        /// <summary>Creates the link. <paramref name="irqFell"/> is signalled by the IRQ handler on each falling edge.</summary>
        public Cc3000SpiLink(ISpiDevice spi, IGpioPin irq, IBusArbiter arbiter, IClock clock, AutoResetEvent irqFell)
        {
            _spi = spi;
            _irq = irq;
            _arbiter = arbiter;
            _clock = clock;
            _irqFell = irqFell;
        }

        /// <summary>True from power-up until the first write went out; reads are not done meanwhile
        /// (IRQ low then means "ready for the first write", not "frame waiting").</summary>
        public bool FirstWritePending
        {
            get { lock (_sync) return _firstWritePending; }
            set { lock (_sync) _firstWritePending = value; }
        }

        /// <summary>Frames moved (both directions).</summary>
        public int Frames
        {
            get { lock (_sync) return _frames; }
        }

        /// <summary>True when the module holds IRQ low.</summary>
        public bool IrqLow
        {
            get { return _irq.Read() == PinValue.Low; }
        }

        /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for IRQ low; true if it is low.</summary>
        public bool WaitIrqLow(int timeoutMilliseconds)
        {
            long deadline = _clock.UptimeMilliseconds + timeoutMilliseconds;
            while (true)
            {
                if (_irq.Read() == PinValue.Low) return true;
                long left = deadline - _clock.UptimeMilliseconds;
                if (left <= 0) return false;
                _irqFell.WaitOne((int)left, false);
            }
        }

        /// <summary>
        /// Writes one frame: the HCI packet at frame[5..5+headLength) followed by
        /// data[dataOffset..+dataLength) (data may be null). Returns <see cref="Ok"/>,
        /// <see cref="BusUnavailable"/> or <see cref="NotReady"/>.
        /// </summary>
        public int Write(byte[] frame, int headLength, byte[] data, int dataOffset, int dataLength,
            BusPriority priority, int busTimeoutMilliseconds)
        {
            int payload = headLength + dataLength;
            bool pad = ((Cc3000Protocol.SpiHeaderSize + payload) & 1) != 0;
            int length = pad ? payload + 1 : payload;
            frame[0] = Cc3000Protocol.SpiWrite;
            frame[1] = (byte)(length >> 8);
            frame[2] = (byte)length;
            frame[3] = 0;
            frame[4] = 0;

            if (!_arbiter.TryAcquire(priority, busTimeoutMilliseconds)) return BusUnavailable;
            try
            {
                _spi.Select();
                int wait = _arbiter.RemainingHoldMilliseconds;
                if (wait > ReadyWaitMilliseconds) wait = ReadyWaitMilliseconds;
                if (wait < 1) wait = 1;
                if (!WaitIrqLow(wait))
                {
                    _spi.Deselect();
                    return NotReady;
                }
                int head = Cc3000Protocol.SpiHeaderSize + headLength;
                if (FirstWritePending)
                {
                    // TI's first write: CS, ~50 us, 4 bytes, ~50 us, the rest (the module is not ready
                    // to clock the first bytes at once even though IRQ is already low).
                    SpinTicks(Cc3000Protocol.FirstWriteGapTicks);
                    _spi.Write(frame, 0, Cc3000Protocol.FirstWriteSplit);
                    SpinTicks(Cc3000Protocol.FirstWriteGapTicks);
                    _spi.Write(frame, Cc3000Protocol.FirstWriteSplit, head - Cc3000Protocol.FirstWriteSplit);
                }
                else
                {
                    _spi.Write(frame, 0, head);
                }
                if (dataLength > 0) _spi.Write(data, dataOffset, dataLength);
                if (pad)
                {
                    _pad[0] = 0;
                    _spi.Write(_pad, 0, 1);
                }
                lock (_sync)
                {
                    _firstWritePending = false;
                    _frames++;
                }
                _spi.Deselect();
                return Ok;
            }
            finally
            {
                _arbiter.Release();
            }
        }

        /// <summary>
        /// Reads one module-initiated frame into <paramref name="packet"/> (the HCI packet from index
        /// 0) when IRQ is low. Returns the packet length, 0 when nothing is waiting,
        /// <see cref="BusUnavailable"/> or <see cref="BadLength"/>. Uses the system network priority:
        /// the module must be drained for everyone.
        /// </summary>
        public int Read(byte[] packet, int busTimeoutMilliseconds)
        {
            if (!_arbiter.TryAcquire(BusPriority.SystemNetwork, busTimeoutMilliseconds)) return BusUnavailable;
            try
            {
                // Checked with the bus held: no write can be in flight, so IRQ low means a frame waits.
                if (FirstWritePending || _irq.Read() != PinValue.Low) return 0;
                _spi.Select();
                _spi.TransferFullDuplex(_readHeaderOut, 0, _readHeaderIn, 0, Cc3000Protocol.SpiHeaderSize);
                int length = (_readHeaderIn[3] << 8) | _readHeaderIn[4];
                bool pad = ((Cc3000Protocol.SpiHeaderSize + length) & 1) != 0;
                int clocked = pad ? length + 1 : length;
                if (length == 0 || clocked > packet.Length)
                {
                    _spi.Deselect();
                    return BadLength;
                }
                _spi.Read(packet, 0, clocked);
                _spi.Deselect();
                lock (_sync) _frames++;
                return length;
            }
            finally
            {
                _arbiter.Release();
            }
        }

        private void SpinTicks(long ticks)
        {
            long until = _clock.UptimeTicks + ticks;
            while (_clock.UptimeTicks < until)
            {
            }
        }
    }
}
