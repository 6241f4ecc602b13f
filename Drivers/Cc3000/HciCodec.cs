namespace CoreFirmware.Drivers.Cc3000
{
    /// <summary>
    /// Little-endian field access and HCI packet headers over byte[] (no allocation). Packets are
    /// built in a frame buffer from offset <see cref="Cc3000Protocol.SpiHeaderSize"/>, leaving room
    /// for the SPI header the link writes.
    /// </summary>
    internal static class HciCodec
    {
        /// <summary>Offset of a command's first argument in a frame.</summary>
        public const int CommandArgs = Cc3000Protocol.SpiHeaderSize + Cc3000Protocol.CommandHeaderSize;

        /// <summary>Offset of a data packet's first argument in a frame.</summary>
        public const int DataArgs = Cc3000Protocol.SpiHeaderSize + Cc3000Protocol.DataHeaderSize;

        /// <summary>Writes a command header for <paramref name="argsLength"/> argument bytes; returns the HCI payload length.</summary>
        public static int Command(byte[] frame, int opcode, int argsLength)
        {
            int at = Cc3000Protocol.SpiHeaderSize;
            frame[at] = Cc3000Protocol.HciCommand;
            frame[at + 1] = (byte)opcode;
            frame[at + 2] = (byte)(opcode >> 8);
            frame[at + 3] = (byte)argsLength;
            return Cc3000Protocol.CommandHeaderSize + argsLength;
        }

        /// <summary>Writes a data packet header; returns the length of header + arguments (the data follows separately).</summary>
        public static int Data(byte[] frame, byte opcode, int argsLength, int dataLength)
        {
            int at = Cc3000Protocol.SpiHeaderSize;
            int payload = argsLength + dataLength;
            frame[at] = Cc3000Protocol.HciData;
            frame[at + 1] = opcode;
            frame[at + 2] = (byte)argsLength;
            frame[at + 3] = (byte)payload;
            frame[at + 4] = (byte)(payload >> 8);
            return Cc3000Protocol.DataHeaderSize + argsLength;
        }

        /// <summary>Stores <paramref name="value"/> little-endian at <paramref name="at"/>; returns the next offset.</summary>
        public static int PutU32(byte[] b, int at, uint value)
        {
            b[at] = (byte)value;
            b[at + 1] = (byte)(value >> 8);
            b[at + 2] = (byte)(value >> 16);
            b[at + 3] = (byte)(value >> 24);
            return at + 4;
        }

        /// <summary>Stores a signed value little-endian; returns the next offset.</summary>
        public static int PutI32(byte[] b, int at, int value)
        {
            return PutU32(b, at, (uint)value);
        }

        /// <summary>Stores a 16-bit value little-endian; returns the next offset.</summary>
        public static int PutU16(byte[] b, int at, int value)
        {
            b[at] = (byte)value;
            b[at + 1] = (byte)(value >> 8);
            return at + 2;
        }

        /// <summary>Reads a little-endian 32-bit value.</summary>
        public static uint GetU32(byte[] b, int at)
        {
            return (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));
        }

        /// <summary>Reads a little-endian signed 32-bit value.</summary>
        public static int GetI32(byte[] b, int at)
        {
            return (int)GetU32(b, at);
        }

        /// <summary>Reads a little-endian 16-bit value.</summary>
        public static int GetU16(byte[] b, int at)
        {
            return b[at] | (b[at + 1] << 8);
        }
    }
}
