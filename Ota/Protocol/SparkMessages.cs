using System;

namespace CoreFirmware.Ota.Protocol
{
    /// <summary>
    /// Builders and readers for the Spark protocol's CoAP messages, in the layout spark-protocol
    /// 0.1.6 (lib/Messages.js Spec, lib/Flasher.js, clients/SparkCore.js) puts on the wire.
    /// Every builder writes one whole message through a <see cref="CoapWriter"/> into a caller
    /// buffer and returns the writer's result; the message length is then
    /// <see cref="CoapWriter.Length"/>. Nothing here allocates.
    /// </summary>
    /// <remarks>
    /// <para>Uri-Path is written one option per segment, as h5.coap's setUri does ("e/temp" is the
    /// two options "e" and "temp").</para>
    /// <para>Tokens: the cloud's requests carry a 1-byte token; every response that is not an ACK
    /// (UpdateReady, ChunkReceived, DescribeReturn ...) MUST echo it, because the cloud routes
    /// non-request codes only by token (SparkCore.routeMessage). The response overloads therefore
    /// take the request message and copy its token. Device requests (Hello, Ping, events,
    /// ChunkMissed, GetTime) carry no token.</para>
    /// <para>Pass a negative token to the cloud-side builders for "no token".</para>
    /// </remarks>
    public static class SparkMessages
    {
        private const int PathHello = 'h';
        private const int PathUpdate = 'u';
        private const int PathChunk = 'c';
        private const int PathDescribe = 'd';
        private const int PathTime = 't';
        private const int PathPublicEvent = 'e';
        private const int PathPrivateEvent = 'E';
        private const int PathSystem = 's';

        // Second Uri-Path segment of the safe-mode request (CoreFirmware extension).
        private static readonly byte[] SafeModeSegment = new byte[] { (byte)'s', (byte)'a', (byte)'f', (byte)'e', (byte)'-', (byte)'m', (byte)'o', (byte)'d', (byte)'e' };

        /// <summary>Bytes of each Hello payload field pair: u16 product id, u16 firmware version.</summary>
        public const int HelloPayloadLength = 4;

        /// <summary>Bytes of the CRC32 Uri-Query of a Chunk.</summary>
        public const int ChunkCrcLength = 4;

        /// <summary>Bytes of a chunk index (fast OTA Uri-Query, ChunkMissed payload entries).</summary>
        public const int ChunkIndexLength = 2;

        // ---------------------------------------------------------------- device to cloud

        /// <summary>
        /// Hello: POST "h", NON. The device's Hello carries product id and firmware version (u16
        /// big-endian each; pass a negative <paramref name="productId"/> to omit the payload, as the
        /// cloud's own Hello does). <paramref name="token"/> negative = none (the device sends none;
        /// the cloud's Hello goes through sendMessage and so carries its next 1-byte token).
        /// </summary>
        public static CoapResult Hello(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId,
            int token, int productId, int firmwareVersion)
        {
            w.StartWithByteToken(buffer, offset, capacity, CoapType.NonConfirmable, CoapCode.Post, messageId, token);
            w.AddByteOption(CoapOption.UriPath, PathHello);
            if (productId >= 0)
            {
                int at = w.ReservePayload(HelloPayloadLength);
                if (at >= 0)
                {
                    buffer[at] = (byte)(productId >> 8);
                    buffer[at + 1] = (byte)productId;
                    buffer[at + 2] = (byte)(firmwareVersion >> 8);
                    buffer[at + 3] = (byte)firmwareVersion;
                }
            }

            return w.Result;
        }

        /// <summary>Ping: empty CON, no token. The cloud answers with an empty ACK of the same id.</summary>
        public static CoapResult Ping(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId)
        {
            return w.Start(buffer, offset, capacity, CoapType.Confirmable, CoapCode.Empty, messageId, null, 0, 0);
        }

        /// <summary>
        /// Empty ACK answering the CON <paramref name="messageId"/> (PingAck, EventAck,
        /// ChunkMissedAck). Written without a token, as RFC 7252 requires (spark-protocol itself
        /// adds a 0x00 token; <see cref="CoapMessage.Decode"/> accepts both).
        /// </summary>
        public static CoapResult EmptyAck(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId)
        {
            return w.Start(buffer, offset, capacity, CoapType.Acknowledgement, CoapCode.Empty, messageId, null, 0, 0);
        }

