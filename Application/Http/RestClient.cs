using System;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;

namespace CoreFirmware.Application.Http
{
    /// <summary>
    /// A bounded HTTP/1.1 client for REST calls from user code. It owns two fixed buffers whose
    /// sizes are set at construction (a request/header buffer and a body buffer) and allocates
    /// nothing per request: the request is written into the request buffer byte by byte from ASCII
    /// strings, the response head is read back into the same buffer, and the body is decoded into
    /// the body buffer. A response that does not fit ends with <see cref="HttpResult.TooLarge"/>;
    /// nothing grows. Each request uses one connection (Connection: close) that is closed before the
    /// call returns. A <see cref="Drivers.Net.SocketError.Preempted"/> from the socket layer (an OTA
    /// update took user networking) ends the request at once with <see cref="HttpResult.Preempted"/>.
    /// Not thread-safe: use one client per thread.
    /// </summary>
    public sealed class RestClient
    {
        /// <summary>
        /// Default size of the request/header buffer: 1 KB. It holds the request line and headers
        /// (about 150 bytes for a typical GET) and then the response status line and header block;
        /// ticker APIs answer with 200-600 bytes of headers, so 1 KB leaves room for cookies and
        /// proxies' additions while staying small on a 32 KB-RAM-class MCU.
        /// </summary>
        public const int DefaultRequestBufferSize = 1024;

        /// <summary>
        /// Default size of the body buffer: 4 KB. A Bitstamp-style ticker is about 250 bytes and a
        /// CoinDesk-style price index about 700 bytes; 4 KB holds either with a wide margin and is the
        /// largest single block worth reserving for one user REST client on the device.
        /// </summary>
        public const int DefaultBodyBufferSize = 4096;

        /// <summary>Smallest request buffer accepted: a request line, Host and Connection headers.</summary>
        public const int MinimumRequestBufferSize = 128;

        /// <summary>Default connect (and resolve) timeout: 10 s, above the CC3000's usual DNS and TCP connect times of a few seconds.</summary>
        public const int DefaultConnectTimeoutMilliseconds = 10000;

        /// <summary>Default send timeout: 10 s.</summary>
        public const int DefaultSendTimeoutMilliseconds = 10000;

        /// <summary>Default longest wait for any single receive (idle time between bytes): 10 s.</summary>
        public const int DefaultReceiveTimeoutMilliseconds = 10000;

        /// <summary>Default limit on the whole response, from the first receive to the end of the body: 30 s.</summary>
        public const int DefaultResponseTimeoutMilliseconds = 30000;

        // Receives framing that follows a full body buffer (the last chunk, trailers). 64 bytes
        // takes "0\r\n\r\n" and a short trailer in one go; anything that is payload is TooLarge anyway.
        private const int ScratchSize = 64;

        // Interim (1xx) responses skipped before the final one; more is taken as a broken server.
        private const int MaxInterimResponses = 4;

        private const int HttpPort = 80;

        private readonly INetworkSockets _sockets;
        private readonly IClock _clock;
        private readonly byte[] _head;
        private readonly byte[] _body;
        private readonly byte[] _scratch;
        private readonly HttpBodyDecoder _decoder;

        private int _position;        // write position while building the request
        private int _headLength;      // bytes of the response head buffer in use
        private int _fieldsStart;     // first header line
        private int _fieldsEnd;       // end of the header block (start of the empty line)
        private int _statusCode;
        private int _socketError;
        private HttpResult _result;
        private int _connectTimeout = DefaultConnectTimeoutMilliseconds;
        private int _sendTimeout = DefaultSendTimeoutMilliseconds;
        private int _receiveTimeout = DefaultReceiveTimeoutMilliseconds;
        private int _responseTimeout = DefaultResponseTimeoutMilliseconds;

