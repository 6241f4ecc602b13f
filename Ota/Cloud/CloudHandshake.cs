using System;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Ota.Cloud
{
    /// <summary>
    /// The device's side of the handshake on a connected socket: read the cloud's nonce, send the
    /// signed and encrypted reply, read and verify the session-key block, then start the encrypted
    /// session (the transport sends the device's Hello). Each read is bounded by
    /// <see cref="CloudLinkSettings.HandshakeStepTimeoutMilliseconds"/>, in receive slices between
    /// which the link checks in with its watchdog and looks for a stop. Runs on the link's loop thread.
    /// </summary>
    internal sealed class CloudHandshake
    {
        private readonly CloudLink _link;
        private readonly INetworkSockets _sockets;
        private readonly IClock _clock;
        private readonly CloudLinkSettings _settings;
        private readonly CloudTransport _transport;
        private readonly DeviceHandshake _handshake;
        private readonly SessionKeys _keys = new SessionKeys();
        private readonly byte[] _in = new byte[Handshake.SessionBlockLength];
        private readonly byte[] _out = new byte[Handshake.DeviceReplyLength];

        /// <summary>The handshake of <paramref name="link"/>, signing with the settings' device key.</summary>
        public CloudHandshake(CloudLink link, INetworkSockets sockets, ICrypto crypto, IClock clock,
            CloudLinkSettings settings, CloudTransport transport)
        {
            _link = link;
            _sockets = sockets;
            _clock = clock;
            _settings = settings;
            _transport = transport;
            _handshake = new DeviceHandshake(crypto, settings.DeviceId, settings.DevicePublicKeyDer,
                settings.DevicePrivateKeyDer, settings.ServerPublicKeyDer);
        }

        /// <summary>
        /// Runs the handshake on the transport's socket; null when the device's Hello went out, else
        /// why it failed (the link drops with that reason).
        /// </summary>
        public string Run()
        {
            int socket = _transport.Socket;
            string failure = ReadExact(Handshake.NonceLength, "nonce");
            if (failure != null) return failure;

            int written;
            HandshakeResult hr = _handshake.BuildDeviceReply(_in, 0, Handshake.NonceLength,
                _out, 0, _out.Length, out written);
            if (hr != HandshakeResult.Ok) return "handshake reply: " + hr.ToString();

            int r = _sockets.Send(socket, _out, 0, written, _settings.SendTimeoutMilliseconds);
            _link.Checkin();
            if (r != written) return "send: " + CloudLink.ErrorName(r);

            failure = ReadExact(Handshake.SessionBlockLength, "session key");
            if (failure != null) return failure;

            hr = _handshake.ReadSessionKey(_in, 0, Handshake.SessionBlockLength, _keys);
            if (hr != HandshakeResult.Ok) return "handshake: " + hr.ToString();

            if (!_transport.StartSession(_keys)) return "send hello: " + CloudLink.ErrorName(_transport.SendFailure);
            return null;
        }

        /// <summary>Forgets the session keys (they are cleared once the session starts; this covers a failed handshake).</summary>
        public void Clear()
        {
            _keys.Clear();
        }

        // Reads exactly count bytes of the handshake into _in; null, or why it failed.
        private string ReadExact(int count, string what)
        {
            long deadline = _clock.UptimeMilliseconds + _settings.HandshakeStepTimeoutMilliseconds;
            int got = 0;
            while (got < count)
            {
                _link.Checkin();
                if (_link.StopRequested) return "stopped";

                long left = deadline - _clock.UptimeMilliseconds;
                if (left <= 0) return "handshake: no " + what + " in time";

                int n = _transport.Receive(_in, got, count - got,
                    left < CloudLink.ReceiveSliceMilliseconds ? (int)left : CloudLink.ReceiveSliceMilliseconds);
                if (n == (int)SocketError.TimedOut || n == (int)SocketError.BusUnavailable)
                {
                    // A bus not granted within the slice is a busy bus, not a broken link: the deadline bounds it.
                    continue;
                }

                if (n == 0) return "handshake: peer closed during " + what;
                if (n < 0) return "handshake: receive " + CloudLink.ErrorName(n);
                got += n;
            }

            return null;
        }
    }
}
