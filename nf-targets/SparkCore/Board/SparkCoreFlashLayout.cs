using CoreFirmware.Drivers.Flash;

namespace CoreFirmware.SparkCore
{
    /// <summary>
    /// The external SST25VF016B's map (2 MB, 4 KB sectors):
    /// <code>
    /// 0x000000  4 KB   device keys
    /// 0x001000  4 KB   boot state A
    /// 0x002000  4 KB   boot state B
    /// 0x003000  ...    unused up to the first 64 KB block
    /// 0x020000  640 KB staging slot   (incoming OTA image)
    /// 0x0C0000  640 KB backup slot    (image that ran before the last install)
    /// 0x160000  640 KB factory slot
    /// 0x200000         end of chip
    /// </code>
    /// The slots start on 64 KB block boundaries so they can be cleared with block erases. The
    /// running application itself lives in the MCU's internal flash; a slot's size bounds the image.
    /// </summary>
    public static class SparkCoreFlashLayout
    {
        /// <summary>SST25VF016B capacity.</summary>
        public const int FlashSize = 2 * 1024 * 1024;

        /// <summary>4 KB sector: the smallest erase.</summary>
        public const int SectorSize = 4096;

        /// <summary>Size of each image slot.</summary>
        public const int SlotSize = 640 * 1024;

        /// <summary>Builds the validated map.</summary>
        public static FlashMap Create()
        {
            return new FlashMap(FlashSize, SectorSize,
                new FlashRegion("keys", 0x000000, SectorSize),
                new FlashRegion("boot-state-a", 0x001000, SectorSize),
                new FlashRegion("boot-state-b", 0x002000, SectorSize),
                new FlashRegion("staging", 0x020000, SlotSize),
                new FlashRegion("backup", 0x0C0000, SlotSize),
                new FlashRegion("factory", 0x160000, SlotSize));
        }
    }
}