        /// <summary>
        /// A NON response with its own (next) message id that echoes the request's token: the shape of
        /// UpdateReady, ChunkReceived(Error), DescribeReturn, FunctionReturn in spark-protocol's Spec.
        /// </summary>
        public static CoapResult Response(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId,
            CoapMessage request, int code, byte[] payload, int payloadOffset, int payloadLength)
        {
            if (request == null)
            {
                return CoapResult.InvalidArgument;
            }

            w.Start(buffer, offset, capacity, CoapType.NonConfirmable, code, messageId, request.Token, 0, request.TokenLength);
            return w.SetPayload(payload, payloadOffset, payloadLength);
        }

        /// <summary>DescribeReturn: 2.04 CHANGED, NON, the Describe's token, JSON payload.</summary>
        public static CoapResult DescribeReturn(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId,
            CoapMessage describe, byte[] json, int jsonOffset, int jsonLength)
        {
            return Response(w, buffer, offset, capacity, messageId, describe, CoapCode.Changed, json, jsonOffset, jsonLength);
        }

        /// <summary>
        /// UpdateReady: 2.04 CHANGED, NON, the UpdateBegin's token. A non-negative
        /// <paramref name="protocolVersion"/> adds it as a 1-byte payload (the cloud reads a
        /// version above 0 as "device does fast OTA"; see the remarks on the 0.1.6 quirk in
        /// <see cref="ReadUpdateReadyVersion"/>).
        /// </summary>
        public static CoapResult UpdateReady(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId,
            CoapMessage updateBegin, int protocolVersion)
        {
            if (updateBegin == null)
            {
                return CoapResult.InvalidArgument;
            }

            w.Start(buffer, offset, capacity, CoapType.NonConfirmable, CoapCode.Changed, messageId,
                updateBegin.Token, 0, updateBegin.TokenLength);
            if (protocolVersion >= 0)
            {
                int at = w.ReservePayload(1);
                if (at >= 0)
                {
                    buffer[at] = (byte)protocolVersion;
                }
            }

            return w.Result;
        }

        /// <summary>
        /// ChunkReceived (2.04 CHANGED, NON) when <paramref name="crcMatched"/>, else
        /// ChunkReceivedError (4.00 BAD_REQUEST, NON, the cloud resends the chunk). Echoes the
        /// Chunk's token; no payload.
        /// </summary>
        public static CoapResult ChunkReceived(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId,
            CoapMessage chunk, bool crcMatched)
        {
            if (chunk == null)
            {
                return CoapResult.InvalidArgument;
            }

            return w.Start(buffer, offset, capacity, CoapType.NonConfirmable,
                crcMatched ? CoapCode.Changed : CoapCode.BadRequest, messageId, chunk.Token, 0, chunk.TokenLength);
        }

        /// <summary>
        /// ChunkMissed: GET "c", CON, no token, payload = <paramref name="count"/> chunk indexes
        /// (u16 big-endian each) from <paramref name="indexes"/>[<paramref name="indexOffset"/>].
        /// The cloud acks it with an empty ACK and resends each chunk.
        /// </summary>
        public static CoapResult ChunkMissed(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId,
            int[] indexes, int indexOffset, int count)
        {
            w.Start(buffer, offset, capacity, CoapType.Confirmable, CoapCode.Get, messageId, null, 0, 0);
            w.AddByteOption(CoapOption.UriPath, PathChunk);
            if (w.Result != CoapResult.Ok)
            {
                return w.Result;
            }

            if (indexes == null || count <= 0 || indexOffset < 0 || indexOffset > indexes.Length - count)
            {
                return CoapResult.InvalidArgument;
            }

            int at = w.ReservePayload(count * ChunkIndexLength);
            if (at >= 0)
            {
                for (int i = 0; i < count; i++)
                {
                    int idx = indexes[indexOffset + i];
                    buffer[at++] = (byte)(idx >> 8);
                    buffer[at++] = (byte)idx;
                }
            }

            return w.Result;
        }

        /// <summary>
        /// Event: POST "e"/name (public) or "E"/name (private), NON, no token. A positive
        /// <paramref name="ttlSeconds"/> adds Max-Age (the cloud uses 60 s when it is absent).
        /// The cloud answers with an empty ACK (EventAck) or 4.00 ACK (EventSlowdown).
        /// </summary>
        public static CoapResult Event(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId,
            bool isPublic, byte[] name, int nameOffset, int nameLength, int ttlSeconds,
            byte[] data, int dataOffset, int dataLength)
        {
            w.Start(buffer, offset, capacity, CoapType.NonConfirmable, CoapCode.Post, messageId, null, 0, 0);
            w.AddByteOption(CoapOption.UriPath, isPublic ? PathPublicEvent : PathPrivateEvent);
            w.AddOption(CoapOption.UriPath, name, nameOffset, nameLength);
            if (ttlSeconds > 0)
            {
                w.AddUIntOption(CoapOption.MaxAge, (uint)ttlSeconds);
            }

            return w.SetPayload(data, dataOffset, dataLength);
        }

