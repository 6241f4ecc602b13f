using System;

namespace CoreFirmware.Drivers.Flash
{
    /// <summary>
    /// A named, erase-aligned range of external flash. Offsets given to the region's users are
    /// relative to <see cref="Start"/>; <see cref="ToAbsolute"/> checks them against the size.
    /// </summary>
    public sealed class FlashRegion
    {
        /// <summary>Creates the region <paramref name="name"/> at [start, start + size).</summary>
        public FlashRegion(string name, int start, int size)
        {
            if (start < 0) throw new ArgumentOutOfRangeException("start");
            if (size <= 0) throw new ArgumentOutOfRangeException("size");
            Name = name;
            Start = start;
            Size = size;
        }

        /// <summary>What the region holds.</summary>
        public string Name { get; private set; }

        /// <summary>First byte address.</summary>
        public int Start { get; private set; }

        /// <summary>Length in bytes.</summary>
        public int Size { get; private set; }

        /// <summary>One past the last byte address.</summary>
        public int End
        {
            get { return Start + Size; }
        }

        /// <summary>Turns a region offset into a flash address, checking [offset, offset + count) lies inside.</summary>
        public int ToAbsolute(int offset, int count)
        {
            if (offset < 0 || count < 0 || offset > Size - count)
                throw new ArgumentOutOfRangeException("offset", "range outside flash region " + Name);
            return Start + offset;
        }

        /// <summary>True when the two regions share a byte.</summary>
        public bool Overlaps(FlashRegion other)
        {
            return Start < other.End && other.Start < End;
        }
    }
}
