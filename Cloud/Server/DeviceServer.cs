using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoreFirmware.Cloud;

/// <summary>
/// The local cloud's device endpoint: a TCP listener that speaks the Spark cloud protocol through
/// Ota/Protocol (handshake, AES framing, CoAP), keeps track of which registered devices are
/// online, and runs OTA flashes (<see cref="StartFlash"/>). Bounded: at most
/// <see cref="DeviceServerOptions.MaxConnections"/> links, every read and write with a timeout,
/// frames capped by SecureFraming. A device that lies (bad reply, bad frame, bad counter) or times
/// out is dropped; the reason is logged and kept in <see cref="RecentDrops"/>.
/// </summary>
public sealed partial class DeviceServer : IAsyncDisposable
{
    /// <summary>The private event name the device reports OTA outcomes under (Uri-Path "E", "corefw/ota").</summary>
    public const string OtaEventName = "corefw/ota";

    private readonly DeviceServerOptions _options;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, DeviceConnection> _online = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DeviceStatus> _status = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<DeviceConnection, Task> _connections = new();
    private readonly ConcurrentQueue<ConnectionDrop> _drops = new();
    private readonly CancellationTokenSource _stopping = new();
    private TcpListener? _listener;
    private Task? _acceptLoop;

    /// <summary>Creates a server over <paramref name="registry"/> (needs its server key).</summary>
    public DeviceServer(DeviceRegistry registry, DeviceServerOptions? options = null, ILogger? logger = null)
    {
        Registry = registry;
        _options = options ?? new DeviceServerOptions();
        _log = logger ?? NullLogger.Instance;
    }

    /// <summary>The registry devices are checked against.</summary>
    public DeviceRegistry Registry { get; }

    /// <summary>The event bus: every device event (public and private) goes here.</summary>
    public EventHub Events { get; } = new();

    /// <summary>The bound address (valid after <see cref="Start"/>; the real port when 0 was asked).</summary>
    public IPEndPoint EndPoint => (IPEndPoint)(_listener?.LocalEndpoint ?? throw new InvalidOperationException("not started"));

    /// <summary>Raised (on a pool thread) when a connection is dropped.</summary>
    public event Action<ConnectionDrop>? ConnectionDropped;

    /// <summary>Raised (on a pool thread) when a device completed its Hello.</summary>
    public event Action<string>? DeviceOnline;

    /// <summary>The last drop reasons, oldest first.</summary>
    public IReadOnlyList<ConnectionDrop> RecentDrops => _drops.ToArray();