        /// <summary>Creates a client with the default buffer sizes (<see cref="DefaultRequestBufferSize"/>, <see cref="DefaultBodyBufferSize"/>).</summary>
        /// <param name="sockets">The user socket view (behind the socket broker on the device).</param>
        /// <param name="clock">The board clock, for the response deadline.</param>
        public RestClient(INetworkSockets sockets, IClock clock)
            : this(sockets, clock, DefaultRequestBufferSize, DefaultBodyBufferSize)
        {
        }

        /// <summary>Creates a client with the given buffer sizes. The buffers are allocated here, once.</summary>
        /// <param name="sockets">The user socket view (behind the socket broker on the device).</param>
        /// <param name="clock">The board clock, for the response deadline.</param>
        /// <param name="requestBufferSize">Bytes for the request line and headers, reused for the response head; at least <see cref="MinimumRequestBufferSize"/>.</param>
        /// <param name="bodyBufferSize">Bytes for the decoded response body; at least 1 and at most 64 MB.</param>
        public RestClient(INetworkSockets sockets, IClock clock, int requestBufferSize, int bodyBufferSize)
        {
            if (sockets == null) throw new ArgumentNullException("sockets");
            if (clock == null) throw new ArgumentNullException("clock");
            if (requestBufferSize < MinimumRequestBufferSize) throw new ArgumentOutOfRangeException("requestBufferSize");
            if (bodyBufferSize < 1 || bodyBufferSize > 0x4000000) throw new ArgumentOutOfRangeException("bodyBufferSize");
            _sockets = sockets;
            _clock = clock;
            _head = new byte[requestBufferSize];
            _body = new byte[bodyBufferSize];
            _scratch = new byte[ScratchSize];
            _decoder = new HttpBodyDecoder(_body);
        }

        /// <summary>Timeout for resolving the host, opening the socket and connecting, in milliseconds.</summary>
        public int ConnectTimeoutMilliseconds
        {
            get { return _connectTimeout; }
            set { _connectTimeout = CheckTimeout(value); }
        }

        /// <summary>Timeout for sending the request, in milliseconds.</summary>
        public int SendTimeoutMilliseconds
        {
            get { return _sendTimeout; }
            set { _sendTimeout = CheckTimeout(value); }
        }

        /// <summary>Longest wait for any single receive (the idle time between bytes), in milliseconds.</summary>
        public int ReceiveTimeoutMilliseconds
        {
            get { return _receiveTimeout; }
            set { _receiveTimeout = CheckTimeout(value); }
        }

        /// <summary>Limit on the whole response (head and body), in milliseconds, so a server that trickles bytes cannot hold the caller.</summary>
        public int ResponseTimeoutMilliseconds
        {
            get { return _responseTimeout; }
            set { _responseTimeout = CheckTimeout(value); }
        }

        /// <summary>Size of the request/header buffer, in bytes.</summary>
        public int RequestBufferSize
        {
            get { return _head.Length; }
        }

        /// <summary>Size of the body buffer, in bytes.</summary>
        public int BodyBufferSize
        {
            get { return _body.Length; }
        }

        /// <summary>How the last request ended.</summary>
        public HttpResult Result
        {
            get { return _result; }
        }

        /// <summary>The socket error behind the last result, or <see cref="Drivers.Net.SocketError.None"/>.</summary>
        public SocketError SocketError
        {
            get { return (SocketError)_socketError; }
        }

        /// <summary>The status code of the last response (e.g. 200), or 0 when no status line was read.</summary>
        public int StatusCode
        {
            get { return _statusCode; }
        }

        /// <summary>The buffer that holds the last response head; header values found by <see cref="FindHeader"/> point into it.</summary>
        public byte[] HeaderBuffer
        {
            get { return _head; }
        }

        /// <summary>The buffer that holds the last response body, from <see cref="BodyOffset"/> for <see cref="BodyLength"/> bytes.</summary>
        public byte[] Body
        {
            get { return _body; }
        }

        /// <summary>Where the body starts in <see cref="Body"/> (always 0).</summary>
        public int BodyOffset
        {
            get { return 0; }
        }

