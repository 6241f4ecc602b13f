using System;

namespace CoreFirmware.Ota.Cloud
{
    /// <summary>
    /// The session's keep-alive: when the next ping is due (<see cref="CloudLinkSettings.KeepAliveMilliseconds"/>
    /// after the last one) and whether the outstanding ping's acknowledgement is overdue
    /// (<see cref="CloudLinkSettings.PingTimeoutMilliseconds"/>). Used by the link's loop thread only;
    /// the counters are read from any thread.
    /// </summary>
    internal sealed class CloudKeepAlive
    {
        private readonly CloudLinkSettings _settings;
        private long _lastPingMs;
        private long _pingSentMs;
        private long _lastInboundMs;
        private bool _outstanding;
        private int _pingId;
        private int _pingsSent;
        private int _pingAcks;
        private int _longestRoundTripMs;

        /// <summary>Times pings by <paramref name="settings"/>.</summary>
        public CloudKeepAlive(CloudLinkSettings settings)
        {
            _settings = settings;
        }

        /// <summary>Pings sent.</summary>
        public int PingsSent { get { return _pingsSent; } }

        /// <summary>Pings acknowledged.</summary>
        public int PingAcks { get { return _pingAcks; } }

        /// <summary>Longest time from a ping to its acknowledgement so far (bound: <see cref="CloudLinkSettings.PingTimeoutMilliseconds"/>).</summary>
        public int LongestRoundTripMilliseconds { get { return _longestRoundTripMs; } }

        /// <summary>A ping was sent and not yet acknowledged.</summary>
        public bool Outstanding { get { return _outstanding; } }

        /// <summary>A session came up at <paramref name="now"/>: the first ping is due an interval later.</summary>
        public void OnSessionUp(long now)
        {
            _lastPingMs = now;
            _outstanding = false;
        }

        /// <summary>The link dropped: no ping is outstanding.</summary>
        public void OnDrop()
        {
            _outstanding = false;
        }

        /// <summary>A message from the cloud arrived at <paramref name="now"/>: the link is alive.</summary>
        public void OnMessageReceived(long now)
        {
            _lastInboundMs = now;
        }

        /// <summary>Ping <paramref name="messageId"/> went out at <paramref name="now"/>.</summary>
        public void OnPingSent(int messageId, long now)
        {
            _pingId = messageId;
            _outstanding = true;
            _pingSentMs = now;
            _lastPingMs = now;
            _pingsSent++;
        }

        /// <summary>
        /// An empty acknowledgement arrived (after <see cref="OnMessageReceived"/> for it): it acknowledges
        /// the outstanding ping when the ids match.
        /// </summary>
        public void OnEmptyAck(int messageId)
        {
            if (_outstanding && messageId == _pingId)
            {
                _outstanding = false;
                _pingAcks++;
                // The acknowledgement is the last message received (OnMessageReceived came first).
                int roundTrip = (int)(_lastInboundMs - _pingSentMs);
                if (roundTrip > _longestRoundTripMs) _longestRoundTripMs = roundTrip;
            }
        }

        /// <summary>No ping is outstanding and the interval since the last one has passed.</summary>
        public bool PingDue(long now)
        {
            return !_outstanding && now - _lastPingMs >= _settings.KeepAliveMilliseconds;
        }

        /// <summary>
        /// The outstanding ping's acknowledgement is overdue. It may be queued behind messages the cloud
        /// sent first (a fast OTA puts a whole image in the TCP buffers ahead of it, seconds of work for
        /// the device): while messages arrive the link is alive, so the timeout counts from the later of
        /// the ping and the last message received.
        /// </summary>
        public bool AckOverdue(long now)
        {
            if (!_outstanding) return false;
            long since = _lastInboundMs > _pingSentMs ? _lastInboundMs : _pingSentMs;
            return now - since > _settings.PingTimeoutMilliseconds;
        }
    }
}
