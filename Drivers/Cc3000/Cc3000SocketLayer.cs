using System;
using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// BSD-style sockets over the module's HCI commands, for every bus priority (the views add
    /// theirs). Commands are serialised through the command channel, whose gate lets waiting
    /// system commands in before user ones; no call keeps the channel
    /// while it waits: a Receive polls with non-blocking recv in short slices and a Send waits for
    /// free buffers outside it, so sockets on several threads make progress together. Results are
    /// counts or negative <see cref="SocketError"/> values; steady-state Send and Receive allocate nothing.
    /// </summary>
    /// <remarks>
    /// Abort (<see cref="Abort"/>): the handle is marked in the table and every wait a call can be
    /// in is woken: the command gate is nudged (an aborted waiter leaves the queue), the
    /// free-buffer event is set, and a Receive between two polls sleeps one
    /// <see cref="PollIntervalMilliseconds"/>. A command already written to the module is let
    /// finish (the module takes one command at a time; leaving early would desynchronise it), then
    /// the call returns the reason. The aborted socket's module socket is closed by the next holder
    /// of the gate as it leaves (every call leaves through <c>Leave</c>, which reaps), by Open
    /// before it asks the module for a socket, or at once by the aborted call when the gate is free.
    /// </remarks>
    internal sealed class Cc3000SocketLayer
    {
        /// <summary>Pause between two empty non-blocking recvs: 1 ms (the CC3000 has no data-ready event; select would hold the module).</summary>
        public const int PollIntervalMilliseconds = 1;

        /// <summary>Longest wait for a free-buffer event before looking again: 10 ms.</summary>
        public const int BufferWaitSliceMilliseconds = 10;

        /// <summary>
        /// A sender starved this long with no free-buffer report at all makes the driver check its
        /// count: 1000 ms. The module reports a buffer free milliseconds after it went on the air, so a
        /// second of silence with every buffer taken means a report was lost, or the module keeps its
        /// buffers (or a peer's TCP window is closed, which the check tells apart).
        /// </summary>
        public const int BufferStarvationCheckMilliseconds = 1000;

        private readonly Cc3000Driver _driver;
        private readonly Cc3000CommandChannel _channel;
        private readonly Cc3000ModuleStatus _status;
        private readonly Cc3000SocketTable _table;
        private readonly IClock _clock;
        private readonly Cc3000AnswerSlot _connectSlot;
        private readonly Cc3000AnswerSlot _dnsSlot;

        /// <summary>Creates the layer.</summary>
        public Cc3000SocketLayer(Cc3000Driver driver, Cc3000CommandChannel channel, Cc3000ModuleStatus status,
            Cc3000SocketTable table, IClock clock, Cc3000AnswerSlot connectSlot, Cc3000AnswerSlot dnsSlot)
        {
            _driver = driver;
            _channel = channel;
            _status = status;
            _table = table;
            _clock = clock;
            _connectSlot = connectSlot;
            _dnsSlot = dnsSlot;
        }

        /// <summary>See <see cref="ISocketAborter.Abort"/>. Never waits.</summary>
        public void Abort(int socket, SocketError reason)
        {
            int r = (int)reason;
            if (r >= 0) throw new ArgumentOutOfRangeException("reason");
            if (!_table.Abort(socket, r)) return;
            _channel.Gate.Nudge();
            _status.BuffersFreed.Set();
        }

        /// <summary>See <see cref="INetworkSockets.Open"/>.</summary>
        public int Open(BusPriority priority, int timeoutMilliseconds)
        {
            long deadline = Deadline(timeoutMilliseconds);
            if (!_status.NetworkUp)
            {
                int n = _driver.EnsureNetwork(priority, timeoutMilliseconds);
                if (n < 0) return n;
            }
            if (!_channel.Enter(priority, Left(deadline))) return (int)SocketError.TimedOut;
            try
            {
                // Aborted sockets give their module sockets back before a new one is asked for (the module has 4).
                Reap(priority);
                byte[] f = _channel.Frame;
                int at = HciCodec.CommandArgs;
                at = HciCodec.PutI32(f, at, Cc3000Protocol.AfInet);
                at = HciCodec.PutI32(f, at, Cc3000Protocol.SockStream);
                at = HciCodec.PutI32(f, at, Cc3000Protocol.IpProtoTcp);
                int r = Run(priority, Cc3000Protocol.Socket, at - HciCodec.CommandArgs, deadline, _driver.CommandTimeoutMilliseconds);
                if (r < 0) return r;
                int sd = HciCodec.GetI32(_channel.Answer.Args, 0);
                if (sd < 0) return (int)SocketError.NoFreeSocket;
                _status.OnOpened(sd);

                // Non-blocking recv, so a Receive never holds the module (TI: SOL_SOCKET, SOCKOPT_RECV_NONBLOCK, SOCK_ON).
                at = HciCodec.CommandArgs;
                at = HciCodec.PutI32(f, at, sd);
                at = HciCodec.PutI32(f, at, Cc3000Protocol.SolSocket);
                at = HciCodec.PutI32(f, at, Cc3000Protocol.SockOptRecvNonBlock);
                at = HciCodec.PutI32(f, at, 8);
                at = HciCodec.PutI32(f, at, 4);
                at = HciCodec.PutI32(f, at, Cc3000Protocol.SockOn);
                r = Run(priority, Cc3000Protocol.SetSockOpt, at - HciCodec.CommandArgs, deadline, _driver.CommandTimeoutMilliseconds);
                if (r < 0) return r;
                int handle = HciCodec.GetI32(_channel.Answer.Args, 0) < 0 ? -1 : _table.Add(sd);
                if (handle < 0)
                {
                    CloseModuleSocket(priority, sd, deadline);
                    return (int)SocketError.NoFreeSocket;
                }
                return handle;
            }
            finally
            {
                Leave(priority);
            }
        }

        /// <summary>See <see cref="INetworkSockets.Connect"/>.</summary>
        public int Connect(BusPriority priority, int socket, uint ipv4, int port, int timeoutMilliseconds)
        {
            long deadline = Deadline(timeoutMilliseconds);
            int aborted = _table.AbortReason(socket);
            if (aborted != 0) return Aborted(priority, aborted);
            if (!_status.NetworkUp)
            {
                int n = _driver.EnsureNetwork(priority, timeoutMilliseconds);
                if (n < 0) return n;
            }
            // sd, u32 8, u32 8, sockaddr_in: family (LE16), port and address big-endian.
            int found = _table.Find(socket);
            if (found < 0) return found;
            if (!_connectSlot.Acquire(Left(deadline), _table, socket)) return NotEntered(priority, socket);
            byte[] a = _connectSlot.Args;
            int at = 4;
            at = HciCodec.PutI32(a, at, 8);
            at = HciCodec.PutI32(a, at, 8);
            at = HciCodec.PutU16(a, at, Cc3000Protocol.AfInet);
            a[at++] = (byte)(port >> 8);
            a[at++] = (byte)port;
            a[at++] = (byte)(ipv4 >> 24);
            a[at++] = (byte)(ipv4 >> 16);
            a[at++] = (byte)(ipv4 >> 8);
            a[at++] = (byte)ipv4;
            uint result;
            uint unused;
            int r = RunSlow(_connectSlot, priority, socket, at, deadline, _driver.ConnectTimeoutMilliseconds, out result, out unused);
            if (r < 0) return r;
            aborted = _table.AbortReason(socket);
            if (aborted != 0) return aborted;   // aborted while the module connected: the exchange is over, the call ends
            // The module reports every failed connect as -1; on loopback that is a refusal.
            return (int)result < 0 ? (int)SocketError.ConnectionRefused : 0;
        }

        // A slow command (connect, gethostbyname; the slot is held): its arguments are in the slot's Args
        // (a socket's command gets the module descriptor put in front, at 0). The gate is held only to
        // write it; the answer is waited for outside, until the caller's deadline (TimedOut; the slot
        // stays reserved for the late answer) or the module's own bound, after which a probe tells a
        // slow module (TimedOut) from a stuck one (recovered: ModuleReset). Releases the slot.
        // The answer's first two u32 arguments come back in value0 and value1 (read before the slot is released).
        private int RunSlow(Cc3000AnswerSlot slot, BusPriority priority, int socket, int argsLength, long deadline, int answerTimeoutMilliseconds,
            out uint value0, out uint value1)
        {
            value0 = 0;
            value1 = 0;
            bool answered = false;
            long answerBy = 0;
            try
            {
                if (!_channel.Enter(priority, Left(deadline), _table, socket)) return socket >= 0 ? NotEntered(priority, socket) : (int)SocketError.TimedOut;
                int resets;
                try
                {
                    if (socket >= 0)
                    {
                        int s = _table.Find(socket);
                        if (s < 0) return s;
                        HciCodec.PutI32(slot.Args, 0, _table.ModuleSd(s));
                    }
                    byte[] f = _channel.Frame;
                    for (int i = 0; i < argsLength; i++) f[HciCodec.CommandArgs + i] = slot.Args[i];
                    int head = HciCodec.Command(f, slot.Opcode, argsLength);
                    resets = slot.Arm();
                    int w = _channel.WriteOnly(priority, head, Left(deadline), _driver.CommandTimeoutMilliseconds);
                    if (w != Cc3000CommandChannel.Answered)
                    {
                        answered = true; // nothing went out: nothing to wait for
                        slot.Answer.Cancel();
                        int r = Outcome(w);
                        return socket >= 0 ? Consume(socket, r) : r;
                    }
                }
                finally
                {
                    Leave(priority);
                }
                answerBy = _clock.UptimeMilliseconds + answerTimeoutMilliseconds;
                while (true)
                {
                    long now = _clock.UptimeMilliseconds;
                    int left = Left(deadline);
                    long toBound = answerBy - now;
                    if (slot.Wait(left < toBound ? left : (int)toBound))
                    {
                        answered = true;
                        if (slot.Answer.ArgsLength >= 4) value0 = HciCodec.GetU32(slot.Answer.Args, 0);
                        if (slot.Answer.ArgsLength >= 8) value1 = HciCodec.GetU32(slot.Answer.Args, 4);
                        return 0;
                    }
                    if (slot.WasReset(resets))
                    {
                        answered = true;
                        return socket >= 0 ? Consume(socket, (int)SocketError.ModuleReset) : (int)SocketError.ModuleReset;
                    }
                    if (socket >= 0)
                    {
                        int aborted = _table.AbortReason(socket);
                        if (aborted != 0) return aborted;
                    }
                    if (_clock.UptimeMilliseconds >= answerBy) return SilentPastItsBound(priority, socket);
                    if (Left(deadline) <= 0) return (int)SocketError.TimedOut;
                }
            }
            finally
            {
                slot.Release(answered, answerBy);
            }
        }

        // A slow command's answer did not come in the module's own bound: a cheap command tells a slow
        // module (it answers: TimedOut, nothing to recover) from a stuck one (recovered: ModuleReset).
        private int SilentPastItsBound(BusPriority priority, int socket)
        {
            int timeout = _driver.CommandTimeoutMilliseconds;
            if (!_channel.Enter(priority, timeout)) return (int)SocketError.TimedOut;
            try
            {
                int r = Run(priority, Cc3000CommandChannel.ProbeOpcode, 0, Deadline(timeout), timeout);
                if (r < 0) return socket >= 0 ? Consume(socket, r) : r;
                return (int)SocketError.TimedOut;
            }
            finally
            {
                Leave(priority);
            }
        }

        /// <summary>See <see cref="INetworkSockets.Send"/>.</summary>
        public int Send(BusPriority priority, int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            CheckRange(buffer, offset, count);
            long deadline = Deadline(timeoutMilliseconds);
            int sent = 0;
            while (sent < count)
            {
                int chunk = count - sent;
                if (chunk > Cc3000Protocol.MaxDataChunk) chunk = Cc3000Protocol.MaxDataChunk;
                int r = SendChunk(priority, socket, buffer, offset + sent, chunk, deadline);
                if (r < 0) return r;
                sent += r;
            }
            return count;
        }

        private int SendChunk(BusPriority priority, int socket, byte[] buffer, int offset, int count, long deadline)
        {
            bool reserving = false;
            try
            {
                return SendChunk(priority, socket, buffer, offset, count, deadline, ref reserving);
            }
            finally
            {
                if (reserving) _status.EndPriorityBufferWait();
            }
        }

        // One chunk: take the gate and a module buffer, or wait for a free-buffer event outside the
        // gate. A system sender that has to wait holds user senders back from the buffers (reserving).
        private int SendChunk(BusPriority priority, int socket, byte[] buffer, int offset, int count, long deadline, ref bool reserving)
        {
            while (true)
            {
                int aborted = _table.AbortReason(socket);
                if (aborted != 0) return Aborted(priority, aborted);
                if (!_channel.Enter(priority, Left(deadline), _table, socket)) return NotEntered(priority, socket);
                bool entered = true;
                try
                {
                    int slot = _table.Find(socket);
                    if (slot < 0) return slot;
                    if (_table.PeerClosed(slot)) return (int)SocketError.ConnectionReset;
                    int sd = _table.ModuleSd(slot);
                    if (_status.TryTakeBuffer(priority, sd))
                    {
                        byte[] f = _channel.Frame;
                        int at = HciCodec.DataArgs;
                        at = HciCodec.PutI32(f, at, sd);
                        at = HciCodec.PutI32(f, at, 12);
                        at = HciCodec.PutI32(f, at, count);
                        at = HciCodec.PutI32(f, at, 0);
                        int head = HciCodec.Data(f, Cc3000Protocol.DataSend, Cc3000Protocol.SendArgsLength, count);
                        int x = _channel.Execute(priority, head, buffer, offset, count, Cc3000Protocol.SendEvent, null, 0, 0,
                            Left(deadline), _driver.CommandTimeoutMilliseconds);
                        int r = Outcome(x);
                        if (r < 0) return Consume(socket, r);
                        aborted = _table.AbortReason(socket);
                        if (aborted != 0) return aborted;
                        int n = HciCodec.GetI32(_channel.Answer.Args, 4);
                        return n < 0 ? (int)SocketError.ConnectionReset : n;
                    }
                    if (_status.StarvedQuietly(BufferStarvationCheckMilliseconds))
                    {
                        int c = CheckBuffersWithGateHeld(priority, deadline);
                        if (c < 0) return Consume(socket, c);
                        if (c > 0) continue;    // buffers again: take one (the gate is left and taken again)
                    }
                    entered = false;
                    Leave(priority);
                }
                finally
                {
                    if (entered) Leave(priority);
                }
                // Flow control: the module has no free buffer; wait for its free-buffer event.
                if (!reserving && priority != BusPriority.UserNetwork)
                {
                    _status.BeginPriorityBufferWait();
                    reserving = true;
                }
                int left = Left(deadline);
                if (left <= 0) return (int)SocketError.TimedOut;
                _status.BuffersFreed.WaitOne(left < BufferWaitSliceMilliseconds ? left : BufferWaitSliceMilliseconds, false);
            }
        }

        /// <summary>See <see cref="INetworkSockets.Receive"/>.</summary>
        public int Receive(BusPriority priority, int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            CheckRange(buffer, offset, count);
            long deadline = Deadline(timeoutMilliseconds);
            int want = count < Cc3000Protocol.MaxDataChunk ? count : Cc3000Protocol.MaxDataChunk;
            int empty = 0;
            while (true)
            {
                int aborted = _table.AbortReason(socket);
                if (aborted != 0) return Aborted(priority, aborted);
                if (!_channel.Enter(priority, Left(deadline), _table, socket)) return NotEntered(priority, socket);
                int n;
                try
                {
                    int slot = _table.Find(socket);
                    if (slot < 0) return slot;
                    if (_table.PeerClosed(slot) || count == 0) return 0;
                    byte[] f = _channel.Frame;
                    int sd = _table.ModuleSd(slot);
                    // Asked before the recv: a FIN known then means every byte was already on the module,
                    // so an empty answer is the end (one seen only after could have overtaken that answer).
                    bool finishedBefore = _status.PeerFinished(sd);
                    int at = HciCodec.CommandArgs;
                    at = HciCodec.PutI32(f, at, sd);
                    at = HciCodec.PutI32(f, at, want);
                    at = HciCodec.PutI32(f, at, 0);
                    int head = HciCodec.Command(f, Cc3000Protocol.Recv, at - HciCodec.CommandArgs);
                    int x = _channel.Execute(priority, head, null, 0, 0, Cc3000Protocol.Recv, buffer, offset, want,
                        Left(deadline), _driver.CommandTimeoutMilliseconds);
                    int r = Outcome(x);
                    if (r < 0) return Consume(socket, r);
                    aborted = _table.AbortReason(socket);
                    if (aborted != 0) return aborted;   // bytes that came with the last recv are dropped with the socket
                    n = HciCodec.GetI32(_channel.Answer.Args, 4);
                    if (n > 0) return _channel.Answer.DataLength;
                    if (n == 0 && finishedBefore)
                    {
                        // The close-wait event named this socket and the module holds nothing more: end of stream.
                        _table.MarkPeerClosed(slot);
                        return 0;
                    }
                    if (n == Cc3000Protocol.ErrorSocketInactive)
                    {
                        _table.MarkPeerClosed(slot);
                        return 0;
                    }
                    if (n < 0) return (int)SocketError.ConnectionReset;
                }
                finally
                {
                    Leave(priority);
                }
                // Nothing yet. The first empty recv of a call is followed by another at once (its own
                // HCI round trip is the pause): an answer due in a moment, such as the next chunk of a
                // slow OTA after its acknowledgement, is then not held back a whole poll interval.
                if (Left(deadline) <= 0) return (int)SocketError.TimedOut;
                if (empty++ > 0) Thread.Sleep(PollIntervalMilliseconds);
            }
        }

        /// <summary>See <see cref="INetworkSockets.Close"/>.</summary>
        public int Close(BusPriority priority, int socket)
        {
            // An aborted socket: free the handle; its module socket is reaped (now, if the gate is free).
            if (_table.CloseAborted(socket) == 0) return Aborted(priority, 0);
            int timeout = 2 * _driver.CommandTimeoutMilliseconds;
            long deadline = Deadline(timeout);
            if (!_channel.Enter(priority, timeout))
            {
                // The handle is invalid afterwards either way: its module socket is left to the next reap.
                return _table.Orphan(socket) ? (int)SocketError.TimedOut : (int)SocketError.InvalidSocket;
            }
            try
            {
                int slot = _table.Find(socket);
                if (slot < 0) return _table.CloseAborted(socket) == 0 ? 0 : slot;
                int sd = _table.ModuleSd(slot);
                _table.Remove(slot);
                return CloseModuleSocket(priority, sd, deadline);
            }
            finally
            {
                Leave(priority);
            }
        }

        /// <summary>See <see cref="INetworkSockets.ResolveHost"/>.</summary>
        public int ResolveHost(BusPriority priority, string hostName, out uint ipv4, int timeoutMilliseconds)
        {
            ipv4 = 0;
            if (hostName == null || hostName.Length == 0 || hostName.Length > Cc3000Protocol.MaxHostName) return (int)SocketError.HostNotFound;
            long deadline = Deadline(timeoutMilliseconds);
            if (!_status.NetworkUp)
            {
                int n = _driver.EnsureNetwork(priority, timeoutMilliseconds);
                if (n < 0) return n;
            }
            for (int i = 0; i < hostName.Length; i++)
            {
                char c = hostName[i];
                if (c == 0 || c > 127) return (int)SocketError.HostNotFound;
            }
            if (!_dnsSlot.Acquire(Left(deadline), null, 0)) return (int)SocketError.TimedOut;
            // u32 8, u32 name length, the name.
            byte[] a = _dnsSlot.Args;
            int at = HciCodec.PutI32(a, 0, 8);
            at = HciCodec.PutI32(a, at, hostName.Length);
            for (int i = 0; i < hostName.Length; i++) a[at++] = (byte)hostName[i];
            uint result;
            uint address;
            int r = RunSlow(_dnsSlot, priority, -1, at, deadline, _driver.DnsTimeoutMilliseconds, out result, out address);
            if (r < 0) return r;
            if ((int)result < 0) return (int)SocketError.HostNotFound;
            ipv4 = address;
            return 0;
        }

        // Gate held, a sender starved with no free-buffer report for a while: is the count wrong? Only
        // when no open socket has buffers outstanding can the module be holding none for sending; then
        // its own answer to read-buffer-size is the truth (TI sends it at start-up; the module answers it
        // at any time): free buffers there mean reports were lost (resynchronised), none mean the module
        // starves itself with nothing to send (recovered by a power cycle). With buffers outstanding on
        // an open socket the peer may just not be reading: the sender waits on (its timeout bounds it).
        // Returns 1 when buffers are free now, 0 when nothing changed, or a negative SocketError.
        private int CheckBuffersWithGateHeld(BusPriority priority, long deadline)
        {
            for (int sd = 0; sd < Cc3000ModuleStatus.Descriptors; sd++)
            {
                if (_status.Outstanding(sd) > 0 && _table.IsModuleSocketOpen(sd)) return 0;
            }
            int r = Run(priority, Cc3000Protocol.ReadBufferSize, 0, deadline, _driver.CommandTimeoutMilliseconds);
            if (r < 0) return r;
            if (_channel.Answer.ArgsLength < 1) return 0;
            int moduleFree = _channel.Answer.Args[0];
            if (moduleFree > 0)
            {
                _status.Resync(moduleFree);
                return 1;
            }
            _driver.RecoverWithGateHeld();
            return (int)SocketError.ModuleReset;
        }

        // Gate held: closes module socket sd.
        private int CloseModuleSocket(BusPriority priority, int sd, long deadline)
        {
            int at = HciCodec.PutI32(_channel.Frame, HciCodec.CommandArgs, sd);
            int r = Run(priority, Cc3000Protocol.Close, at - HciCodec.CommandArgs, deadline, _driver.CommandTimeoutMilliseconds);
            if (r < 0) return r;
            return HciCodec.GetI32(_channel.Answer.Args, 0) < 0 ? (int)SocketError.ModuleError : 0;
        }

        // Gate held: sends the command whose arguments are in the frame and waits for its answer.
        private int Run(BusPriority priority, int opcode, int argsLength, long deadline, int answerTimeoutMilliseconds)
        {
            int head = HciCodec.Command(_channel.Frame, opcode, argsLength);
            int x = _channel.Execute(priority, head, null, 0, 0, opcode, null, 0, 0, Left(deadline), answerTimeoutMilliseconds);
            return Outcome(x);
        }

        // Maps a channel result; a stuck module is reset here, with the gate still held.
        private int Outcome(int channelResult)
        {
            if (channelResult == Cc3000CommandChannel.Answered) return 0;
            if (channelResult == Cc3000CommandChannel.BusUnavailable) return (int)SocketError.BusUnavailable;
            if (channelResult == Cc3000CommandChannel.AnswerLost) return (int)SocketError.TimedOut; // alive: no reset
            _driver.RecoverWithGateHeld();
            return (int)SocketError.ModuleReset;
        }

        // After a reset, the socket that saw it is consumed like the others will be on their next call
        // (an aborted one keeps answering its reason until it is closed).
        private int Consume(int socket, int result)
        {
            int aborted = _table.AbortReason(socket);
            if (aborted != 0) return aborted;
            if (result == (int)SocketError.ModuleReset) _table.Find(socket);
            return result;
        }

        // Gate held: closes every module socket left to reap (aborted, or closed without reaching the module).
        private void Reap(BusPriority priority)
        {
            int sd;
            while ((sd = _table.TakeModuleSocketToReap()) >= 0)
            {
                // A failure here has no caller to tell: a stuck module is power-cycled (which forgets
                // every socket), any other answer leaves nothing the host could do better.
                CloseModuleSocket(priority, sd, Deadline(_driver.CommandTimeoutMilliseconds));
            }
        }

        // Leaves the gate; module sockets left to reap are closed first.
        private void Leave(BusPriority priority)
        {
            try
            {
                if (_table.HasModuleSocketsToReap) Reap(priority);
            }
            finally
            {
                _channel.Exit();
            }
        }

        // An aborted call that does not hold the gate: reaps at once when the gate is free (no wait;
        // when it is held, its holder reaps as it leaves), then returns the reason.
        private int Aborted(BusPriority priority, int reason)
        {
            if (_table.HasModuleSocketsToReap && _channel.Enter(priority, 0)) Leave(priority);
            return reason;
        }

        // The gate was not had: the wait was cancelled by an abort, or the time ran out.
        private int NotEntered(BusPriority priority, int socket)
        {
            int aborted = _table.AbortReason(socket);
            if (aborted != 0) return Aborted(priority, aborted);
            return (int)SocketError.TimedOut;
        }

        private long Deadline(int timeoutMilliseconds)
        {
            if (timeoutMilliseconds < 0) timeoutMilliseconds = 0;
            return _clock.UptimeMilliseconds + timeoutMilliseconds;
        }

        private int Left(long deadline)
        {
            long left = deadline - _clock.UptimeMilliseconds;
            if (left < 0) return 0;
            return (int)left;
        }

        private static void CheckRange(byte[] buffer, int offset, int count)
        {
            if (buffer == null) throw new ArgumentNullException("buffer");
            if (offset < 0 || count < 0 || offset > buffer.Length - count) throw new ArgumentOutOfRangeException("count");
        }
    }
}
