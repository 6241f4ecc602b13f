namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// Numbers of the Spark cloud protocol as spark-protocol 0.1.6 (the 2014 local cloud) uses
    /// them. Each constant says where it comes from.
    /// </summary>
    public static class SparkProtocol
    {
        /// <summary>TCP port of the device server (settings.js PORT).</summary>
        public const int Port = 5683;

        /// <summary>Default OTA chunk size (Flasher.CHUNK_SIZE).</summary>
        public const int DefaultChunkSize = 256;

        /// <summary>Largest OTA chunk size the cloud may announce (Flasher.MAX_CHUNK_SIZE).</summary>
        public const int MaxChunkSize = 594;

        /// <summary>ChunkMissed requests the cloud honours before failing the update (Flasher.MAX_MISSED_CHUNKS);
        /// in fast OTA it first allows one re-request per chunk sent.</summary>
        public const int MaxMissedChunks = 10;

        /// <summary>The cloud resends UpdateBegin if UpdateReady has not come after this long, 3 times with a
        /// payload, then once more without one and a 90 s wait (Flasher.begin_update).</summary>
        public const int UpdateReadyRetryMilliseconds = 6000;

        /// <summary>The whole chunk transfer must finish within this time (Flasher "CompleteTransfer" watch, 600 s).</summary>
        public const int TransferTimeoutMilliseconds = 600000;

        /// <summary>Fast OTA: the cloud stays for missed-chunk requests until this long after the last one (60 s).</summary>
        public const int FastOtaMissedChunkWindowMilliseconds = 60000;

        /// <summary>Handshake steps time out after 30 s (Handshake.read_coreid / get_hello).</summary>
        public const int HandshakeStepTimeoutMilliseconds = 30000;

        /// <summary>The whole handshake must finish within 120 s (Handshake.GLOBAL_TIMEOUT).</summary>
        public const int HandshakeTimeoutMilliseconds = 120000;

        /// <summary>The cloud's tokens are one byte counting 1..254 then wrapping to 0
        /// (settings.message_token_max = 255, SparkCore.getNextToken).</summary>
        public const int TokenModulus = 255;

        /// <summary>Message ids are 16-bit and wrap from 65535 to 0 (settings.message_counter_max = 2^16).</summary>
        public const int MessageIdModulus = 65536;

        /// <summary>Default event time to live when the Max-Age option is absent (SparkCore.onCoreSentEvent).</summary>
        public const int DefaultEventTtlSeconds = 60;

        /// <summary>UpdateBegin flag: the cloud can do fast OTA (chunk index in each Chunk, ChunkMissed).</summary>
        public const int UpdateFlagFastOta = 0x01;

        /// <summary>UpdateBegin flag (our extension, PROTOCOL-NOTES.md): the cloud asks for a re-install,
        /// so an image of the running version is accepted (without it that is refused as a replay).</summary>
        public const int UpdateFlagReinstall = 0x02;
    }
}
