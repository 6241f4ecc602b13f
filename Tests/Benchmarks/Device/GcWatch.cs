#nullable disable
using System;

namespace CoreFirmware.Benchmarks.Device
{
    /// <summary>
    /// Counts garbage collections as they happen: it holds an object only through a weak reference,
    /// and a collection clears that reference (nanoCLR does so at once, in the collection itself).
    /// <see cref="Check"/> after each operation tells which operation set one off.
    /// </summary>
    public sealed class GcWatch
    {
        private WeakReference _sentinel;
        private int _collections;

        /// <summary>Starts watching with no collection counted.</summary>
        public GcWatch()
        {
            Arm();
        }

        /// <summary>Collections seen by <see cref="Check"/> so far.</summary>
        public int Collections
        {
            get { return _collections; }
        }

        /// <summary>True (and counted) when a collection happened since the last check.</summary>
        public bool Check()
        {
            if (_sentinel.IsAlive) return false;
            _collections++;
            Arm();
            return true;
        }

        // In its own method so no local of the caller keeps the sentinel reachable.
        private void Arm()
        {
            _sentinel = new WeakReference(new object());
        }
    }
}