    /// <summary>Connections currently open (handshaking or online).</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Starts listening.</summary>
    public void Start()
    {
        if (_listener != null)
        {
            throw new InvalidOperationException("already started");
        }

        Registry.EnsureServerKeys();
        _listener = new TcpListener(_options.Address, _options.Port);
        _listener.Start();
        _log.LogInformation("device server listening on {EndPoint}", _listener.LocalEndpoint);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Stops listening, closes every link and fails running flashes ("server stopping").</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _listener?.Stop();
        if (_acceptLoop != null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        foreach (DeviceConnection c in _connections.Keys)
        {
            c.Close("server stopping");
        }

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        var flashes = new List<Task>();
        foreach (DeviceStatus s in _status.Values)
        {
            if (s.Flash != null)
            {
                flashes.Add(s.Flash.Completion);
            }
        }

        await Task.WhenAll(flashes).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>True when the device has an open, handshaken link.</summary>
    public bool IsOnline(string deviceId) => _online.ContainsKey(deviceId);

    /// <summary>
    /// Test hook (host only): closes the device's open link from the cloud side, as a lost TCP
    /// connection would; a running flash then fails ("device disconnected (...)"). The drop is logged
    /// with <paramref name="reason"/>. False when the device is not online.
    /// </summary>
    public bool DisconnectDevice(string deviceId, string reason = "disconnected by the cloud (test hook)")
    {
        if (!_online.TryGetValue(deviceId, out DeviceConnection? connection))
        {
            return false;
        }

        connection.Close(reason);
        return true;
    }

    /// <summary>Ids of the devices online now.</summary>
    public IReadOnlyCollection<string> OnlineDevices => _online.Keys.ToArray();

    /// <summary>What the cloud knows about a registered device; null when it is not registered.</summary>
    public DeviceInfo? GetDevice(string idOrName)
    {
        DeviceRecord? record = Registry.Find(idOrName);
        return record == null ? null : Describe(record);
    }

    /// <summary>Every registered device.</summary>
    public IReadOnlyList<DeviceInfo> ListDevices() => Registry.List().Select(Describe).ToArray();

    private DeviceInfo Describe(DeviceRecord record)
    {
        _status.TryGetValue(record.Id, out DeviceStatus? s);
        _online.TryGetValue(record.Id, out DeviceConnection? c);
        return new DeviceInfo(record.Id, record.Name, c != null, s?.LastHeard, c?.ProductId ?? -1, c?.FirmwareVersion ?? -1,
            s?.LastOtaMessage, s?.LastEventName, s?.LastEventData, s?.Flash?.Progress, s?.Running, s == null ? null : LastOtaOf(s));
    }

    /// <summary>The latest flash of a device (running or finished), null if none since start.</summary>
    public FlashJob? GetFlash(string deviceId) => _status.TryGetValue(deviceId, out DeviceStatus? s) ? s.Flash : null;

    /// <summary>
    /// Starts flashing <paramref name="image"/> to the online device <paramref name="deviceId"/>
    /// (24 hex). Throws <see cref="FlashException"/> when the device is unknown, offline or
    /// already being flashed, or the image is empty. The returned job runs in the background.
    /// </summary>
    public FlashJob StartFlash(string deviceId, byte[] image, FlashOptions? options = null)
    {
        options ??= new FlashOptions();
        options.Validate();
        DeviceRecord record = Registry.Find(deviceId) ?? throw new FlashException(FlashError.UnknownDevice, "unknown device " + deviceId);
        string id = record.Id;
        if (image.Length == 0)
        {
            throw new FlashException(FlashError.BadImage, "File was too small!");
        }

        if (!_online.TryGetValue(id, out DeviceConnection? connection))
        {
            throw new FlashException(FlashError.Offline, "Device is not connected");
        }

        DeviceStatus status = _status.GetOrAdd(id, _ => new DeviceStatus());
        lock (status)
        {
            if (status.Flash != null && !status.Flash.Progress.IsFinished)
            {
                throw new FlashException(FlashError.Busy, "an update is already in progress");
            }

            var job = new FlashJob(id, image.Length, options, () => status.LastOtaMessage);
            if (status.Flash != null && status.Flash.Progress.IsFinished && status.FlashInbox != null)
            {
                // The previous job has finished but its runner has not let go of the inbox yet (a retry
                // right after a refusal): it reads nothing more, so take the inbox back now.
                connection.DetachFlasher(status.FlashInbox);
            }

            var inbox = connection.AttachFlasher();
            if (inbox == null)
            {
                throw new FlashException(FlashError.Busy, "an update is already in progress");
            }

            // A new job: nothing of the previous one's device messages may show as this one's.
            status.LastOtaMessage = null;
            status.LastOta = new OtaOutcome("flashing", "transfer starting", DateTimeOffset.UtcNow);
            status.Flash = job;
            status.FlashInbox = inbox;
            var flasher = new OtaFlasher(connection, inbox, image, options, job, _log);
            _ = Task.Run(async () =>
            {
                try
                {
                    await flasher.RunAsync(_stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // RunAsync finishes the job on every ending; should anything escape it, the job must
                    // still finish: callers and StopAsync await its completion.
                    job.Finish(OtaState.Failed, "internal error: " + e.Message);
                    _log.LogError(e, "flash of {Id} failed unexpectedly", id);
                }
                finally
                {
                    connection.DetachFlasher(inbox);
                    OnFlashEnded(id, status, job);
                }
            });
            return job;
        }
    }

    /// <summary>Default wait for the device's answer to a safe-mode request.</summary>
    public static readonly TimeSpan DefaultSafeModeAnswerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Asks the online device to reboot into safe mode (no user app; cloud and OTA only) with the
    /// CoreFirmware extension POST "s"/"safe-mode" (Ota/Protocol/PROTOCOL-NOTES.md). The device
    /// records the request in its boot state, answers 2.04 and reboots; the next boot is a safe-mode
    /// boot (one-shot: the boot after it runs the app again). Waits up to <paramref name="timeout"/>
    /// (default <see cref="DefaultSafeModeAnswerTimeout"/>) for the answer. Never throws for device
    /// trouble: the outcome says what happened.
    /// </summary>
    public async Task<SafeModeResult> RequestSafeModeAsync(string deviceId, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        DeviceRecord? record = Registry.Find(deviceId);
        if (record == null)
        {
            return new SafeModeResult(SafeModeOutcome.UnknownDevice, "unknown device " + deviceId);
        }

        if (!_online.TryGetValue(record.Id, out DeviceConnection? connection))
        {
            return new SafeModeResult(SafeModeOutcome.Offline, "Device is not connected");
        }

        int code;
        try
        {
            code = await connection.SendSafeModeRequestAsync(timeout ?? DefaultSafeModeAnswerTimeout, ct).ConfigureAwait(false);
        }
        catch (DropException e)
        {
            return new SafeModeResult(SafeModeOutcome.NoAnswer, "device disconnected (" + e.Message + ")");
        }

        _log.LogInformation("device {Id} safe-mode request: answer {Code}", record.Id, code < 0 ? "none" : CodeText(code));
        if (code < 0)
        {
            return new SafeModeResult(SafeModeOutcome.NoAnswer, "the device did not answer in time");
        }

        if (code == Ota.Protocol.CoapCode.Changed)
        {
            return new SafeModeResult(SafeModeOutcome.Accepted, "Safe mode requested: the device reboots into safe mode", code);
        }

        if (code == Ota.Protocol.CoapCode.ServiceUnavailable)
        {
            return new SafeModeResult(SafeModeOutcome.UpdateInProgress, "the device is busy with an update (" + CodeText(code) + ")", code);
        }

        return new SafeModeResult(SafeModeOutcome.DeviceError, "the device refused (" + CodeText(code) + ")", code);
    }

    private static string CodeText(int code) => (code >> 5) + "." + (code & 0x1F).ToString("00", System.Globalization.CultureInfo.InvariantCulture);

    // ------------------------------------------------------------------ connections

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener!.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                _log.LogWarning("accept failed: {Error}", e.Message);
                continue;
            }

            if (_connections.Count >= _options.MaxConnections)
            {
                Dropped(client.Client.RemoteEndPoint?.ToString() ?? "?", null, $"too many connections (max {_options.MaxConnections})");
                client.Close();
                continue;
            }

            var connection = new DeviceConnection(this, client, _options);
            var run = new TaskCompletionSource();
            _connections[connection] = run.Task;
            _ = Task.Run(async () =>
            {
                try
                {
                    string reason = await connection.RunAsync(_stopping.Token).ConfigureAwait(false);
                    OnClosed(connection, reason);
                }
                catch (Exception e)
                {
                    connection.Close("internal error: " + e.Message);
                    OnClosed(connection, "internal error: " + e.Message);
                }
                finally
                {
                    try
                    {
                        await connection.DisposeAsync().ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        _log.LogWarning("disposing connection {Remote} failed: {Error}", connection.Remote, e.Message);
                    }
                    finally
                    {
                        // Always: StopAsync waits for this task.
                        _connections.TryRemove(connection, out _);
                        run.TrySetResult();
                    }
                }
            });
        }
    }