        /// <summary>GetTime: GET "t", CON, no token; answered by GetTimeReturn (2.05 ACK, u32 unix seconds).</summary>
        public static CoapResult GetTime(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId)
        {
            w.Start(buffer, offset, capacity, CoapType.Confirmable, CoapCode.Get, messageId, null, 0, 0);
            return w.AddByteOption(CoapOption.UriPath, PathTime);
        }

        // ---------------------------------------------------------------- cloud to device

        /// <summary>Describe: GET "d", CON, with the cloud's token.</summary>
        public static CoapResult Describe(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId, int token)
        {
            w.StartWithByteToken(buffer, offset, capacity, CoapType.Confirmable, CoapCode.Get, messageId, token);
            return w.AddByteOption(CoapOption.UriPath, PathDescribe);
        }

        /// <summary>UpdateBegin: POST "u", CON, with the cloud's token; <paramref name="parameters"/> null = no payload.</summary>
        public static CoapResult UpdateBegin(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId,
            int token, UpdateParameters parameters)
        {
            w.StartWithByteToken(buffer, offset, capacity, CoapType.Confirmable, CoapCode.Post, messageId, token);
            w.AddByteOption(CoapOption.UriPath, PathUpdate);
            if (parameters != null)
            {
                int at = w.ReservePayload(UpdateParameters.PayloadLength);
                if (at >= 0)
                {
                    parameters.Write(buffer, at);
                }
            }

            return w.Result;
        }

        /// <summary>
        /// Chunk: POST "c", CON, the cloud's token, Uri-Query = CRC32 of the chunk data (4 bytes
        /// big-endian) and, in fast OTA (<paramref name="chunkIndex"/> non-negative), a second
        /// Uri-Query = the chunk index (u16 big-endian); payload = the chunk. The cloud zero-pads
        /// the last chunk to the chunk size and computes the CRC over the padded chunk.
        /// </summary>
        public static CoapResult Chunk(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId, int token,
            uint crc, int chunkIndex, byte[] data, int dataOffset, int dataLength)
        {
            w.StartWithByteToken(buffer, offset, capacity, CoapType.Confirmable, CoapCode.Post, messageId, token);
            w.AddByteOption(CoapOption.UriPath, PathChunk);
            if (w.Result != CoapResult.Ok)
            {
                return w.Result;
            }

            // The option header for a 4-byte value after Uri-Path: delta 4, length 4.
            w.AddOption(CoapOption.UriQuery, Zero4, 0, ChunkCrcLength);
            if (w.Result == CoapResult.Ok)
            {
                WriteUInt32(buffer, offset + w.Length - ChunkCrcLength, crc);
            }

            if (chunkIndex >= 0)
            {
                if (chunkIndex > 0xFFFF)
                {
                    return CoapResult.InvalidArgument;
                }

                w.AddOption(CoapOption.UriQuery, Zero4, 0, ChunkIndexLength);
                if (w.Result == CoapResult.Ok)
                {
                    buffer[offset + w.Length - 2] = (byte)(chunkIndex >> 8);
                    buffer[offset + w.Length - 1] = (byte)chunkIndex;
                }
            }

            return w.SetPayload(data, dataOffset, dataLength);
        }

        /// <summary>UpdateDone: PUT "u", CON, with the cloud's token, no payload.</summary>
        public static CoapResult UpdateDone(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId, int token)
        {
            w.StartWithByteToken(buffer, offset, capacity, CoapType.Confirmable, CoapCode.Put, messageId, token);
            return w.AddByteOption(CoapOption.UriPath, PathUpdate);
        }

        /// <summary>
        /// SafeModeRequest (CoreFirmware extension, PROTOCOL-NOTES.md): POST "s" "safe-mode", CON, with
        /// the cloud's token, no payload. The device answers 2.04 NON with the token once it has
        /// recorded the request, then reboots into safe mode; 5.03 while an update runs, 5.00 when the
        /// boot state could not be written.
        /// </summary>
        public static CoapResult SafeModeRequest(CoapWriter w, byte[] buffer, int offset, int capacity, int messageId, int token)
        {
            w.StartWithByteToken(buffer, offset, capacity, CoapType.Confirmable, CoapCode.Post, messageId, token);
            w.AddByteOption(CoapOption.UriPath, PathSystem);
            return w.AddOption(CoapOption.UriPath, SafeModeSegment, 0, SafeModeSegment.Length);
        }

