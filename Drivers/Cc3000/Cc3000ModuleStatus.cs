using System.Threading;
using CoreFirmware.Drivers.Spi;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// What the module told the host on its own: free transmit buffers (flow control), association
    /// with the access point and the DHCP address. Written by the worker, read by callers.
    /// </summary>
    internal sealed class Cc3000ModuleStatus
    {
        private readonly object _sync = new object();
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
            }
        }

        /// <summary>
        /// Takes a transmit buffer for a sender of <paramref name="priority"/> if one is free. While
        /// a system sender waits for a buffer (<see cref="BeginPriorityBufferWait"/>), user senders
        /// get none, so user traffic cannot keep the cloud/OTA path out of the module's buffers.
        /// </summary>
        public bool TryTakeBuffer(BusPriority priority)
        {
            lock (_sync)
            {
                if (_freeBuffers <= 0) return false;
                if (priority == BusPriority.UserNetwork && _priorityBufferWaiters > 0) return false;
                _freeBuffers--;
                return true;
            }
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

        /// <summary>The module freed <paramref name="count"/> buffers.</summary>
        public void AddFreed(int count)
        {
            lock (_sync)
            {
                _freeBuffers += count;
                if (_freeBuffers > _bufferCount) _freeBuffers = _bufferCount;
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

        /// <summary>Close-wait event.</summary>
        public void OnCloseWait()
        {
            lock (_sync) _closeWaits++;
        }
    }
}
