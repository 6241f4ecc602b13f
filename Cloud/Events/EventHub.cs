using System.Threading.Channels;

namespace CoreFirmware.Cloud;

/// <summary>
/// The cloud's event bus: every event a device publishes (and every API publish) goes to each open
/// subscription whose filter takes it. Bounded: a subscription holds at most
/// <see cref="SubscriptionCapacity"/> events and drops its oldest when a slow reader falls behind
/// (counted in <see cref="Subscription.Dropped"/>); at most <see cref="MaxSubscriptions"/> are open at
/// once; the hub keeps the last <see cref="HistoryCapacity"/> events for late readers (tests, console).
/// </summary>
public sealed class EventHub
{
    /// <summary>Events one subscription buffers before it drops its oldest.</summary>
    public const int SubscriptionCapacity = 256;

    /// <summary>Subscriptions open at once (SSE streams, device subscriptions, consoles).</summary>
    public const int MaxSubscriptions = 64;

    /// <summary>Recent events kept.</summary>
    public const int HistoryCapacity = 200;

    private readonly object _lock = new();
    private readonly List<Subscription> _subscriptions = new();
    private readonly Queue<CloudEvent> _history = new();

    /// <summary>Raised (on the publisher's thread) for every event; handlers must be quick and not throw.</summary>
    public event Action<CloudEvent>? Published;

    /// <summary>The last events, oldest first.</summary>
    public IReadOnlyList<CloudEvent> History
    {
        get { lock (_lock) return _history.ToArray(); }
    }

    /// <summary>Sends <paramref name="e"/> to every subscription that takes it.</summary>
    public void Publish(CloudEvent e)
    {
        Subscription[] targets;
        lock (_lock)
        {
            _history.Enqueue(e);
            while (_history.Count > HistoryCapacity) _history.Dequeue();
            targets = _subscriptions.ToArray();
        }

        foreach (Subscription s in targets)
        {
            if (s.Filter(e))
            {
                if (!s.Writer.TryWrite(e))
                {
                    Interlocked.Increment(ref s.DroppedCount);
                }
            }
        }

        Published?.Invoke(e);
    }

    /// <summary>Opens a subscription; null when <see cref="MaxSubscriptions"/> are open. Dispose it to close.</summary>
    public Subscription? Subscribe(Func<CloudEvent, bool> filter)
    {
        var channel = Channel.CreateBounded<CloudEvent>(new BoundedChannelOptions(SubscriptionCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        var s = new Subscription(this, filter, channel);
        lock (_lock)
        {
            if (_subscriptions.Count >= MaxSubscriptions) return null;
            _subscriptions.Add(s);
        }

        return s;
    }

    /// <summary>Subscriptions open now.</summary>
    public int SubscriptionCount
    {
        get { lock (_lock) return _subscriptions.Count; }
    }

    private void Remove(Subscription s)
    {
        lock (_lock) _subscriptions.Remove(s);
        s.Writer.TryComplete();
    }

    /// <summary>One reader's view of the bus.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly EventHub _hub;
        private readonly Channel<CloudEvent> _channel;
        internal int DroppedCount;

        internal Subscription(EventHub hub, Func<CloudEvent, bool> filter, Channel<CloudEvent> channel)
        {
            _hub = hub;
            Filter = filter;
            _channel = channel;
        }

        internal Func<CloudEvent, bool> Filter { get; }

        internal ChannelWriter<CloudEvent> Writer => _channel.Writer;

        /// <summary>The events, in order.</summary>
        public ChannelReader<CloudEvent> Reader => _channel.Reader;

        /// <summary>Events dropped because the reader fell behind.</summary>
        public int Dropped => Volatile.Read(ref DroppedCount);

        public void Dispose() => _hub.Remove(this);
    }
}
