namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// The optional 12-byte UpdateBegin payload (Flasher.begin_update, "MDM proposal"), all
    /// big-endian: u8 flags (0x01 fast OTA), u16 chunk size, u32 file size, u8 destination
    /// (0 firmware, 1 external flash, 2 user memory), u32 destination address.
    /// </summary>
    /// <remarks>spark-protocol 0.1.6 sends it on the first three UpdateBegin attempts and sends the
    /// fourth (last, 90 s) attempt with NO payload: then <see cref="HasPayload"/> is false and the
    /// chunk size is the default 256, file size unknown (0).</remarks>
    public sealed class UpdateParameters
    {
        /// <summary>Length of the payload.</summary>
        public const int PayloadLength = 12;

        /// <summary>Destination: the firmware image.</summary>
        public const int DestinationFirmware = 0;

        /// <summary>Destination: external flash at <see cref="DestinationAddress"/>.</summary>
        public const int DestinationExternalFlash = 1;

        /// <summary>Destination: user memory function.</summary>
        public const int DestinationUserMemory = 2;

        /// <summary>True when the UpdateBegin carried the payload.</summary>
        public bool HasPayload;

        /// <summary>Flags byte; bit 0 = fast OTA available.</summary>
        public int Flags;

        /// <summary>Chunk size in bytes, 1 to <see cref="SparkProtocol.MaxChunkSize"/>.</summary>
        public int ChunkSize = SparkProtocol.DefaultChunkSize;

        /// <summary>Total file size in bytes (0 when unknown).</summary>
        public uint FileSize;

        /// <summary>Destination code.</summary>
        public int Destination;

        /// <summary>Destination address (0 for a firmware update).</summary>
        public uint DestinationAddress;

        /// <summary>True when the cloud offers fast OTA.</summary>
        public bool FastOta { get { return (Flags & SparkProtocol.UpdateFlagFastOta) != 0; } }

        /// <summary>Resets to "no payload" defaults.</summary>
        public void Clear()
        {
            HasPayload = false;
            Flags = 0;
            ChunkSize = SparkProtocol.DefaultChunkSize;
            FileSize = 0;
            Destination = DestinationFirmware;
            DestinationAddress = 0;
        }

        /// <summary>
        /// Reads the parameters of an UpdateBegin message. No payload gives the defaults and Ok; a
        /// payload that is not exactly 12 bytes, a chunk size of 0 or above 594, or a destination
        /// above 2 gives BadField (the fields are then cleared).
        /// </summary>
        public CoapResult Read(CoapMessage message)
        {
            Clear();
            if (SparkMessages.Classify(message) != MessageKind.UpdateBegin)
            {
                return CoapResult.WrongMessage;
            }

            int n = message.PayloadLength;
            if (n == 0)
            {
                return CoapResult.Ok;
            }

            if (n != PayloadLength)
            {
                return CoapResult.BadField;
            }

            byte[] b = message.Buffer;
            int p = message.PayloadOffset;
            int flags = b[p];
            int chunk = (b[p + 1] << 8) | b[p + 2];
            uint size = SparkMessages.ReadUInt32(b, p + 3);
            int dest = b[p + 7];
            uint addr = SparkMessages.ReadUInt32(b, p + 8);
            if (chunk == 0 || chunk > SparkProtocol.MaxChunkSize || dest > DestinationUserMemory)
            {
                return CoapResult.BadField;
            }

            HasPayload = true;
            Flags = flags;
            ChunkSize = chunk;
            FileSize = size;
            Destination = dest;
            DestinationAddress = addr;
            return CoapResult.Ok;
        }

        /// <summary>Writes the 12-byte payload at <paramref name="buffer"/>[<paramref name="offset"/>].</summary>
        public void Write(byte[] buffer, int offset)
        {
            buffer[offset] = (byte)Flags;
            buffer[offset + 1] = (byte)(ChunkSize >> 8);
            buffer[offset + 2] = (byte)ChunkSize;
            SparkMessages.WriteUInt32(buffer, offset + 3, FileSize);
            buffer[offset + 7] = (byte)Destination;
            SparkMessages.WriteUInt32(buffer, offset + 8, DestinationAddress);
        }
    }
}
