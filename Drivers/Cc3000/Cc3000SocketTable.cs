using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// The driver's socket handles. A handle names a table slot plus a serial number, so a handle
    /// from before a module reset can never reach a socket opened after it (the module reuses its
    /// descriptors). After a reset every open slot is marked: its next call gets
    /// <see cref="SocketError.ModuleReset"/> and frees it. An aborted slot answers every call with
    /// its abort reason until it is closed; its module socket, and the module socket of a handle
    /// closed without reaching the module, are "to reap": the next holder of the command gate closes them.
    /// </summary>
    internal sealed class Cc3000SocketTable : ICc3000WaitCancellation
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
        // The module socket is still open on the module (closed by Close or a reap; forgotten by a reset).
        private readonly bool[] _moduleOpen = new bool[Slots];
        // 0, or the (negative) reason the slot was aborted with.
        private readonly int[] _abortReason = new int[Slots];
        private readonly int[] _moduleSd = new int[Slots];
        private readonly int[] _serial = new int[Slots];

        /// <summary>Records module socket <paramref name="moduleSd"/>; returns its handle, or -1 when the table is full.</summary>
        public int Add(int moduleSd)
        {
            lock (_sync)
            {
                int free = -1;
                for (int i = 0; i < Slots && free < 0; i++)
                {
                    if (!_inUse[i] && !_moduleOpen[i]) free = i;
                }
                // Full: reclaim an aborted handle whose module socket is already closed (its owner
                // never closed it); that handle answers InvalidSocket from now on.
                for (int i = 0; i < Slots && free < 0; i++)
                {
                    if (_inUse[i] && _abortReason[i] != 0 && !_moduleOpen[i]) free = i;
                }
                if (free < 0) return -1;
                _inUse[free] = true;
                _reset[free] = false;
                _peerClosed[free] = false;
                _moduleOpen[free] = true;
                _abortReason[free] = 0;
                _moduleSd[free] = moduleSd;
                _serial[free] = (_serial[free] + 1) & SerialLimit;
                return free + Slots * _serial[free];
            }
        }

        /// <summary>
        /// Resolves <paramref name="handle"/> to its slot (&gt;= 0), or a negative
        /// <see cref="SocketError"/>: InvalidSocket, the abort reason (the slot stays until Close),
        /// or ModuleReset (the slot is freed).
        /// </summary>
        public int Find(int handle)
        {
            lock (_sync)
            {
                int slot = SlotLocked(handle);
                if (slot < 0) return slot;
                if (_abortReason[slot] != 0) return _abortReason[slot];
                if (_reset[slot])
                {
                    _inUse[slot] = false;
                    return (int)SocketError.ModuleReset;
                }
                return slot;
            }
        }

        /// <summary>The abort reason of <paramref name="handle"/>, or 0 when it is not an aborted open handle.</summary>
        public int AbortReason(int handle)
        {
            lock (_sync)
            {
                int slot = SlotLocked(handle);
                return slot < 0 ? 0 : _abortReason[slot];
            }
        }

        /// <summary>Waits at the command gate for an aborted handle end at once.</summary>
        public bool IsCancelled(int token)
        {
            return AbortReason(token) != 0;
        }

        /// <summary>
        /// Aborts <paramref name="handle"/> with <paramref name="reason"/> (negative). False when the
        /// handle is not open or already aborted. Its module socket is to reap from now on.
        /// </summary>
        public bool Abort(int handle, int reason)
        {
            lock (_sync)
            {
                int slot = SlotLocked(handle);
                if (slot < 0 || _abortReason[slot] != 0) return false;
                _abortReason[slot] = reason;
                return true;
            }
        }

        /// <summary>
        /// Closes the handle of an aborted socket: frees it and returns 0, or returns -1 when
        /// <paramref name="handle"/> is not aborted (nothing changed). Its module socket, if still open, stays to reap.
        /// </summary>
        public int CloseAborted(int handle)
        {
            lock (_sync)
            {
                int slot = SlotLocked(handle);
                if (slot < 0 || _abortReason[slot] == 0) return -1;
                _inUse[slot] = false;
                return 0;
            }
        }

        /// <summary>
        /// Frees the handle without closing its module socket (a Close that could not reach the
        /// module in time): the module socket stays to reap. False when the handle is not open.
        /// </summary>
        public bool Orphan(int handle)
        {
            lock (_sync)
            {
                int slot = SlotLocked(handle);
                if (slot < 0) return false;
                _inUse[slot] = false;
                return true;
            }
        }

        /// <summary>
        /// Takes one module socket to reap (aborted, or its handle freed while it stayed open on the
        /// module) and marks it closed; returns its descriptor, or -1 when there is none.
        /// </summary>
        public int TakeModuleSocketToReap()
        {
            lock (_sync)
            {
                for (int i = 0; i < Slots; i++)
                {
                    if (!_moduleOpen[i]) continue;
                    if (_inUse[i] && _abortReason[i] == 0) continue;
                    _moduleOpen[i] = false;
                    return _moduleSd[i];
                }
                return -1;
            }
        }

        /// <summary>True when <see cref="TakeModuleSocketToReap"/> has something.</summary>
        public bool HasModuleSocketsToReap
        {
            get
            {
                lock (_sync)
                {
                    for (int i = 0; i < Slots; i++)
                    {
                        if (_moduleOpen[i] && (!_inUse[i] || _abortReason[i] != 0)) return true;
                    }
                    return false;
                }
            }
        }

        /// <summary>True when a socket of the module with descriptor <paramref name="sd"/> is open (not closed nor reaped nor lost to a reset).</summary>
        public bool IsModuleSocketOpen(int sd)
        {
            lock (_sync)
            {
                for (int i = 0; i < Slots; i++)
                {
                    if (_moduleOpen[i] && _moduleSd[i] == sd) return true;
                }
                return false;
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

        /// <summary>Frees <paramref name="slot"/>; the caller closes its module socket.</summary>
        public void Remove(int slot)
        {
            lock (_sync)
            {
                _inUse[slot] = false;
                _moduleOpen[slot] = false;
            }
        }

        /// <summary>The module was reset: every open socket is gone (nothing is left to reap).</summary>
        public void MarkAllReset()
        {
            lock (_sync)
            {
                for (int i = 0; i < Slots; i++)
                {
                    if (_inUse[i]) _reset[i] = true;
                    _moduleOpen[i] = false;
                }
            }
        }

        /// <summary>Sockets in the table (including ones orphaned by a reset or aborted and not closed yet).</summary>
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

        // Caller holds _sync: the slot of an open handle, or InvalidSocket.
        private int SlotLocked(int handle)
        {
            if (handle < 0) return (int)SocketError.InvalidSocket;
            int slot = handle % Slots;
            if (!_inUse[slot] || _serial[slot] != handle / Slots) return (int)SocketError.InvalidSocket;
            return slot;
        }
    }
}