        /// <summary>Length of the last response body; 0 unless <see cref="Result"/> is <see cref="HttpResult.Ok"/>.</summary>
        public int BodyLength
        {
            get { return _result == HttpResult.Ok ? _decoder.Length : 0; }
        }

        /// <summary>
        /// Finds the first response header called <paramref name="name"/> (compared ASCII
        /// case-insensitively) and gives its value, without surrounding whitespace, as an offset and
        /// length in <see cref="HeaderBuffer"/>. Valid after a response whose head was read
        /// (<see cref="StatusCode"/> is not 0). Allocates nothing.
        /// </summary>
        public bool FindHeader(string name, out int valueOffset, out int valueLength)
        {
            if (_statusCode == 0)
            {
                valueOffset = 0;
                valueLength = 0;
                return false;
            }
            return HttpHeaderParser.FindField(_head, _fieldsStart, _fieldsEnd, name, out valueOffset, out valueLength);
        }

        /// <summary>True when the header <paramref name="name"/> exists and its value equals <paramref name="value"/> (both compared ASCII case-insensitively).</summary>
        public bool HeaderEquals(string name, string value)
        {
            int offset;
            int length;
            if (!FindHeader(name, out offset, out length)) return false;
            return HttpHeaderParser.EqualsIgnoreCase(_head, offset, length, value);
        }

        /// <summary>
        /// Sends GET <paramref name="path"/> to <paramref name="host"/> (a name resolved through the
        /// socket layer, or a dotted IPv4 address) on <paramref name="port"/> and reads the response.
        /// </summary>
        /// <returns><see cref="HttpResult.Ok"/> with <see cref="StatusCode"/>, headers and body, or why not.</returns>
        public HttpResult Get(string host, int port, string path)
        {
            return Execute(MethodGet, host, port, path, null, null, null, 0, 0);
        }

        /// <summary>
        /// Sends POST <paramref name="path"/> with <paramref name="count"/> bytes of
        /// <paramref name="content"/> from <paramref name="offset"/> (sent straight from the caller's
        /// array, not copied) and reads the response.
        /// </summary>
        public HttpResult Post(string host, int port, string path, string contentType, byte[] content, int offset, int count)
        {
            if (content == null || offset < 0 || count < 0 || offset > content.Length - count)
            {
                ClearResponse();
                return Finish(HttpResult.InvalidRequest, 0);
            }
            return Execute(MethodPost, host, port, path, contentType, null, content, offset, count);
        }

        /// <summary>
        /// Sends POST <paramref name="path"/> with the ASCII text <paramref name="content"/> (for
        /// example a JSON document) and reads the response. The text is written into the request
        /// buffer after the headers, so headers and content together must fit in it.
        /// </summary>
        public HttpResult Post(string host, int port, string path, string contentType, string content)
        {
            if (content == null)
            {
                ClearResponse();
                return Finish(HttpResult.InvalidRequest, 0);
            }
            return Execute(MethodPost, host, port, path, contentType, content, null, 0, content.Length);
        }

        private HttpResult Execute(string method, string host, int port, string path, string contentType,
            string textContent, byte[] content, int contentOffset, int contentCount)
        {
            ClearResponse();
            if (port <= 0 || port > 65535) return Finish(HttpResult.InvalidRequest, 0);
            if (!BuildRequest(method, host, port, path, contentType, textContent, contentCount))
            {
                return Finish(HttpResult.InvalidRequest, 0);
            }
            int requestLength = _position;

            uint address;
            if (!TryParseIPv4(host, out address))
            {
                int r = _sockets.ResolveHost(host, out address, _connectTimeout);
                if (r < 0) return Finish(FromSocketError(r), r);
            }

            int socket = _sockets.Open(_connectTimeout);
            if (socket < 0) return Finish(FromSocketError(socket), socket);

            HttpResult result;
            int error = 0;
            int c = _sockets.Connect(socket, address, port, _connectTimeout);
            if (c < 0)
            {
                result = FromSocketError(c);
                error = c;
            }
            else
            {
                result = Exchange(socket, requestLength, content, contentOffset, contentCount, out error);
            }
            _sockets.Close(socket);
            return Finish(result, error);
        }

