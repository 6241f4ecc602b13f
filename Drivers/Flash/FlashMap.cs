using System;

namespace CoreFirmware.Drivers.Flash
{
    /// <summary>
    /// The layout of the external flash (see ARCHITECTURE.md, "Flash map and boot"): device keys,
    /// the two boot-state sectors, the staging slot for an incoming image, the backup of the running
    /// image and the factory image. The board defines the numbers; this class checks them.
    /// </summary>
    public sealed class FlashMap
    {
        /// <summary>Creates and validates a map: regions must not overlap, must fit the chip and
        /// must start and end on an erase-unit boundary.</summary>
        public FlashMap(int flashSize, int eraseUnit, FlashRegion keys, FlashRegion bootStateA, FlashRegion bootStateB,
            FlashRegion staging, FlashRegion backup, FlashRegion factory)
        {
            FlashSize = flashSize;
            EraseUnit = eraseUnit;
            Keys = keys;
            BootStateA = bootStateA;
            BootStateB = bootStateB;
            Staging = staging;
            Backup = backup;
            Factory = factory;
            FlashRegion[] all = new FlashRegion[] { keys, bootStateA, bootStateB, staging, backup, factory };
            for (int i = 0; i < all.Length; i++)
            {
                FlashRegion r = all[i];
                if (r == null) throw new ArgumentNullException("region");
                if (r.End > flashSize) throw new ArgumentException("region " + r.Name + " ends past the chip");
                if (r.Start % eraseUnit != 0 || r.Size % eraseUnit != 0)
                    throw new ArgumentException("region " + r.Name + " is not aligned to the " + eraseUnit.ToString() + "-byte erase unit");
                for (int j = i + 1; j < all.Length; j++)
                {
                    if (r.Overlaps(all[j])) throw new ArgumentException("regions " + r.Name + " and " + all[j].Name + " overlap");
                }
            }
            if (staging.Size != backup.Size || staging.Size != factory.Size)
                throw new ArgumentException("staging, backup and factory slots must have the same size");
        }

        /// <summary>Chip size in bytes.</summary>
        public int FlashSize { get; private set; }

        /// <summary>Smallest erasable unit (the 4 KB sector).</summary>
        public int EraseUnit { get; private set; }

        /// <summary>Device private key and the cloud's public key.</summary>
        public FlashRegion Keys { get; private set; }

        /// <summary>First of the two alternating boot-state sectors.</summary>
        public FlashRegion BootStateA { get; private set; }

        /// <summary>Second of the two alternating boot-state sectors.</summary>
        public FlashRegion BootStateB { get; private set; }

        /// <summary>Where an incoming OTA image is written.</summary>
        public FlashRegion Staging { get; private set; }

        /// <summary>Copy of the image that ran before the last install.</summary>
        public FlashRegion Backup { get; private set; }

        /// <summary>The image the board left the factory with.</summary>
        public FlashRegion Factory { get; private set; }

        /// <summary>Largest image a slot can hold.</summary>
        public int SlotSize
        {
            get { return Staging.Size; }
        }
    }
}
