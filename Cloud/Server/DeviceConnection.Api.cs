using System.Collections.Concurrent;
using System.Text;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Cloud;

/// <summary>
/// The cloud API's requests on one device link (spark-protocol's Describe, VariableRequest,
/// FunctionCall, the device's Subscribe and the events forwarded to it). Each request carries the
/// cloud's next 1-byte token; the device's answer (NON, same token) completes it. Bounded: a wait
/// has a timeout, at most <see cref="MaxDeviceSubscriptions"/> subscriptions per link, a forwarded
/// event is dropped (counted) when the device's queue is full.
/// </summary>
internal sealed partial class DeviceConnection
{
    /// <summary>Subscriptions one device may hold (its firmware's table has 4).</summary>
    public const int MaxDeviceSubscriptions = 8;

    private readonly ConcurrentDictionary<int, TaskCompletionSource<DeviceMessage>> _requests = new();
    private readonly List<EventHub.Subscription> _subscriptions = new();

    /// <summary>Events forwarded to the device.</summary>
    public int EventsForwarded;

    /// <summary>
    /// Sends a request built by <paramref name="build"/> with the next token and waits up to
    /// <paramref name="timeout"/> for the device's answer; null when none came. Throws
    /// <see cref="DropException"/> when the link is closed.
    /// </summary>
    private async Task<DeviceMessage?> RequestAsync(Build build, TimeSpan timeout, CancellationToken ct)
    {
        var answer = new TaskCompletionSource<DeviceMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        int registered = -1;
        try
        {
            await SendAsync(false, 0, true, (w, b, o, c, id, token) =>
            {
                registered = token;
                _requests[token] = answer;
                return build(w, b, o, c, id, token);
            }, ct).ConfigureAwait(false);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _closedToken);
            try
            {
                await Task.WhenAny(answer.Task, Task.Delay(timeout, linked.Token)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            if (answer.Task.IsCompleted)
            {
                return answer.Task.Result;
            }

            if (CloseReason != null)
            {
                throw new DropException(CloseReason);
            }

            ct.ThrowIfCancellationRequested();
            return null;
        }
        finally
        {
            if (registered >= 0)
            {
                ((ICollection<KeyValuePair<int, TaskCompletionSource<DeviceMessage>>>)_requests).Remove(
                    new KeyValuePair<int, TaskCompletionSource<DeviceMessage>>(registered, answer));
            }
        }
    }

    /// <summary>Describe (GET "d"): the device's DescribeReturn, or null on timeout.</summary>
    public Task<DeviceMessage?> DescribeAsync(TimeSpan timeout, CancellationToken ct) =>
        RequestAsync((w, b, o, c, id, token) => SparkMessages.Describe(w, b, o, c, id, token), timeout, ct);

    /// <summary>VariableRequest (GET "v"/name, CON).</summary>
    public Task<DeviceMessage?> GetVariableAsync(string name, TimeSpan timeout, CancellationToken ct)
    {
        byte[] n = Encoding.ASCII.GetBytes(name);
        return RequestAsync((w, b, o, c, id, token) =>
        {
            w.StartWithByteToken(b, o, c, CoapType.Confirmable, CoapCode.Get, id, token);
            w.AddByteOption(CoapOption.UriPath, 'v');
            return w.AddOption(CoapOption.UriPath, n, 0, n.Length);
        }, timeout, ct);
    }

    /// <summary>FunctionCall (POST "f"/name, CON, the argument as one Uri-Query when not empty).</summary>
    public Task<DeviceMessage?> CallFunctionAsync(string name, byte[] argument, TimeSpan timeout, CancellationToken ct)
    {
        byte[] n = Encoding.ASCII.GetBytes(name);
        return RequestAsync((w, b, o, c, id, token) =>
        {
            w.StartWithByteToken(b, o, c, CoapType.Confirmable, CoapCode.Post, id, token);
            w.AddByteOption(CoapOption.UriPath, 'f');
            w.AddOption(CoapOption.UriPath, n, 0, n.Length);
            if (argument.Length > 0)
            {
                w.AddOption(CoapOption.UriQuery, argument, 0, argument.Length);
            }

            return w.Result;
        }, timeout, ct);
    }

    // The device's Subscribe (GET "e"/prefix): forward matching events from others (and the API) to it.
    private void OnSubscribe(CoapMessage m)
    {
        int at = m.FindOption(CoapOption.UriPath, 1);
        string prefix = at < 0 ? "" : Encoding.ASCII.GetString(m.Buffer, m.GetOptionOffset(at), m.GetOptionLength(at));
        string? self = DeviceId;
        lock (_subscriptions)
        {
            if (_subscriptions.Count >= MaxDeviceSubscriptions || CloseReason != null)
            {
                _server.Log(this, "subscription refused (limit): " + prefix);
                return;
            }

            EventHub.Subscription? sub = _server.Events.Subscribe(e => e.CoreId != self && e.Matches(prefix));
            if (sub == null)
            {
                return;
            }

            _subscriptions.Add(sub);
            _ = Task.Run(() => ForwardAsync(sub));
        }
    }

    private async Task ForwardAsync(EventHub.Subscription sub)
    {
        try
        {
            await foreach (CloudEvent e in sub.Reader.ReadAllAsync(_closedToken).ConfigureAwait(false))
            {
                byte[] name = Encoding.ASCII.GetBytes(e.Name.Length > 63 ? e.Name[..63] : e.Name);
                byte[] data = Encoding.UTF8.GetBytes(e.Data ?? "");
                if (data.Length > 255)
                {
                    Array.Resize(ref data, 255);
                }

                await SendAsync(false, 0, false, (w, b, o, c, id, token) =>
                    SparkMessages.Event(w, b, o, c, id, e.Public, name, 0, name.Length, e.Ttl, data, 0, data.Length), _closedToken).ConfigureAwait(false);
                Interlocked.Increment(ref EventsForwarded);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException || ex is DropException || ex is ObjectDisposedException
            || ex is System.Threading.Channels.ChannelClosedException || ex is InvalidOperationException)
        {
            // The link closed (or the event did not fit a message): forwarding ends with it.
        }
    }

    private void DisposeSubscriptions()
    {
        lock (_subscriptions)
        {
            foreach (EventHub.Subscription s in _subscriptions)
            {
                s.Dispose();
            }

            _subscriptions.Clear();
        }
    }
}