        // Sends the request and reads the whole response. The socket is closed by the caller.
        private HttpResult Exchange(int socket, int requestLength, byte[] content, int contentOffset, int contentCount, out int error)
        {
            error = 0;
            int s = _sockets.Send(socket, _head, 0, requestLength, _sendTimeout);
            if (s < 0)
            {
                error = s;
                return FromSocketError(s);
            }
            if (content != null && contentCount > 0)
            {
                s = _sockets.Send(socket, content, contentOffset, contentCount, _sendTimeout);
                if (s < 0)
                {
                    error = s;
                    return FromSocketError(s);
                }
            }

            long deadline = _clock.UptimeMilliseconds + _responseTimeout;
            HttpResult result = ReadHead(socket, deadline, out error);
            if (result != HttpResult.Ok) return result;
            return ReadBody(socket, deadline, out error);
        }

        // Reads up to the end of the final (non-1xx) response head, parses it and sets up the body decoder.
        private HttpResult ReadHead(int socket, long deadline, out int error)
        {
            error = 0;
            int interim = 0;
            int scanFrom = 0;
            while (true)
            {
                int headEnd = HttpHeaderParser.FindHeadEnd(_head, scanFrom, _headLength);
                if (headEnd < 0)
                {
                    if (!HttpHeaderParser.CouldBeStatusLine(_head, _headLength)) return HttpResult.MalformedResponse;
                    if (_headLength == _head.Length) return HttpResult.HeadersTooLarge;
                    scanFrom = _headLength - 3;
                    int n = ReceiveWithDeadline(socket, _head, _headLength, _head.Length - _headLength, deadline);
                    if (n < 0)
                    {
                        error = n;
                        return FromSocketError(n);
                    }
                    if (n == 0) return HttpResult.Truncated;
                    _headLength += n;
                    continue;
                }

                int statusCode;
                int fieldsStart = HttpHeaderParser.ParseStatusLine(_head, headEnd, out statusCode);
                if (fieldsStart < 0 || !HttpHeaderParser.ValidateFields(_head, fieldsStart, headEnd))
                {
                    return HttpResult.MalformedResponse;
                }

                if (statusCode < 200)
                {
                    // An interim response (100 Continue, 103 Early Hints): drop it, the final one follows.
                    if (statusCode == 101 || ++interim > MaxInterimResponses) return HttpResult.MalformedResponse;
                    int rest = _headLength - headEnd;
                    Array.Copy(_head, headEnd, _head, 0, rest);
                    _headLength = rest;
                    scanFrom = 0;
                    continue;
                }

                _statusCode = statusCode;
                _fieldsStart = fieldsStart;
                // The header block ends where its terminating empty line starts.
                _fieldsEnd = _head[headEnd - 2] == '\r' ? headEnd - 2 : headEnd - 1;
                return StartBody(headEnd);
            }
        }