    internal void OnOnline(DeviceConnection connection)
    {
        string id = connection.DeviceId!;
        DeviceStatus status = _status.GetOrAdd(id, _ => new DeviceStatus());
        status.LastHeard = DateTimeOffset.UtcNow;
        DeviceConnection? old = null;
        _online.AddOrUpdate(id, connection, (_, existing) =>
        {
            old = existing;
            return connection;
        });
        old?.Close("replaced by a newer connection of the same device");
        _log.LogInformation("device {Id} online from {Remote}", id, connection.Remote);
        DeviceOnline?.Invoke(id);
    }

    internal void OnHeard(DeviceConnection connection)
    {
        if (connection.DeviceId != null && _status.TryGetValue(connection.DeviceId, out DeviceStatus? s))
        {
            s.LastHeard = DateTimeOffset.UtcNow;
        }
    }

    internal void OnEvent(DeviceConnection connection, DeviceMessage e)
    {
        DeviceStatus status = _status.GetOrAdd(connection.DeviceId!, _ => new DeviceStatus());
        string data = e.PayloadText;
        status.LastEventName = e.EventName;
        status.LastEventData = data;
        DateTimeOffset now = DateTimeOffset.UtcNow;
        bool isPrivate = e.Kind == Ota.Protocol.MessageKind.PrivateEvent;
        FlashJob? current = status.Flash;
        // Decided by what the connection's reader has seen, not by the flash's state: the flasher may not have
        // taken the device's refusal of its UpdateBegin yet when the "aborted: ..." right behind it is read here.
        bool stale = current != null && current.Progress.State == OtaState.Starting && !connection.FlasherHeardAnAnswer
            && data.StartsWith("aborted:", StringComparison.Ordinal);
        if (isPrivate && e.EventName == OtaEventName && stale)
        {
            // An abort that arrives before the new job's UpdateReady belongs to the previous update (the
            // device sends it right after its refusal): it says nothing about this one.
            _log.LogInformation("device {Id} ota (previous update): {Message}", connection.DeviceId, data);
        }
        else if (isPrivate && e.EventName == OtaEventName)
        {
            status.LastOtaMessage = data;
            OtaOutcome? outcome = DeviceImageStatus.ParseOta(data, now);
            if (outcome != null)
            {
                lock (status)
                {
                    FlashJob? job = status.Flash;
                    if (outcome.Outcome == "aborted" && job != null && !(job.Accepted.IsCompletedSuccessfully && job.Accepted.Result))
                    {
                        // Before chunk 0 was accepted: the header gate (or UpdateBegin) refused the image.
                        outcome = outcome with { Outcome = "refused" };
                    }

                    status.LastOta = outcome;
                }
            }

            _log.LogInformation("device {Id} ota: {Message}", connection.DeviceId, data);
        }
        else if (isPrivate && e.EventName == DeviceImageStatus.BootEventName)
        {
            RunningImage? running = DeviceImageStatus.ParseBoot(data, now);
            if (running != null)
            {
                status.Running = running;
                OtaOutcome? rollback = DeviceImageStatus.OutcomeOfBoot(running);
                if (rollback != null)
                {
                    lock (status) status.LastOta = rollback;
                }
            }

            _log.LogInformation("device {Id} boot: {Message}", connection.DeviceId, data);
        }

        Events.Publish(new CloudEvent(e.EventName ?? "", data, e.TtlSeconds > 0 ? e.TtlSeconds : CloudEvent.DefaultTtl, now,
            connection.DeviceId, !isPrivate));
    }

