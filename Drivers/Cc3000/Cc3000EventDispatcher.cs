using System;
using System.Threading;
using CoreFirmware.Drivers.Diagnostics;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// The CC3000 worker: a thread that wakes on the module's IRQ (the IRQ handler only signals
    /// <see cref="Wake"/>), reads every waiting frame through the link at system-network priority
    /// and routes it: answers to the pending command, unsolicited events to the module status.
    /// </summary>
    internal sealed class Cc3000EventDispatcher
    {
        /// <summary>Idle wake-up period, a safety net against a missed edge: 20 ms.</summary>
        public const int IdleWaitMilliseconds = 20;

        /// <summary>Longest wait for the bus per read: 250 ms (a flash erase holds it up to the arbiter's 100 ms bound).</summary>
        public const int ReadBusTimeoutMilliseconds = 250;

        // Frames drained per wake before looking at the stop flag again.
        private const int MaxFramesPerWake = 32;

        private readonly Cc3000SpiLink _link;
        private readonly Cc3000PendingCommand _pending;
        private readonly Cc3000ModuleStatus _status;
        private readonly Cc3000AnswerSlot _connectSlot;
        private readonly Cc3000AnswerSlot _dnsSlot;
        private readonly AutoResetEvent _wake = new AutoResetEvent(false);
        private readonly byte[] _packet = new byte[Cc3000Protocol.MaxFrame + 1];
        private readonly object _sync = new object();
        private Thread _thread;
        private bool _stop;
        private bool _enabled;
        private int _strayPackets;
        private int _badPackets;
        private int _ignoredEvents;

        /// <summary>Creates the worker (not started).</summary>
        public Cc3000EventDispatcher(Cc3000SpiLink link, Cc3000PendingCommand pending, Cc3000ModuleStatus status,
            Cc3000AnswerSlot connectSlot, Cc3000AnswerSlot dnsSlot)
        {
            _link = link;
            _pending = pending;
            _status = status;
            _connectSlot = connectSlot;
            _dnsSlot = dnsSlot;
        }

        /// <summary>Signalled by the IRQ handler.</summary>
        public AutoResetEvent Wake
        {
            get { return _wake; }
        }

        /// <summary>False while the module is powered off or being reset: the IRQ line means nothing then.</summary>
        public bool Enabled
        {
            get { lock (_sync) return _enabled; }
            set
            {
                lock (_sync) _enabled = value;
                _wake.Set();
            }
        }

        /// <summary>Packets that answered nothing pending (late answers after a cancel).</summary>
        public int StrayPackets
        {
            get { lock (_sync) return _strayPackets; }
        }

        /// <summary>
        /// Unsolicited events the driver has no use for, consumed as TI's host driver consumes them: an
        /// unknown 0x8000-range event, or a 0x4000-range event (the unsolicited base) that answers nothing pending.
        /// </summary>
        public int IgnoredEvents
        {
            get { lock (_sync) return _ignoredEvents; }
        }

        /// <summary>Frames with impossible lengths or types.</summary>
        public int BadPackets
        {
            get { lock (_sync) return _badPackets; }
        }

        /// <summary>Starts the worker thread.</summary>
        public void Start()
        {
            lock (_sync)
            {
                if (_thread != null) return;
                _stop = false;
                _thread = _guard.NewThread(Run);
            }
            _thread.Start();
        }

        /// <summary>Stops the worker and waits up to <paramref name="timeoutMilliseconds"/> for it.</summary>
        public void Stop(int timeoutMilliseconds)
        {
            Thread t;
            lock (_sync)
            {
                _stop = true;
                t = _thread;
                _thread = null;
            }
            _wake.Set();
            if (t != null) t.Join(timeoutMilliseconds);
        }

        private bool Stopping
        {
            get { lock (_sync) return _stop; }
        }

        private readonly ThreadGuard _guard = new ThreadGuard("CC3000 event dispatcher");

        /// <summary>Where an exception that ends this thread is reported (see <see cref="ThreadGuard"/>); set before it starts.</summary>
        public ThreadFaultLog ThreadFaults { get { return _guard.Faults; } set { _guard.Faults = value; } }

        private void Run()
        {
            while (!Stopping)
            {
                _wake.WaitOne(IdleWaitMilliseconds, false);
                if (!Enabled) continue;
                for (int i = 0; i < MaxFramesPerWake && !Stopping && Enabled; i++)
                {
                    if (!_link.IrqLow) break;
                    int n = _link.Read(_packet, ReadBusTimeoutMilliseconds);
                    if (n == 0) break;
                    if (n < 0)
                    {
                        if (n == Cc3000SpiLink.BadLength) CountBad();
                        break;
                    }
                    Dispatch(n);
                }
            }
        }

        private void Dispatch(int length)
        {
            byte type = _packet[0];
            if (type == Cc3000Protocol.HciEvent && length >= Cc3000Protocol.EventHeaderSize)
            {
                int opcode = HciCodec.GetU16(_packet, 1);
                int argsLength = _packet[3] - 1;
                if (argsLength < 0 || Cc3000Protocol.EventHeaderSize + argsLength > length)
                {
                    CountBad();
                    return;
                }
                int status = _packet[4];
                if (IsUnsolicited(opcode))
                {
                    OnUnsolicited(opcode, status, Cc3000Protocol.EventHeaderSize, argsLength);
                    return;
                }
                if (_connectSlot.OnEvent(opcode, status, _packet, Cc3000Protocol.EventHeaderSize, argsLength)) return;
                if (_dnsSlot.OnEvent(opcode, status, _packet, Cc3000Protocol.EventHeaderSize, argsLength)) return;
                if (_pending.OnEvent(opcode, status, _packet, Cc3000Protocol.EventHeaderSize, argsLength)) return;
                // TI: in the 0x4000 range only free-buffers is handled as unsolicited; the answers to
                // simple-link start (0x4000) and read-buffer-size (0x400B) go to their command, and any
                // other event nobody waits for is consumed. Only an answer-range event is a stray answer.
                if ((opcode & Cc3000Protocol.UnsolicitedBase) != 0) CountIgnored();
                else CountStray();
                return;
            }
            if (type == Cc3000Protocol.HciData && length >= Cc3000Protocol.DataHeaderSize)
            {
                int argsLength = _packet[2];
                int payload = HciCodec.GetU16(_packet, 3);
                if (argsLength > payload || Cc3000Protocol.DataHeaderSize + payload > length || _packet[1] != Cc3000Protocol.DataRecv)
                {
                    CountBad();
                    return;
                }
                int data = Cc3000Protocol.DataHeaderSize + argsLength;
                if (!_pending.OnData(_packet, data, payload - argsLength)) CountStray();
                return;
            }
            CountBad();
        }

        private static bool IsUnsolicited(int opcode)
        {
            return (opcode & 0x8000) != 0 || opcode == Cc3000Protocol.UnsolFreeBuffers;
        }

        private void OnUnsolicited(int opcode, int status, int args, int argsLength)
        {
            switch (opcode)
            {
                case Cc3000Protocol.UnsolFreeBuffers:
                {
                    // u16 entries, then per entry u16 socket, u16 buffers freed.
                    if (argsLength < 2) return;
                    int entries = HciCodec.GetU16(_packet, args);
                    for (int i = 0; i < entries && 2 + 4 * i + 4 <= argsLength; i++)
                    {
                        // An entry: socket (u8), mode (u8), buffers freed (u16), as TI lays out the flow-control event.
                        int sd = _packet[args + 2 + 4 * i];
                        _status.AddFreed(sd, HciCodec.GetU16(_packet, args + 2 + 4 * i + 2));
                    }
                    return;
                }
                case Cc3000Protocol.UnsolConnect:
                    _status.OnAssociated(true);
                    return;
                case Cc3000Protocol.UnsolDisconnect:
                    _status.OnAssociated(false);
                    return;
                case Cc3000Protocol.UnsolDhcp:
                    if (status == 0 && argsLength >= 4) _status.OnDhcp(HciCodec.GetU32(_packet, args));
                    return;
                case Cc3000Protocol.UnsolTcpCloseWait:
                    // TI: the first argument byte is the socket whose peer sent FIN.
                    if (argsLength >= 1) _status.OnCloseWait(_packet[args]);
                    return;
                default:
                    CountIgnored(); // other reports (keep-alive, scan results, ping, ...) are not used
                    return;
            }
        }

        private void CountStray()
        {
            lock (_sync) _strayPackets++;
        }

        private void CountIgnored()
        {
            lock (_sync) _ignoredEvents++;
        }

        private void CountBad()
        {
            lock (_sync) _badPackets++;
        }
    }
}
