using System.Threading;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Spi;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// What the module told the host on its own: free transmit buffers (flow control), association
    /// with the access point and the DHCP address. Written by the worker, read by callers.
    /// </summary>
    /// <remarks>
    /// Free-buffer accounting: every buffer the host fills is counted against its module socket
    /// (<see cref="TryTakeBuffer"/>), and a free-buffer report (0x4100, per socket) gives back at most
    /// what that socket has outstanding: a report of buffers a socket never had (too many) is ignored
    /// and counted (<see cref="IgnoredFreeReports"/>). The count can still go wrong the other way (a
    /// report lost, or buffers the module keeps): the socket layer notices a sender starved with no
    /// report for a while and resynchronises (<see cref="Resync"/>) or recovers the module.
    /// </remarks>
    internal sealed class Cc3000ModuleStatus
    {
        /// <summary>Module socket descriptors tracked: 0..7, TI's host driver range.</summary>
        public const int Descriptors = 8;

        private readonly object _sync = new object();
        private readonly IClock _clock;
        private readonly int[] _outstanding = new int[Descriptors];
        private readonly bool[] _peerFinished = new bool[Descriptors];
        private long _lastFreedAt;
        // Buffers still outstanding on a descriptor when the module gave it to a new socket: their
        // reports may still come (under the new socket's number) or be lost; they count as in nobody's flight.
        private int _closedOutstanding;
        private int _ignoredFreed;
        private int _resyncs;
        private readonly AutoResetEvent _buffersFreed = new AutoResetEvent(false);
        private readonly AutoResetEvent _networkChanged = new AutoResetEvent(false);
        private int _freeBuffers;
        private int _bufferCount;
        private int _bufferLength;
        private bool _associated;
        private bool _dhcp;
        private uint _address;
        private int _closeWaits;
        private int _upCount;
        private int _disconnects;
        private int _priorityBufferWaiters;

        /// <summary>Creates the status on the board clock (for the free-buffer quiet time).</summary>
        public Cc3000ModuleStatus(IClock clock)
        {
            _clock = clock;
        }

        /// <summary>Signalled when a free-buffer event arrives.</summary>
        public AutoResetEvent BuffersFreed
        {
            get { return _buffersFreed; }
        }

        /// <summary>Signalled when association or DHCP state changes.</summary>
        public AutoResetEvent NetworkChanged
        {
            get { return _networkChanged; }
        }

        /// <summary>Transmit buffers the host may still fill.</summary>
        public int FreeBuffers
        {
            get { lock (_sync) return _freeBuffers; }
        }

        /// <summary>Transmit buffers the module reported at start-up.</summary>
        public int BufferCount
        {
            get { lock (_sync) return _bufferCount; }
        }

        /// <summary>Length of one module buffer, as reported.</summary>
        public int BufferLength
        {
            get { lock (_sync) return _bufferLength; }
        }

        /// <summary>Associated and addressed: sockets may be used.</summary>
        public bool NetworkUp
        {
            get { lock (_sync) return _associated && _dhcp; }
        }

        /// <summary>Address from DHCP (host order).</summary>
        public uint Address
        {
            get { lock (_sync) return _address; }
        }

        /// <summary>Times the network came up (association plus DHCP); never reset, so a change shows a join worked.</summary>
        public int UpCount
        {
            get { lock (_sync) return _upCount; }
        }

        /// <summary>Unsolicited disconnects from the access point (0x8002) seen; never reset.</summary>
        public int Disconnects
        {
            get { lock (_sync) return _disconnects; }
        }

        /// <summary>Close-wait (peer FIN) events seen.</summary>
        public int CloseWaits
        {
            get { lock (_sync) return _closeWaits; }
        }

        /// <summary>Forgets everything (power cycle).</summary>
        public void Reset()
        {
            lock (_sync)
            {
                _freeBuffers = 0;
                _bufferCount = 0;
                _bufferLength = 0;
                ClearSocketsLocked();
                _associated = false;
                _dhcp = false;
                _address = 0;
            }
        }

        /// <summary>Read-buffer-size answer: <paramref name="count"/> free buffers of <paramref name="length"/> bytes.</summary>
        public void SetBuffers(int count, int length)
        {
            lock (_sync)
            {
                _freeBuffers = count;
                _bufferCount = count;
                _bufferLength = length;
                ClearSocketsLocked();
                _lastFreedAt = _clock.UptimeMilliseconds;
            }
        }

        private void ClearSocketsLocked()
        {
            for (int i = 0; i < Descriptors; i++)
            {
                _outstanding[i] = 0;
                _peerFinished[i] = false;
            }
            _closedOutstanding = 0;
        }

        /// <summary>
        /// Takes a transmit buffer for a sender of <paramref name="priority"/> if one is free. While
        /// a system sender waits for a buffer (<see cref="BeginPriorityBufferWait"/>), user senders
        /// get none, so user traffic cannot keep the cloud/OTA path out of the module's buffers.
        /// </summary>
        public bool TryTakeBuffer(BusPriority priority, int sd)
        {
            lock (_sync)
            {
                if (_freeBuffers <= 0) return false;
                if (priority == BusPriority.UserNetwork && _priorityBufferWaiters > 0) return false;
                _freeBuffers--;
                if (sd >= 0 && sd < Descriptors) _outstanding[sd]++;
                return true;
            }
        }

        /// <summary>Buffers filled for module socket <paramref name="sd"/> and not reported free yet.</summary>
        public int Outstanding(int sd)
        {
            lock (_sync) return sd >= 0 && sd < Descriptors ? _outstanding[sd] : 0;
        }

        /// <summary>
        /// True when a sender finds no free buffer and no free-buffer report came for
        /// <paramref name="quietMilliseconds"/>: the count may be wrong (see the remarks).
        /// </summary>
        public bool StarvedQuietly(int quietMilliseconds)
        {
            lock (_sync) return _bufferCount > 0 && _freeBuffers == 0 && _clock.UptimeMilliseconds - _lastFreedAt >= quietMilliseconds;
        }

        /// <summary>
        /// The module says it has <paramref name="moduleFree"/> free buffers while no open socket has
        /// any outstanding (the caller checked): the count is set to it, and every outstanding buffer is
        /// forgotten (their reports were lost). Returns the buffers the host had lost track of.
        /// </summary>
        public int Resync(int moduleFree)
        {
            int gained;
            lock (_sync)
            {
                if (moduleFree > _bufferCount) moduleFree = _bufferCount;
                gained = moduleFree - _freeBuffers;
                _freeBuffers = moduleFree;
                for (int i = 0; i < Descriptors; i++) _outstanding[i] = 0;
                _closedOutstanding = 0;
                _lastFreedAt = _clock.UptimeMilliseconds;
                _resyncs++;
            }
            _buffersFreed.Set();
            return gained;
        }

        /// <summary>Times the free-buffer count was set from the module's own answer.</summary>
        public int Resyncs
        {
            get { lock (_sync) return _resyncs; }
        }

        /// <summary>Buffers reported free for sockets that did not have them outstanding (ignored).</summary>
        public int IgnoredFreeReports
        {
            get { lock (_sync) return _ignoredFreed; }
        }

        /// <summary>A system sender found no free buffer and waits for one: user senders step back until it ends.</summary>
        public void BeginPriorityBufferWait()
        {
            lock (_sync) _priorityBufferWaiters++;
        }

        /// <summary>Ends a <see cref="BeginPriorityBufferWait"/> (the buffer was taken or the send gave up).</summary>
        public void EndPriorityBufferWait()
        {
            lock (_sync)
            {
                if (_priorityBufferWaiters > 0) _priorityBufferWaiters--;
            }
            // User senders that stepped back may find a buffer now.
            _buffersFreed.Set();
        }

        /// <summary>
        /// The module freed <paramref name="count"/> buffers of socket <paramref name="sd"/>: at most
        /// what that socket has outstanding is given back; the rest is ignored and counted.
        /// </summary>
        public void AddFreed(int sd, int count)
        {
            if (count <= 0) return;
            lock (_sync)
            {
                int have = sd >= 0 && sd < Descriptors ? _outstanding[sd] : 0;
                int taken = count < have ? count : have;
                if (taken > 0) _outstanding[sd] -= taken;
                // Beyond it: buffers of an earlier socket with the same descriptor.
                int earlier = count - taken < _closedOutstanding ? count - taken : _closedOutstanding;
                _closedOutstanding -= earlier;
                taken += earlier;
                if (taken > 0)
                {
                    _freeBuffers += taken;
                    if (_freeBuffers > _bufferCount) _freeBuffers = _bufferCount;
                    _lastFreedAt = _clock.UptimeMilliseconds;
                }
                _ignoredFreed += count - taken;
            }
            _buffersFreed.Set();
        }

        /// <summary>Association event.</summary>
        public void OnAssociated(bool associated)
        {
            lock (_sync)
            {
                if (!associated && _associated) _disconnects++;
                _associated = associated;
                if (!associated) _dhcp = false;
            }
            _networkChanged.Set();
        }

        /// <summary>DHCP event.</summary>
        public void OnDhcp(uint address)
        {
            lock (_sync)
            {
                if (_associated && !_dhcp) _upCount++;
                _dhcp = true;
                _address = address;
            }
            _networkChanged.Set();
        }

        /// <summary>Close-wait event for module socket <paramref name="sd"/> (TI: the first argument byte): its peer sent FIN.</summary>
        public void OnCloseWait(int sd)
        {
            lock (_sync)
            {
                _closeWaits++;
                if (sd >= 0 && sd < Descriptors) _peerFinished[sd] = true;
            }
        }

        /// <summary>True when a close-wait event named module socket <paramref name="sd"/> since it was opened.</summary>
        public bool PeerFinished(int sd)
        {
            lock (_sync) return sd >= 0 && sd < Descriptors && _peerFinished[sd];
        }

        /// <summary>Module socket <paramref name="sd"/> was (re)opened: an earlier socket's close-wait no longer applies.</summary>
        public void OnOpened(int sd)
        {
            lock (_sync)
            {
                if (sd < 0 || sd >= Descriptors) return;
                _peerFinished[sd] = false;
                _closedOutstanding += _outstanding[sd];
                _outstanding[sd] = 0;
            }
        }
    }
}