    // The last OTA outcome: a device event's when one came after the job started, else the job's end.
    private static OtaOutcome? LastOtaOf(DeviceStatus status)
    {
        lock (status)
        {
            OtaOutcome? last = status.LastOta;
            FlashJob? job = status.Flash;
            if (last == null || last.Outcome != "flashing" || job == null)
            {
                return last;
            }

            OtaProgress p = job.Progress;
            if (!p.IsFinished)
            {
                return last;
            }

            bool accepted = job.Accepted.IsCompletedSuccessfully && job.Accepted.Result;
            return p.State == OtaState.Failed
                ? new OtaOutcome(accepted ? "failed" : "refused", p.Reason ?? "unknown", p.FinishedAt ?? DateTimeOffset.UtcNow)
                : new OtaOutcome("pending", p.Reason ?? "image accepted", p.FinishedAt ?? DateTimeOffset.UtcNow);
        }
    }

    // A cloud event for the device's streams when a flash job ends (spark subscribe shows it).
    private void OnFlashEnded(string id, DeviceStatus status, FlashJob job)
    {
        OtaOutcome? outcome = LastOtaOf(status);
        string text = outcome == null ? "ended" : outcome.Outcome + ": " + outcome.Message;
        Events.Publish(new CloudEvent(FlashEventName, text, CloudEvent.DefaultTtl, DateTimeOffset.UtcNow, id, false));
    }

    /// <summary>The private event the cloud raises (for the device's streams) when a flash job ends.</summary>
    public const string FlashEventName = "corefw/flash";

    internal void Log(DeviceConnection connection, string text) =>
        _log.LogDebug("{Remote} {Id}: {Text}", connection.Remote, connection.DeviceId, text);

    private void OnClosed(DeviceConnection connection, string reason)
    {
        if (connection.DeviceId != null)
        {
            ((ICollection<KeyValuePair<string, DeviceConnection>>)_online).Remove(
                new KeyValuePair<string, DeviceConnection>(connection.DeviceId, connection));
        }

        Dropped(connection.Remote, connection.DeviceId, reason);
    }

    private void Dropped(string remote, string? deviceId, string reason)
    {
        var drop = new ConnectionDrop(DateTimeOffset.UtcNow, remote, deviceId, reason);
        _drops.Enqueue(drop);
        while (_drops.Count > _options.DropHistory && _drops.TryDequeue(out _))
        {
        }

        _log.LogInformation("dropped {Remote} (device {Id}): {Reason}", remote, deviceId ?? "?", reason);
        ConnectionDropped?.Invoke(drop);
    }

    /// <summary>Per-device state that outlives a connection (so a result survives the device's reboot).</summary>
    private sealed class DeviceStatus
    {
        public DateTimeOffset? LastHeard;
        public string? LastOtaMessage;
        public string? LastEventName;
        public string? LastEventData;
        public FlashJob? Flash;
        public System.Threading.Channels.ChannelReader<DeviceMessage>? FlashInbox;
        public RunningImage? Running;
        public OtaOutcome? LastOta;
    }
}
