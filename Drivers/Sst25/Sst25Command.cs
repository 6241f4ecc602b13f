namespace CoreFirmware.Drivers.Sst25
{
    /// <summary>
    /// Instruction opcodes of the SST25VF016B (from the part's datasheet; see specs/README.md).
    /// Each instruction is one chip-select cycle: opcode, then address/data bytes where the
    /// instruction takes them.
    /// </summary>
    public static class Sst25Command
    {
        /// <summary>Read, up to 25 MHz: opcode, 3 address bytes, then data until CS rises.</summary>
        public const byte Read = 0x03;

        /// <summary>High-speed read: opcode, 3 address bytes, 1 dummy byte, then data.</summary>
        public const byte HighSpeedRead = 0x0B;

        /// <summary>Erase the 4 KB sector holding the address.</summary>
        public const byte SectorErase4K = 0x20;

        /// <summary>Erase the 32 KB block holding the address.</summary>
        public const byte BlockErase32K = 0x52;

        /// <summary>Erase the 64 KB block holding the address.</summary>
        public const byte BlockErase64K = 0xD8;

        /// <summary>Erase the whole array (0xC7 is an alias).</summary>
        public const byte ChipErase = 0x60;

        /// <summary>Program one byte: opcode, 3 address bytes, 1 data byte.</summary>
        public const byte ByteProgram = 0x02;

        /// <summary>Auto-address-increment word program: the first cycle carries the address and
        /// two data bytes, later cycles only two data bytes; leave the mode with <see cref="WriteDisable"/>.</summary>
        public const byte AaiWordProgram = 0xAD;

        /// <summary>Read the status register (repeats while CS stays low).</summary>
        public const byte ReadStatus = 0x05;

        /// <summary>Enable-write-status-register: must directly precede <see cref="WriteStatus"/>.</summary>
        public const byte EnableWriteStatus = 0x50;

        /// <summary>Write the status register (1 data byte).</summary>
        public const byte WriteStatus = 0x01;

        /// <summary>Set the write-enable latch: needed before every program or erase.</summary>
        public const byte WriteEnable = 0x06;

        /// <summary>Clear the write-enable latch; also ends AAI mode.</summary>
        public const byte WriteDisable = 0x04;

        /// <summary>JEDEC id: manufacturer, memory type, capacity.</summary>
        public const byte JedecId = 0x9F;
    }
}
