using System.Threading;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// One slow module command at a time of one kind (connect, gethostbyname), answered outside the
    /// command gate: the module runs it (a TCP handshake, a DNS lookup) while it takes other commands,
    /// so the caller holds the gate only to write it and waits for the answer here, and the cloud's and
    /// the OTA's commands go on meanwhile. The answer names no socket, so a second command of the kind
    /// waits until the first is answered. A caller that gives up leaves the slot "orphaned" until the
    /// answer comes or its bound passes, so a late answer can never be taken for the next command's.
    /// </summary>
    internal sealed class Cc3000AnswerSlot
    {
        /// <summary>Longest single wait here before looking again (abort, reset): 20 ms.</summary>
        public const int WaitSliceMilliseconds = 20;

        /// <summary>Argument bytes a command of the slot may have (gethostbyname: 8 + a 64-byte name).</summary>
        public const int MaxArgs = 8 + Cc3000Protocol.MaxHostName;

        private readonly object _sync = new object();
        private readonly IClock _clock;
        private readonly Cc3000PendingCommand _answer;
        private readonly AutoResetEvent _changed = new AutoResetEvent(false);
        private readonly byte[] _args = new byte[MaxArgs];
        private readonly int _opcode;
        private bool _owned;
        private long _orphanUntil;
        private int _resets;

        /// <summary>Creates the slot for commands <paramref name="opcode"/>.</summary>
        public Cc3000AnswerSlot(IClock clock, int opcode)
        {
            _clock = clock;
            _opcode = opcode;
            _answer = new Cc3000PendingCommand(clock);
        }

        /// <summary>The command's opcode.</summary>
        public int Opcode
        {
            get { return _opcode; }
        }

        /// <summary>Where the owner builds the command's arguments before it enters the gate.</summary>
        public byte[] Args
        {
            get { return _args; }
        }

        /// <summary>The answer (valid after <see cref="Wait"/> returned true).</summary>
        public Cc3000PendingCommand Answer
        {
            get { return _answer; }
        }

        /// <summary>
        /// Takes the slot, waiting up to <paramref name="timeoutMilliseconds"/> while another caller's
        /// command (or an abandoned one's answer, within its bound) has it. False when the time ran out
        /// or <paramref name="cancellation"/> cancelled <paramref name="token"/>.
        /// </summary>
        public bool Acquire(int timeoutMilliseconds, ICc3000WaitCancellation cancellation, int token)
        {
            long deadline = _clock.UptimeMilliseconds + timeoutMilliseconds;
            while (true)
            {
                lock (_sync)
                {
                    long now = _clock.UptimeMilliseconds;
                    if (!_owned && (_orphanUntil == 0 || now >= _orphanUntil))
                    {
                        if (_orphanUntil != 0)
                        {
                            // The abandoned command's answer never came in its bound: forget it.
                            _answer.Cancel();
                            _orphanUntil = 0;
                        }
                        _owned = true;
                        return true;
                    }
                }
                if (cancellation != null && cancellation.IsCancelled(token)) return false;
                long left = deadline - _clock.UptimeMilliseconds;
                if (left <= 0) return false;
                _changed.WaitOne(left < WaitSliceMilliseconds ? (int)left : WaitSliceMilliseconds, false);
            }
        }

        /// <summary>Expects the answer of the command about to be written; returns the reset count to pass to <see cref="WasReset"/>.</summary>
        public int Arm()
        {
            lock (_sync)
            {
                _answer.Arm(_opcode, null, 0, 0);
                return _resets;
            }
        }

        /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> (one slice at most) for the answer; true when it is in.</summary>
        public bool Wait(int timeoutMilliseconds)
        {
            if (timeoutMilliseconds > WaitSliceMilliseconds) timeoutMilliseconds = WaitSliceMilliseconds;
            if (timeoutMilliseconds < 0) timeoutMilliseconds = 0;
            return _answer.Wait(timeoutMilliseconds);
        }

        /// <summary>True when the module was reset since <see cref="Arm"/> returned <paramref name="resets"/> (no answer will come).</summary>
        public bool WasReset(int resets)
        {
            lock (_sync) return _resets != resets;
        }

        /// <summary>
        /// Gives the slot back. When the answer is not in, the command stays armed until it comes or
        /// until <paramref name="answerBy"/> (the module's bound for it): until then nobody else takes the slot.
        /// </summary>
        public void Release(bool answered, long answerBy)
        {
            lock (_sync)
            {
                _owned = false;
                if (!answered && !_answer.Wait(0)) _orphanUntil = answerBy > 0 ? answerBy : 1;
                else _orphanUntil = 0;
            }
            _changed.Set();
        }

        /// <summary>Worker: an event arrived; true when it was this slot's answer.</summary>
        public bool OnEvent(int opcode, int status, byte[] packet, int argsOffset, int argsLength)
        {
            if (opcode != _opcode) return false;
            if (!_answer.OnEvent(opcode, status, packet, argsOffset, argsLength)) return false;
            lock (_sync)
            {
                if (!_owned) _orphanUntil = 0; // an abandoned command's answer: the slot is free now
            }
            _changed.Set();
            return true;
        }

        /// <summary>The module was reset: no answer will come; waiters and owners find out.</summary>
        public void Reset()
        {
            lock (_sync)
            {
                _resets++;
                _answer.Cancel();
                _orphanUntil = 0;
            }
            _changed.Set();
        }
    }
}