        // Chooses the body framing (RFC 9112 section 6.3) and decodes body bytes already in the head buffer.
        private HttpResult StartBody(int headEnd)
        {
            if (_statusCode == 204 || _statusCode == 304)
            {
                _decoder.Reset(HttpBodyDecoder.FramingNone, 0);
            }
            else
            {
                int coding = HttpHeaderParser.FindTransferCoding(_head, _fieldsStart, _fieldsEnd);
                long contentLength = HttpHeaderParser.FindContentLength(_head, _fieldsStart, _fieldsEnd, _body.Length);
                // Both framings in one response: RFC 9112 6.3 (item 3) lets Transfer-Encoding win but says
                // such a message "ought to be handled as an error" (response splitting): it is refused.
                if (coding != HttpHeaderParser.TransferCodingNone && contentLength != HttpHeaderParser.ContentLengthAbsent)
                {
                    return HttpResult.MalformedResponse;
                }

                if (contentLength == HttpHeaderParser.ContentLengthInvalid) return HttpResult.MalformedResponse;
                if (contentLength == HttpHeaderParser.ContentLengthTooLarge) return HttpResult.TooLarge;
                if (coding == HttpHeaderParser.TransferCodingChunked)
                {
                    _decoder.Reset(HttpBodyDecoder.FramingChunked, 0);
                }
                else if (contentLength >= 0)
                {
                    _decoder.Reset(HttpBodyDecoder.FramingLength, (int)contentLength);
                }
                else
                {
                    _decoder.Reset(HttpBodyDecoder.FramingClose, 0);
                }
            }

            int leftover = _headLength - headEnd;
            if (leftover > 0 && !_decoder.IsComplete)
            {
                int r = _decoder.Feed(_head, headEnd, leftover);
                if (r == HttpBodyDecoder.TooLarge) return HttpResult.TooLarge;
                if (r == HttpBodyDecoder.Malformed) return HttpResult.MalformedResponse;
            }
            return HttpResult.Ok;
        }

        // Receives until the body decoder is complete, the peer closes, or an error or the deadline.
        private HttpResult ReadBody(int socket, long deadline, out int error)
        {
            error = 0;
            while (!_decoder.IsComplete)
            {
                byte[] target;
                int offset;
                int room = _body.Length - _decoder.Length;
                if (room > 0)
                {
                    // Raw bytes go straight into the free tail of the body buffer and are decoded in place.
                    target = _body;
                    offset = _decoder.Length;
                }
                else
                {
                    target = _scratch;
                    offset = 0;
                    room = _scratch.Length;
                }

                int n = ReceiveWithDeadline(socket, target, offset, room, deadline);
                if (n < 0)
                {
                    error = n;
                    return FromSocketError(n);
                }
                int r = n == 0 ? _decoder.PeerClosed() : _decoder.Feed(target, offset, n);
                if (r == HttpBodyDecoder.TooLarge) return HttpResult.TooLarge;
                if (r == HttpBodyDecoder.Malformed) return HttpResult.MalformedResponse;
                if (r == HttpBodyDecoder.Truncated) return HttpResult.Truncated;
            }
            return HttpResult.Ok;
        }

        private int ReceiveWithDeadline(int socket, byte[] buffer, int offset, int count, long deadline)
        {
            long left = deadline - _clock.UptimeMilliseconds;
            if (left <= 0) return (int)Drivers.Net.SocketError.TimedOut;
            int timeout = left < _receiveTimeout ? (int)left : _receiveTimeout;
            return _sockets.Receive(socket, buffer, offset, count, timeout);
        }

        // Forgets the previous response so nothing stale can be read after a failed request.
        private void ClearResponse()
        {
            _statusCode = 0;
            _socketError = 0;
            _headLength = 0;
            _fieldsStart = 0;
            _fieldsEnd = 0;
            _decoder.Reset(HttpBodyDecoder.FramingNone, 0);
        }

        private HttpResult Finish(HttpResult result, int socketError)
        {
            _result = result;
            _socketError = socketError;
            return result;
        }

        private static HttpResult FromSocketError(int error)
        {
            switch ((SocketError)error)
            {
                case Drivers.Net.SocketError.TimedOut:
                    return HttpResult.TimedOut;
                case Drivers.Net.SocketError.ConnectionRefused:
                    return HttpResult.ConnectionRefused;
                case Drivers.Net.SocketError.HostNotFound:
                    return HttpResult.HostNotFound;
                case Drivers.Net.SocketError.Preempted:
                case Drivers.Net.SocketError.UpdateInProgress:
                    return HttpResult.Preempted;
                default:
                    return HttpResult.NetworkError;
            }
        }

        private static int CheckTimeout(int milliseconds)
        {
            if (milliseconds <= 0) throw new ArgumentOutOfRangeException("milliseconds");
            return milliseconds;
        }

        // ---- request building: ASCII bytes straight into the request buffer ----