        /// <summary>GetTimeReturn: 2.05 CONTENT, ACK with the request's id and token, u32 big-endian unix seconds.</summary>
        public static CoapResult GetTimeReturn(CoapWriter w, byte[] buffer, int offset, int capacity,
            CoapMessage request, uint unixSeconds)
        {
            if (request == null)
            {
                return CoapResult.InvalidArgument;
            }

            w.Start(buffer, offset, capacity, CoapType.Acknowledgement, CoapCode.Content, request.MessageId,
                request.Token, 0, request.TokenLength);
            int at = w.ReservePayload(4);
            if (at >= 0)
            {
                WriteUInt32(buffer, at, unixSeconds);
            }

            return w.Result;
        }

        // ---------------------------------------------------------------- readers

        /// <summary>Classifies a decoded message the way spark-protocol routes it.</summary>
        public static MessageKind Classify(CoapMessage m)
        {
            int code = m.Code;
            if (code == CoapCode.Empty)
            {
                switch (m.Type)
                {
                    case CoapType.Confirmable: return MessageKind.Ping;
                    case CoapType.Acknowledgement: return MessageKind.EmptyAck;
                    case CoapType.Reset: return MessageKind.Reset;
                    default: return MessageKind.Unknown;
                }
            }

            if (!CoapCode.IsRequest(code))
            {
                return MessageKind.Response;
            }

            int path = m.FindOption(CoapOption.UriPath, 0);
            if (path < 0 || m.GetOptionLength(path) == 0)
            {
                return MessageKind.Unknown;
            }

            int c = m.Buffer[m.GetOptionOffset(path)];
            switch (code)
            {
                case CoapCode.Get:
                    if (c == PathDescribe) return MessageKind.Describe;
                    if (c == PathChunk) return MessageKind.ChunkMissed;
                    if (c == 'v') return MessageKind.VariableRequest;
                    if (c == PathPublicEvent) return MessageKind.Subscribe;
                    if (c == PathTime) return MessageKind.GetTime;
                    break;
                case CoapCode.Post:
                    if (c == PathHello) return MessageKind.Hello;
                    if (c == PathUpdate) return MessageKind.UpdateBegin;
                    if (c == PathChunk) return MessageKind.Chunk;
                    if (c == 'f') return MessageKind.FunctionCall;
                    if (c == PathPublicEvent) return MessageKind.PublicEvent;
                    if (c == PathPrivateEvent) return MessageKind.PrivateEvent;
                    if (c == PathSystem && IsSafeModePath(m)) return MessageKind.SafeModeRequest;
                    break;
                case CoapCode.Put:
                    if (c == PathUpdate) return MessageKind.UpdateDone;
                    if (c == 'k') return MessageKind.KeyChange;
                    if (c == 's') return MessageKind.RaiseYourHand;
                    break;
            }

            return MessageKind.Unknown;
        }

        // True when the message's Uri-Path is exactly "s" "safe-mode".
        private static bool IsSafeModePath(CoapMessage m)
        {
            int first = m.FindOption(CoapOption.UriPath, 0);
            int second = m.FindOption(CoapOption.UriPath, 1);
            if (first < 0 || m.GetOptionLength(first) != 1 || second < 0 || m.FindOption(CoapOption.UriPath, 2) >= 0) return false;
            if (m.GetOptionLength(second) != SafeModeSegment.Length) return false;
            int at = m.GetOptionOffset(second);
            for (int i = 0; i < SafeModeSegment.Length; i++)
            {
                if (m.Buffer[at + i] != SafeModeSegment[i]) return false;
            }

            return true;
        }

        /// <summary>
        /// Reads a Chunk's CRC32 (first Uri-Query, exactly 4 bytes big-endian). WrongMessage if the
        /// message is not a Chunk, BadField if the Uri-Query is missing or not 4 bytes.
        /// </summary>
        public static CoapResult ReadChunkCrc(CoapMessage m, out uint crc)
        {
            crc = 0;
            if (Classify(m) != MessageKind.Chunk)
            {
                return CoapResult.WrongMessage;
            }

            int q = m.FindOption(CoapOption.UriQuery, 0);
            if (q < 0 || m.GetOptionLength(q) != ChunkCrcLength)
            {
                return CoapResult.BadField;
            }

            crc = ReadUInt32(m.Buffer, m.GetOptionOffset(q));
            return CoapResult.Ok;
        }

