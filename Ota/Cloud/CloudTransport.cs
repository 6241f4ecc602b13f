using System;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Update;

namespace CoreFirmware.Ota.Cloud
{
    /// <summary>
    /// The link's connection: its socket, where the link is (<see cref="CloudLinkState"/>), and the
    /// session's messages both ways: incoming bytes through the frame reader, decryption and CoAP
    /// decoding with the incoming message-id check; outgoing messages built into one plaintext buffer,
    /// encrypted into one frame buffer and sent, taking the next message id. Sends from any thread are
    /// serialised by one lock, so ids go out in order; a failed send is remembered for the loop, which
    /// drops the link. Allocation: none per message.
    /// </summary>
    internal sealed class CloudTransport
    {
        /// <summary><see cref="Feed"/>: the bytes so far end inside a frame.</summary>
        public const int NeedMore = 0;

        /// <summary><see cref="Feed"/>: a message was decoded into <see cref="Message"/>.</summary>
        public const int MessageReady = 1;

        /// <summary><see cref="Feed"/>: a bad frame or message; <see cref="FeedFailure"/> says what.</summary>
        public const int Failed = -1;

        // Event names: "corefw/ota" and the like; the CoAP option takes up to 268 bytes, 64 is plenty.
        public const int MaxEventNameLength = 64;

        private const int SubscribePath = 'e';

        private readonly object _sync = new object();
        private readonly INetworkSockets _sockets;
        private readonly CloudLinkSettings _settings;
        private readonly SecureFraming _framing;
        private readonly FrameReader _reader = new FrameReader();
        private readonly MessageCounter _tx = new MessageCounter();
        private readonly MessageCounter _rx = new MessageCounter();
        private readonly CoapWriter _writer = new CoapWriter();
        private readonly CoapMessage _message = new CoapMessage();
        private readonly byte[] _plainIn = new byte[SecureFraming.MaxCiphertextLength];
        private readonly byte[] _plainOut = new byte[SecureFraming.MaxPlaintextLength];
        private readonly byte[] _frameOut = new byte[SecureFraming.MaxFrameLength];
        private readonly byte[] _eventName = new byte[MaxEventNameLength];

        private int _socket = -1;
        private int _state;
        private int _sendFailure;
        private int _messagesOut;
        private string _feedFailure;

        /// <summary>The connection over <paramref name="sockets"/>, framing with <paramref name="crypto"/>.</summary>
        public CloudTransport(INetworkSockets sockets, ICrypto crypto, CloudLinkSettings settings)
        {
            _sockets = sockets;
            _settings = settings;
            _framing = new SecureFraming(crypto);
        }

        /// <summary>The open socket, or -1. Read by the loop thread.</summary>
        public int Socket { get { return _socket; } }

        /// <summary>Where the link is.</summary>
        public CloudLinkState State
        {
            get { lock (_sync) { return (CloudLinkState)_state; } }
            set { lock (_sync) { _state = (int)value; } }
        }

        /// <summary>A socket is open and the session is up.</summary>
        public bool IsConnected
        {
            get { lock (_sync) { return _socket >= 0 && _state == (int)CloudLinkState.Connected; } }
        }

        /// <summary>Messages sent.</summary>
        public int MessagesSent
        {
            get { lock (_sync) { return _messagesOut; } }
        }

        /// <summary>Why the last send failed (a <see cref="SocketError"/>), 0 when none did since the session began.</summary>
        public int SendFailure
        {
            get { lock (_sync) { return _sendFailure; } }
        }

        /// <summary>The message <see cref="Feed"/> decoded last.</summary>
        public CoapMessage Message { get { return _message; } }

        /// <summary>What the last <see cref="Failed"/> feed met.</summary>
        public string FeedFailure { get { return _feedFailure; } }

        /// <summary>The socket is open (connecting).</summary>
        public void Attach(int socket)
        {
            lock (_sync)
            {
                _socket = socket;
            }
        }

        /// <summary>
        /// Starts the encrypted session with <paramref name="keys"/> (then cleared) and sends the
        /// device's Hello; the link awaits the cloud's. False when the Hello was not sent.
        /// </summary>
        public bool StartSession(SessionKeys keys)
        {
            lock (_sync)
            {
                _framing.Start(keys);
                _tx.Reset(MessageCounter.DeviceInitialId(keys.Iv, 0));
                keys.Clear();
                _reader.Reset();
                _sendFailure = 0;
                _state = (int)CloudLinkState.AwaitingHello;
                SparkMessages.Hello(_writer, _plainOut, 0, _plainOut.Length, _tx.Peek, -1,
                    _settings.ProductId, _settings.FirmwareVersion);
                return SendBuiltLocked(true);
            }
        }

