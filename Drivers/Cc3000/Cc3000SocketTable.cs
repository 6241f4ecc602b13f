using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// The driver's socket handles. A handle names a table slot plus a serial number, so a handle
    /// from before a module reset can never reach a socket opened after it (the module reuses its
    /// descriptors). After a reset every open slot is marked: its next call gets
    /// <see cref="SocketError.ModuleReset"/> and frees it.
    /// </summary>
    internal sealed class Cc3000SocketTable
    {
        /// <summary>
        /// Slots: 8, TI's host driver descriptor range (0..7). More than the module's 4 sockets, so
        /// handles orphaned by a reset do not keep new sockets out before their owners notice.
        /// </summary>
        public const int Slots = 8;

        private const int SerialLimit = 0x00FFFFFF;

        private readonly object _sync = new object();
        private readonly bool[] _inUse = new bool[Slots];
        private readonly bool[] _reset = new bool[Slots];
        private readonly bool[] _peerClosed = new bool[Slots];
        private readonly int[] _moduleSd = new int[Slots];
        private readonly int[] _serial = new int[Slots];

        /// <summary>Records module socket <paramref name="moduleSd"/>; returns its handle, or -1 when the table is full.</summary>
        public int Add(int moduleSd)
        {
            lock (_sync)
            {
                for (int i = 0; i < Slots; i++)
                {
                    if (_inUse[i]) continue;
                    _inUse[i] = true;
                    _reset[i] = false;
                    _peerClosed[i] = false;
                    _moduleSd[i] = moduleSd;
                    _serial[i] = (_serial[i] + 1) & SerialLimit;
                    return i + Slots * _serial[i];
                }
                return -1;
            }
        }

        /// <summary>
        /// Resolves <paramref name="handle"/> to its slot (&gt;= 0), or a negative
        /// <see cref="SocketError"/>: InvalidSocket, or ModuleReset (the slot is freed).
        /// </summary>
        public int Find(int handle)
        {
            if (handle < 0) return (int)SocketError.InvalidSocket;
            int slot = handle % Slots;
            lock (_sync)
            {
                if (!_inUse[slot] || _serial[slot] != handle / Slots) return (int)SocketError.InvalidSocket;
                if (_reset[slot])
                {
                    _inUse[slot] = false;
                    return (int)SocketError.ModuleReset;
                }
                return slot;
            }
        }

        /// <summary>The module's descriptor for <paramref name="slot"/>.</summary>
        public int ModuleSd(int slot)
        {
            lock (_sync) return _moduleSd[slot];
        }

        /// <summary>True once the peer closed the connection.</summary>
        public bool PeerClosed(int slot)
        {
            lock (_sync) return _peerClosed[slot];
        }

        /// <summary>Remembers that the peer closed the connection.</summary>
        public void MarkPeerClosed(int slot)
        {
            lock (_sync) _peerClosed[slot] = true;
        }

        /// <summary>Frees <paramref name="slot"/>.</summary>
        public void Remove(int slot)
        {
            lock (_sync) _inUse[slot] = false;
        }

        /// <summary>The module was reset: every open socket is gone.</summary>
        public void MarkAllReset()
        {
            lock (_sync)
            {
                for (int i = 0; i < Slots; i++)
                {
                    if (_inUse[i]) _reset[i] = true;
                }
            }
        }

        /// <summary>Sockets in the table (including ones orphaned by a reset).</summary>
        public int Count
        {
            get
            {
                lock (_sync)
                {
                    int n = 0;
                    for (int i = 0; i < Slots; i++) if (_inUse[i]) n++;
                    return n;
                }
            }
        }
    }
}