        /// <summary>
        /// Reads a Chunk's index: -1 when there is no second Uri-Query (ordinary OTA), else the
        /// second Uri-Query as an unsigned big-endian number of 0 to 2 bytes (fast OTA). An empty
        /// value reads as 0: spark-protocol 0.1.6 builds this option with ToBinary(index, "uint16"),
        /// which has no "uint16" case and writes the index as a string — empty for index 0 and an
        /// exception for any other — so its fast OTA never worked past chunk 0; we read the intended
        /// u16 and accept its one working output. Longer values give BadField.
        /// </summary>
        public static CoapResult ReadChunkIndex(CoapMessage m, out int index)
        {
            index = -1;
            if (Classify(m) != MessageKind.Chunk)
            {
                return CoapResult.WrongMessage;
            }

            int q = m.FindOption(CoapOption.UriQuery, 1);
            if (q < 0)
            {
                return CoapResult.Ok;
            }

            if (m.GetOptionLength(q) > ChunkIndexLength || m.FindOption(CoapOption.UriQuery, 2) >= 0)
            {
                return CoapResult.BadField;
            }

            index = (int)m.GetOptionUInt32(q);
            return CoapResult.Ok;
        }

        /// <summary>
        /// Number of chunk indexes in a ChunkMissed payload; -1 if the message is not a ChunkMissed
        /// or its payload is empty or of odd length.
        /// </summary>
        public static int ReadMissedChunkCount(CoapMessage m)
        {
            if (Classify(m) != MessageKind.ChunkMissed)
            {
                return -1;
            }

            int n = m.PayloadLength;
            if (n == 0 || (n & 1) != 0)
            {
                return -1;
            }

            return n / ChunkIndexLength;
        }

        /// <summary>The <paramref name="i"/>-th index of a ChunkMissed payload (check the count first).</summary>
        /// <exception cref="ArgumentNullException"><paramref name="m"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is past the payload's indexes.</exception>
        public static int ReadMissedChunk(CoapMessage m, int i)
        {
            if (m == null)
            {
                throw new ArgumentNullException("m");
            }

            if (i < 0 || i >= m.PayloadLength / ChunkIndexLength)
            {
                throw new ArgumentOutOfRangeException("i");
            }

            int at = m.PayloadOffset + i * ChunkIndexLength;
            return (m.Buffer[at] << 8) | m.Buffer[at + 1];
        }

        /// <summary>
        /// The protocol version byte of an UpdateReady, -1 when it has no payload.
        /// Quirk of spark-protocol 0.1.6: it reads this byte with FromBinary(payload, "byte"), which
        /// has no "byte" case and yields a string, and then tests version &gt; 0: the byte 0x01
        /// compares false (NaN) and only an ASCII digit such as '1' (0x31) turns fast OTA on.
        /// </summary>
        public static int ReadUpdateReadyVersion(CoapMessage m)
        {
            return m.PayloadLength >= 1 ? m.Buffer[m.PayloadOffset] : -1;
        }

        /// <summary>
        /// Reads a Hello's product id and firmware version (u16 big-endian each). False when the
        /// message is not a Hello or its payload is shorter than 4 bytes (the cloud's Hello has none).
        /// </summary>
        public static bool ReadHelloVersion(CoapMessage m, out int productId, out int firmwareVersion)
        {
            productId = -1;
            firmwareVersion = -1;
            if (Classify(m) != MessageKind.Hello || m.PayloadLength < HelloPayloadLength)
            {
                return false;
            }

            byte[] b = m.Buffer;
            int p = m.PayloadOffset;
            productId = (b[p] << 8) | b[p + 1];
            firmwareVersion = (b[p + 2] << 8) | b[p + 3];
            return true;
        }

        /// <summary>Big-endian uint32 at <paramref name="offset"/>.</summary>
        public static uint ReadUInt32(byte[] b, int offset)
        {
            return ((uint)b[offset] << 24) | ((uint)b[offset + 1] << 16) | ((uint)b[offset + 2] << 8) | b[offset + 3];
        }

        /// <summary>Writes <paramref name="value"/> big-endian at <paramref name="offset"/>.</summary>
        public static void WriteUInt32(byte[] b, int offset, uint value)
        {
            b[offset] = (byte)(value >> 24);
            b[offset + 1] = (byte)(value >> 16);
            b[offset + 2] = (byte)(value >> 8);
            b[offset + 3] = (byte)value;
        }

        private static readonly byte[] Zero4 = new byte[4];
    }
}
