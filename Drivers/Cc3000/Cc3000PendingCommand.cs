using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// The one command in flight and its answer. The caller arms it before writing the command; the
    /// worker completes it from the answering event (and, for a recv that returned bytes, from the
    /// data packet that follows, copied straight into the caller's buffer). A caller that gives up
    /// cancels it under the same lock, so a late answer can never write into a buffer it left.
    /// </summary>
    internal sealed class Cc3000PendingCommand
    {
        /// <summary>Argument bytes kept from an answer: the largest answer used (recv: 12) with room to spare.</summary>
        public const int MaxArgs = 32;

        private readonly object _sync = new object();
        private readonly AutoResetEvent _done = new AutoResetEvent(false);
        private readonly IClock _clock;
        private readonly byte[] _args = new byte[MaxArgs];
        private int _opcode = -1;
        private bool _completed;
        private bool _awaitingData;
        private int _status;
        private int _argsLength;
        private byte[] _dest;
        private int _destOffset;
        private int _destMax;
        private int _dataLength;
        // Liveness probes written after a command's time ran out: their answers' opcode, how many are
        // still to be answered (an earlier probe's late answer must not pass for the latest one's), and
        // whether the latest was answered. Kept across commands until absorbed or the module resets.
        private int _probeOpcode = -1;
        private int _probesOutstanding;
        // Of those, the ones written before the command now armed: their answers come before its own.
        private int _probesBeforeCommand;
        private bool _probeAnswered;

        /// <summary>Creates the slot.</summary>
        public Cc3000PendingCommand(IClock clock)
        {
            _clock = clock;
        }

        /// <summary>Arguments of the answer (valid after a successful <see cref="Finish"/>).</summary>
        public byte[] Args
        {
            get { return _args; }
        }

        /// <summary>Status byte of the answer.</summary>
        public int Status
        {
            get { lock (_sync) return _status; }
        }

        /// <summary>Argument bytes in the answer.</summary>
        public int ArgsLength
        {
            get { lock (_sync) return _argsLength; }
        }

        /// <summary>Data bytes copied into the receive buffer.</summary>
        public int DataLength
        {
            get { lock (_sync) return _dataLength; }
        }

        /// <summary>Expects the event <paramref name="opcode"/>; a recv answer's data goes to <paramref name="dest"/>.</summary>
        public void Arm(int opcode, byte[] dest, int destOffset, int destMax)
        {
            lock (_sync)
            {
                _opcode = opcode;
                _completed = false;
                _awaitingData = false;
                _status = 0;
                _argsLength = 0;
                _dataLength = 0;
                _dest = dest;
                _destOffset = destOffset;
                _destMax = destMax;
                _probesBeforeCommand = _probesOutstanding;
                _done.Reset();
            }
        }

        /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for the answer. False (and the command cancelled) when none came.</summary>
        public bool Finish(int timeoutMilliseconds)
        {
            long deadline = _clock.UptimeMilliseconds + timeoutMilliseconds;
            while (true)
            {
                lock (_sync)
                {
                    if (_completed) return true;
                }
                long left = deadline - _clock.UptimeMilliseconds;
                if (left <= 0) break;
                _done.WaitOne((int)left, false);
            }
            lock (_sync)
            {
                if (_completed) return true;
                Clear();
                return false;
            }
        }

        /// <summary>
        /// Waits up to <paramref name="timeoutMilliseconds"/> for the answer; true when it came. Unlike
        /// <see cref="Finish"/> the command stays armed when it did not (a probe may follow).
        /// </summary>
        public bool Wait(int timeoutMilliseconds)
        {
            long deadline = _clock.UptimeMilliseconds + timeoutMilliseconds;
            while (true)
            {
                lock (_sync)
                {
                    if (_completed) return true;
                }
                long left = deadline - _clock.UptimeMilliseconds;
                if (left <= 0) return false;
                _done.WaitOne((int)left, false);
            }
        }

        /// <summary>
        /// A liveness probe (command <paramref name="opcode"/>) is about to be written while the command
        /// stays armed: its answer is told apart from the command's and absorbed whenever it comes.
        /// </summary>
        public void ArmProbe(int opcode)
        {
            lock (_sync)
            {
                _probeOpcode = opcode;
                _probesOutstanding++;
                _probeAnswered = false;
                _done.Reset();
            }
        }

        /// <summary>Probe outcome: the command's own answer came (late).</summary>
        public const int CommandAnswered = 2;
        /// <summary>Probe outcome: only the probe was answered: the module is alive, the command's answer is lost.</summary>
        public const int ProbeAnswered = 1;
        /// <summary>Probe outcome: nothing came: the module does not answer.</summary>
        public const int NothingAnswered = 0;

        /// <summary>
        /// After <see cref="ArmProbe"/>: waits up to <paramref name="timeoutMilliseconds"/> for the
        /// command's answer or the probe's (in order, the module answers the command first). Returns
        /// <see cref="CommandAnswered"/>, <see cref="ProbeAnswered"/> (the command is cancelled) or
        /// <see cref="NothingAnswered"/> (the command is cancelled; the probe is forgotten).
        /// </summary>
        public int WaitWithProbe(int timeoutMilliseconds)
        {
            long deadline = _clock.UptimeMilliseconds + timeoutMilliseconds;
            while (true)
            {
                lock (_sync)
                {
                    if (_completed) return CommandAnswered;
                    if (_probeAnswered && !_awaitingData)
                    {
                        _probeAnswered = false;
                        Clear();
                        return ProbeAnswered;
                    }
                }
                long left = deadline - _clock.UptimeMilliseconds;
                if (left <= 0) break;
                _done.WaitOne((int)left, false);
            }
            lock (_sync)
            {
                if (_completed) return CommandAnswered;
                Clear();
                return NothingAnswered;
            }
        }

        /// <summary>The module was reset: no probe answer will come.</summary>
        public void ForgetProbe()
        {
            lock (_sync)
            {
                _probeOpcode = -1;
                _probesOutstanding = 0;
                _probesBeforeCommand = 0;
                _probeAnswered = false;
            }
        }

        /// <summary>Drops the command (no answer will be taken for it).</summary>
        public void Cancel()
        {
            lock (_sync) Clear();
        }

        /// <summary>Worker: an event arrived. True when it answered the pending command.</summary>
        public bool OnEvent(int opcode, int status, byte[] packet, int argsOffset, int argsLength)
        {
            lock (_sync)
            {
                // An earlier probe's answer comes before this command's (the module answers in order),
                // even when the command is itself a read-buffer-size.
                bool earlierProbe = _probesBeforeCommand > 0 && opcode == _probeOpcode;
                if (earlierProbe || opcode != _opcode || _completed || _awaitingData)
                {
                    if (_probesOutstanding == 0 || opcode != _probeOpcode) return false;
                    if (_probesBeforeCommand > 0) _probesBeforeCommand--;
                    // A probe's answer (after the command's, if that came): absorbed here. The module
                    // answers in order, so the latest probe is answered when none is left outstanding.
                    _probesOutstanding--;
                    if (_probesOutstanding == 0) _probeAnswered = true;
                    _done.Set();
                    return true;
                }
                int n = argsLength < MaxArgs ? argsLength : MaxArgs;
                Array.Copy(packet, argsOffset, _args, 0, n);
                _argsLength = n;
                _status = status;
                if (opcode == Cc3000Protocol.Recv && _dest != null && n >= 8 && HciCodec.GetI32(_args, 4) > 0)
                {
                    _awaitingData = true; // the bytes follow in a data packet
                    return true;
                }
                Complete();
                return true;
            }
        }

        /// <summary>Worker: a recv data packet arrived. True when it belonged to the pending recv.</summary>
        public bool OnData(byte[] packet, int dataOffset, int dataLength)
        {
            lock (_sync)
            {
                if (!_awaitingData) return false;
                int n = dataLength < _destMax ? dataLength : _destMax;
                if (n > 0) Array.Copy(packet, dataOffset, _dest, _destOffset, n);
                _dataLength = n;
                Complete();
                return true;
            }
        }

        private void Complete()
        {
            _completed = true;
            _awaitingData = false;
            _opcode = -1;
            _dest = null;
            _done.Set();
        }

        private void Clear()
        {
            _opcode = -1;
            _awaitingData = false;
            _dest = null;
        }
    }
}