        /// <summary>The cloud's Hello arrived: incoming ids count from it and the session is up.</summary>
        public void OnHello(int messageId)
        {
            _rx.StartFromHello(messageId);
            State = CloudLinkState.Connected;
        }

        /// <summary>True when <paramref name="m"/> carries the next incoming message id.</summary>
        public bool AcceptIncoming(CoapMessage m)
        {
            return _rx.AcceptIncoming(m);
        }

        /// <summary>Closes the socket and ends the session; true when the session was up.</summary>
        public bool Close()
        {
            lock (_sync)
            {
                bool wasUp = _state == (int)CloudLinkState.Connected;
                if (_socket >= 0)
                {
                    _sockets.Close(_socket);
                    _socket = -1;
                }

                _state = (int)CloudLinkState.Disconnected;
                _framing.Stop();
                _reader.Reset();
                _sendFailure = 0;
                return wasUp;
            }
        }

        /// <summary>One receive on the socket (a <see cref="SocketError"/> when negative, 0 when the peer closed).</summary>
        public int Receive(byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            return _sockets.Receive(_socket, buffer, offset, count, timeoutMilliseconds);
        }

        /// <summary>
        /// Feeds received bytes from <paramref name="offset"/> (moved past what was used) up to
        /// <paramref name="end"/> through the frame reader; a complete frame is decrypted and decoded
        /// into <see cref="Message"/>. Returns <see cref="NeedMore"/>, <see cref="MessageReady"/> or
        /// <see cref="Failed"/> (<see cref="FeedFailure"/> says why; only a failure allocates).
        /// </summary>
        public int Feed(byte[] buffer, ref int offset, int end)
        {
            int used;
            FramingResult r = _reader.Feed(buffer, offset, end - offset, out used);
            offset += used;
            if (r != FramingResult.Ok)
            {
                _feedFailure = "frame: " + r.ToString();
                return Failed;
            }

            if (!_reader.IsComplete) return NeedMore;
            int length;
            r = _framing.Decrypt(_reader.Frame, 0, _reader.FrameLength, _plainIn, 0, _plainIn.Length, out length);
            _reader.Next();
            if (r != FramingResult.Ok)
            {
                _feedFailure = "decrypt: " + r.ToString();
                return Failed;
            }

            CoapResult c = _message.Decode(_plainIn, 0, length);
            if (c != CoapResult.Ok)
            {
                _feedFailure = "coap: " + c.ToString();
                return Failed;
            }

            return MessageReady;
        }

        // ------------------------------------------------------------------ messages out

        /// <summary>Sends a keep-alive ping; <paramref name="messageId"/> is its id. False when not sent.</summary>
        public bool SendPing(out int messageId)
        {
            lock (_sync)
            {
                messageId = _tx.Peek;
                if (!SessionUpLocked()) return false;
                SparkMessages.Ping(_writer, _plainOut, 0, _plainOut.Length, messageId);
                return SendBuiltLocked(true);
            }
        }

        /// <summary>Acknowledges the cloud's confirmable <paramref name="messageId"/> (an ACK takes no id).</summary>
        public void SendEmptyAck(int messageId)
        {
            lock (_sync)
            {
                if (!SessionUpLocked()) return;
                SparkMessages.EmptyAck(_writer, _plainOut, 0, _plainOut.Length, messageId);
                SendBuiltLocked(false);
            }
        }

        /// <summary>Answers Describe <paramref name="request"/> with <paramref name="count"/> bytes of JSON.</summary>
        public void SendDescribeReturn(CoapMessage request, byte[] json, int offset, int count)
        {
            lock (_sync)
            {
                if (!SessionUpLocked()) return;
                SparkMessages.DescribeReturn(_writer, _plainOut, 0, _plainOut.Length, _tx.Peek, request,
                    json, offset, count);
                SendBuiltLocked(true);
            }
        }