        // The request's fixed text, in static fields: nanoCLR allocates a new string object each time it
        // executes a string literal (ldstr), so literals here would cost heap on every request.
        private static readonly string MethodGet = "GET";
        private static readonly string MethodPost = "POST";
        private static readonly string VersionAndHost = " HTTP/1.1\r\nHost: ";
        private static readonly string FixedFields = "\r\nUser-Agent: CoreFirmware\r\nAccept: */*\r\nConnection: close\r\n";
        private static readonly string ContentTypeField = "Content-Type: ";
        private static readonly string ContentLengthField = "\r\nContent-Length: ";
        private static readonly string LineEnd = "\r\n";

        private bool BuildRequest(string method, string host, int port, string path, string contentType, string textContent, int contentCount)
        {
            if (host == null || host.Length == 0 || path == null || path.Length == 0) return false;
            bool isPost = contentType != null || textContent != null || method == MethodPost;
            if (isPost && (contentType == null || contentType.Length == 0)) return false;
            _position = 0;
            bool ok = Put(method)
                && PutByte(' ') && PutToken(path)
                && Put(VersionAndHost) && PutToken(host);
            if (ok && port != HttpPort) ok = PutByte(':') && PutDecimal(port);
            ok = ok && Put(FixedFields);
            if (ok && isPost)
            {
                ok = Put(ContentTypeField) && PutText(contentType)
                    && Put(ContentLengthField) && PutDecimal(contentCount) && Put(LineEnd);
            }
            ok = ok && Put(LineEnd);
            if (ok && textContent != null) ok = PutText(textContent);
            return ok;
        }

        // A constant of this class: known to be ASCII.
        private bool Put(string text)
        {
            int n = text.Length;
            if (_position + n > _head.Length) return false;
            for (int i = 0; i < n; i++)
            {
                _head[_position++] = (byte)text[i];
            }
            return true;
        }

        // Caller text without CR/LF or other controls: printable ASCII and tab.
        private bool PutText(string text)
        {
            int n = text.Length;
            if (_position + n > _head.Length) return false;
            for (int i = 0; i < n; i++)
            {
                char c = text[i];
                if ((c < 0x20 && c != '\t') || c > 0x7E) return false;
                _head[_position++] = (byte)c;
            }
            return true;
        }

        // Request-target or host: visible ASCII, no spaces.
        private bool PutToken(string text)
        {
            int n = text.Length;
            if (_position + n > _head.Length) return false;
            for (int i = 0; i < n; i++)
            {
                char c = text[i];
                if (c <= 0x20 || c > 0x7E) return false;
                _head[_position++] = (byte)c;
            }
            return true;
        }

        private bool PutByte(char c)
        {
            if (_position >= _head.Length) return false;
            _head[_position++] = (byte)c;
            return true;
        }

        private bool PutDecimal(int value)
        {
            if (value < 0) return false;
            int divisor = 1;
            while (value / divisor >= 10) divisor *= 10;
            while (divisor > 0)
            {
                if (!PutByte((char)('0' + (value / divisor) % 10))) return false;
                divisor /= 10;
            }
            return true;
        }

        /// <summary>Parses a dotted-quad IPv4 address ("127.0.0.1") into host order without allocating.</summary>
        internal static bool TryParseIPv4(string text, out uint address)
        {
            address = 0;
            if (text == null) return false;
            int n = text.Length;
            int part = 0;
            int digits = 0;
            int value = 0;
            for (int i = 0; i <= n; i++)
            {
                if (i == n || text[i] == '.')
                {
                    if (digits == 0 || value > 255) return false;
                    address = (address << 8) | (uint)value;
                    part++;
                    digits = 0;
                    value = 0;
                    if (part > 4) return false;
                    continue;
                }
                char c = text[i];
                if (c < '0' || c > '9' || digits == 3) return false;
                value = value * 10 + (c - '0');
                digits++;
            }
            return part == 4;
        }
    }
}
