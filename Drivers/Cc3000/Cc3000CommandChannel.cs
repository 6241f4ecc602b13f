using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// Commands to the module, one at a time (the module takes one command at a time): a gate that
    /// callers hold from writing a command until its answer is in (<see cref="Cc3000CommandGate"/>:
    /// waiting callers go in by priority, then arrival), the frame buffer commands are built in, and
    /// the write-then-wait step with hang detection. No call allocates.
    /// </summary>
    internal sealed class Cc3000CommandChannel
    {
        /// <summary>The command was answered.</summary>
        public const int Answered = 0;
        /// <summary>The bus was not granted in time.</summary>
        public const int BusUnavailable = -1;
        /// <summary>No ready and no answer within the answer timeout: the module is stuck.</summary>
        public const int NoAnswer = -2;
        /// <summary>The answer did not come, but the module answered a liveness probe: alive, the answer is lost.</summary>
        public const int AnswerLost = -3;

        /// <summary>The liveness probe: read-buffer-size (0x400B), answered by the module at once and harmless.</summary>
        public const int ProbeOpcode = Cc3000Protocol.ReadBufferSize;

        private readonly Cc3000CommandGate _gate;
        private readonly byte[] _frame = new byte[Cc3000Protocol.MaxFrame + 1];
        private readonly Cc3000SpiLink _link;
        private readonly Cc3000PendingCommand _pending;
        private readonly IClock _clock;
        private readonly byte[] _probeFrame = new byte[Cc3000Protocol.SpiHeaderSize + Cc3000Protocol.CommandHeaderSize + 1];
        private readonly object _statsSync = new object();
        private int _probes;
        private int _lateAnswers;
        private int _lostAnswers;

        /// <summary>Creates the channel.</summary>
        public Cc3000CommandChannel(Cc3000SpiLink link, Cc3000PendingCommand pending, IClock clock)
        {
            _link = link;
            _pending = pending;
            _clock = clock;
            _gate = new Cc3000CommandGate(clock, Cc3000CommandGate.DefaultMaxWaiters);
        }

        /// <summary>Liveness probes written because a command's answer was late.</summary>
        public int Probes
        {
            get { lock (_statsSync) return _probes; }
        }

        /// <summary>Answers that came after their command's timeout, while its probe was out (the module was only slow).</summary>
        public int LateAnswers
        {
            get { lock (_statsSync) return _lateAnswers; }
        }

        /// <summary>Commands whose answer never came while the module answered the probe (alive, answer lost).</summary>
        public int LostAnswers
        {
            get { lock (_statsSync) return _lostAnswers; }
        }

        /// <summary>The module was reset: a probe still out will never be answered.</summary>
        public void ForgetProbe()
        {
            _pending.ForgetProbe();
        }

        /// <summary>The gate, for its statistics.</summary>
        public Cc3000CommandGate Gate
        {
            get { return _gate; }
        }

        /// <summary>Where the next command is built (HCI packet from offset 5). Only the gate holder touches it.</summary>
        public byte[] Frame
        {
            get { return _frame; }
        }

        /// <summary>The answer of the last command.</summary>
        public Cc3000PendingCommand Answer
        {
            get { return _pending; }
        }

        /// <summary>
        /// Takes the gate for a caller of <paramref name="priority"/>; waiting callers are let in
        /// by priority, then arrival. False when <paramref name="timeoutMilliseconds"/> ran out.
        /// </summary>
        public bool Enter(BusPriority priority, int timeoutMilliseconds)
        {
            return _gate.Enter(priority, timeoutMilliseconds);
        }

        /// <summary>
        /// As <see cref="Enter(BusPriority, int)"/>; the wait also ends (false) as soon as
        /// <paramref name="cancellation"/> cancels <paramref name="token"/> and the gate is nudged.
        /// </summary>
        public bool Enter(BusPriority priority, int timeoutMilliseconds, ICc3000WaitCancellation cancellation, int token)
        {
            return _gate.Enter(priority, timeoutMilliseconds, cancellation, token);
        }

        /// <summary>Gives the gate back (to the next waiter, if any).</summary>
        public void Exit()
        {
            _gate.Exit();
        }

        /// <summary>
        /// With the gate held: writes the packet in <see cref="Frame"/> (<paramref name="headLength"/>
        /// bytes, followed by optional data) and waits for the event <paramref name="answerOpcode"/>.
        /// A recv's bytes land in <paramref name="recvBuffer"/>. While the module does not pull IRQ
        /// low the write is retried until <paramref name="answerTimeoutMilliseconds"/>; then the result
        /// is <see cref="NoAnswer"/>. When the answer does not come in that time, the module is not
        /// declared stuck at once: a cheap liveness probe (<see cref="ProbeOpcode"/>) is written and
        /// given the same time. The late answer coming first is <see cref="Answered"/>; only the probe's,
        /// <see cref="AnswerLost"/> (alive: nothing to recover); neither, <see cref="NoAnswer"/>.
        /// </summary>
        public int Execute(BusPriority priority, int headLength, byte[] data, int dataOffset, int dataLength,
            int answerOpcode, byte[] recvBuffer, int recvOffset, int recvMax,
            int busTimeoutMilliseconds, int answerTimeoutMilliseconds)
        {
            _pending.Arm(answerOpcode, recvBuffer, recvOffset, recvMax);
            long start = _clock.UptimeMilliseconds;
            while (true)
            {
                int w = _link.Write(_frame, headLength, data, dataOffset, dataLength, priority, busTimeoutMilliseconds);
                if (w == Cc3000SpiLink.Ok) break;
                if (w == Cc3000SpiLink.BusUnavailable)
                {
                    _pending.Cancel();
                    return BusUnavailable;
                }
                if (_clock.UptimeMilliseconds - start >= answerTimeoutMilliseconds)
                {
                    _pending.Cancel();
                    return NoAnswer;
                }
                Thread.Sleep(1);
            }
            long left = answerTimeoutMilliseconds - (_clock.UptimeMilliseconds - start);
            if (left < 1) left = 1;
            if (_pending.Wait((int)left)) return Answered;
            return Probe(priority, busTimeoutMilliseconds, answerTimeoutMilliseconds);
        }

        /// <summary>
        /// With the gate held: writes the packet in <see cref="Frame"/> and returns without waiting for
        /// an answer (a slow command whose answer an <see cref="Cc3000AnswerSlot"/> waits for outside the
        /// gate). <see cref="Answered"/> when it went out, <see cref="BusUnavailable"/>, or
        /// <see cref="NoAnswer"/> when the module never signalled ready within <paramref name="readyTimeoutMilliseconds"/>.
        /// </summary>
        public int WriteOnly(BusPriority priority, int headLength, int busTimeoutMilliseconds, int readyTimeoutMilliseconds)
        {
            long start = _clock.UptimeMilliseconds;
            while (true)
            {
                int w = _link.Write(_frame, headLength, null, 0, 0, priority, busTimeoutMilliseconds);
                if (w == Cc3000SpiLink.Ok) return Answered;
                if (w == Cc3000SpiLink.BusUnavailable) return BusUnavailable;
                if (_clock.UptimeMilliseconds - start >= readyTimeoutMilliseconds) return NoAnswer;
                Thread.Sleep(1);
            }
        }

        // The command's answer is late: write the probe (the command stays armed) and wait for either.
        private int Probe(BusPriority priority, int busTimeoutMilliseconds, int timeoutMilliseconds)
        {
            lock (_statsSync) _probes++;
            _pending.ArmProbe(ProbeOpcode);
            int head = HciCodec.Command(_probeFrame, ProbeOpcode, 0);
            long start = _clock.UptimeMilliseconds;
            while (true)
            {
                int w = _link.Write(_probeFrame, head, null, 0, 0, priority, busTimeoutMilliseconds);
                if (w == Cc3000SpiLink.Ok) break;
                if (w == Cc3000SpiLink.BusUnavailable || _clock.UptimeMilliseconds - start >= timeoutMilliseconds)
                {
                    // The probe never went out: nothing will answer it.
                    _pending.ForgetProbe();
                    if (_pending.Wait(0)) return Answered;
                    _pending.Cancel();
                    return w == Cc3000SpiLink.BusUnavailable ? BusUnavailable : NoAnswer;
                }
                Thread.Sleep(1);
            }
            long left = timeoutMilliseconds - (_clock.UptimeMilliseconds - start);
            if (left < 1) left = 1;
            int outcome = _pending.WaitWithProbe((int)left);
            if (outcome == Cc3000PendingCommand.CommandAnswered)
            {
                lock (_statsSync) _lateAnswers++;
                return Answered;
            }
            if (outcome == Cc3000PendingCommand.ProbeAnswered)
            {
                lock (_statsSync) _lostAnswers++;
                return AnswerLost;
            }
            return NoAnswer;
        }
    }
}