        /// <summary>See <see cref="CloudLink.SendResponse"/>.</summary>
        public bool SendResponse(byte[] token, int tokenLength, int code, byte[] payload, int offset, int count)
        {
            lock (_sync)
            {
                if (!SessionUpLocked()) return false;
                _writer.Start(_plainOut, 0, _plainOut.Length, CoapType.NonConfirmable, code, _tx.Peek, token, 0, tokenLength);
                if (count > 0) _writer.SetPayload(payload, offset, count);
                return SendBuiltLocked(true);
            }
        }

        /// <summary>See <see cref="CloudLink.SendChunkMissed"/>.</summary>
        public bool SendChunkMissed(int[] indexes, int offset, int count)
        {
            if (count <= 0 || count > SparkProtocol.MaxMissedChunks) return false;
            lock (_sync)
            {
                if (!SessionUpLocked()) return false;
                if (SparkMessages.ChunkMissed(_writer, _plainOut, 0, _plainOut.Length, _tx.Peek, indexes, offset, count)
                    != CoapResult.Ok)
                {
                    return false;
                }

                return SendBuiltLocked(true);
            }
        }

        /// <summary>See <see cref="CloudLink.Publish"/>.</summary>
        public bool Publish(string name, byte[] data, int offset, int count)
        {
            if (name == null || name.Length == 0 || name.Length > MaxEventNameLength) return false;
            lock (_sync)
            {
                if (!SessionUpLocked()) return false;
                int nameLength = Ascii.Put(name, _eventName, 0);
                if (SparkMessages.Event(_writer, _plainOut, 0, _plainOut.Length, _tx.Peek, false,
                        _eventName, 0, nameLength, 0, data, offset, count) != CoapResult.Ok)
                {
                    return false;
                }

                return SendBuiltLocked(true);
            }
        }

        /// <summary>See <see cref="CloudLink.PublishEvent"/>.</summary>
        public bool PublishEvent(bool isPublic, byte[] name, int nameLength, int ttlSeconds, byte[] data, int offset, int count)
        {
            if (name == null || nameLength <= 0 || nameLength > MaxEventNameLength) return false;
            lock (_sync)
            {
                if (!SessionUpLocked()) return false;
                if (SparkMessages.Event(_writer, _plainOut, 0, _plainOut.Length, _tx.Peek, isPublic,
                        name, 0, nameLength, ttlSeconds, data, offset, count) != CoapResult.Ok)
                {
                    return false;
                }

                return SendBuiltLocked(true);
            }
        }

        /// <summary>See <see cref="CloudLink.SendGetTime"/>.</summary>
        public bool SendGetTime(out int messageId)
        {
            lock (_sync)
            {
                messageId = _tx.Peek;
                if (!SessionUpLocked()) return false;
                if (SparkMessages.GetTime(_writer, _plainOut, 0, _plainOut.Length, messageId) != CoapResult.Ok) return false;
                return SendBuiltLocked(true);
            }
        }

        /// <summary>See <see cref="CloudLink.SendSubscribe"/>.</summary>
        public bool SendSubscribe(byte[] prefix, int length, out int messageId)
        {
            lock (_sync)
            {
                messageId = _tx.Peek;
                if (!SessionUpLocked()) return false;
                _writer.Start(_plainOut, 0, _plainOut.Length, CoapType.Confirmable, CoapCode.Get, messageId, null, 0, 0);
                _writer.AddByteOption(CoapOption.UriPath, SubscribePath);
                if (length > 0) _writer.AddOption(CoapOption.UriPath, prefix, 0, length);
                return SendBuiltLocked(true);
            }
        }

        private bool SessionUpLocked()
        {
            return _socket >= 0 && _state == (int)CloudLinkState.Connected && _sendFailure == 0;
        }

        // Encrypts and sends the message in _writer; a non-ACK message takes the next id.
        private bool SendBuiltLocked(bool takesId)
        {
            if (_writer.Result != CoapResult.Ok || _socket < 0) return false;
            int length;
            FramingResult f = _framing.Encrypt(_plainOut, 0, _writer.Length, _frameOut, 0, _frameOut.Length, out length);
            if (f != FramingResult.Ok)
            {
                _sendFailure = (int)SocketError.ModuleError;
                return false;
            }

            if (takesId) _tx.Next();
            int r = _sockets.Send(_socket, _frameOut, 0, length, _settings.SendTimeoutMilliseconds);
            if (r != length)
            {
                // The link thread drops the link on its next step.
                _sendFailure = r < 0 ? r : (int)SocketError.ConnectionReset;
                return false;
            }

            _messagesOut++;
            return true;
        }
    }
}
