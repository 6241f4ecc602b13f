using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Cloud;

/// <summary>What a device answered to a cloud API request.</summary>
public enum DeviceCallOutcome
{
    /// <summary>The device answered with success; see the payload.</summary>
    Ok,

    /// <summary>No such registered device.</summary>
    UnknownDevice,

    /// <summary>The device is not connected.</summary>
    Offline,

    /// <summary>The device did not answer in time (or its link closed meanwhile).</summary>
    TimedOut,

    /// <summary>The device answered 4.04: no such variable or function.</summary>
    NotFound,

    /// <summary>The device answered another error (busy, timed out, threw, bad argument); see the text.</summary>
    DeviceError,
}

/// <summary>A device's answer to a variable, function or describe request.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="DeviceId">The device's id (24 hex) when known.</param>
/// <param name="Payload">The answer's payload (empty unless Ok or DeviceError).</param>
/// <param name="Error">Words for a failure (the device's text when it sent one).</param>
public sealed record DeviceCallResult(DeviceCallOutcome Outcome, string? DeviceId, byte[] Payload, string? Error);

/// <summary>A device's description: its functions and variables (name to spark-protocol type name).</summary>
public sealed record DeviceDescription(IReadOnlyList<string> Functions, IReadOnlyDictionary<string, string> Variables);

public sealed partial class DeviceServer
{
    /// <summary>Default wait for a device's answer to a variable or function request.</summary>
    public static readonly TimeSpan DefaultCallTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, DeviceDescription> _descriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _released = new(StringComparer.Ordinal);

    /// <summary>Asks an online device what it exposes (Describe); null when offline, unknown or silent.</summary>
    public async Task<DeviceDescription?> DescribeAsync(string idOrName, TimeSpan timeout, CancellationToken ct = default)
    {
        DeviceRecord? record = Registry.Find(idOrName);
        if (record == null || !_online.TryGetValue(record.Id, out DeviceConnection? c))
        {
            return null;
        }

        DeviceMessage? m;
        try
        {
            m = await c.DescribeAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (DropException)
        {
            return null;
        }

        if (m == null || !CoapCode.IsSuccess(m.Code))
        {
            return _descriptions.TryGetValue(record.Id, out DeviceDescription? cached) ? cached : null;
        }

        DeviceDescription? d = ParseDescribe(m.Payload);
        if (d != null)
        {
            _descriptions[record.Id] = d;
        }

        return d;
    }

    /// <summary>The last description a device gave, null if none.</summary>
    public DeviceDescription? CachedDescription(string id) => _descriptions.TryGetValue(id, out DeviceDescription? d) ? d : null;

    /// <summary>
    /// Parses a DescribeReturn payload {"f":[...],"v":{name:type}}; types as spark-protocol names them
    /// (1 bool, 2 int32, 4 string, 5 null, 9 double). Null when it is not that shape.
    /// </summary>
    public static DeviceDescription? ParseDescribe(byte[] payload)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(payload);
            var functions = new List<string>();
            var variables = new Dictionary<string, string>(StringComparer.Ordinal);
            if (doc.RootElement.TryGetProperty("f", out JsonElement f) && f.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement e in f.EnumerateArray())
                {
                    if (e.ValueKind == JsonValueKind.String)
                    {
                        functions.Add(e.GetString()!);
                    }
                }
            }

            if (doc.RootElement.TryGetProperty("v", out JsonElement v) && v.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty p in v.EnumerateObject())
                {
                    variables[p.Name] = p.Value.ValueKind == JsonValueKind.Number ? TypeName(p.Value.GetInt32()) : "string";
                }
            }

            return new DeviceDescription(functions, variables);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string TypeName(int type) => type switch
    {
        1 => "bool",
        2 => "int32",
        4 => "string",
        5 => "null",
        9 => "double",
        _ => "string",
    };

    /// <summary>Reads variable <paramref name="name"/> of an online device (VariableRequest).</summary>
    public Task<DeviceCallResult> GetVariableAsync(string idOrName, string name, TimeSpan? timeout = null, CancellationToken ct = default) =>
        CallAsync(idOrName, (c, t) => c.GetVariableAsync(name, t, ct), timeout);

    /// <summary>Calls function <paramref name="name"/> of an online device with <paramref name="argument"/> (at most 63 bytes).</summary>
    public Task<DeviceCallResult> CallFunctionAsync(string idOrName, string name, string argument, TimeSpan? timeout = null, CancellationToken ct = default) =>
        CallAsync(idOrName, (c, t) => c.CallFunctionAsync(name, Encoding.UTF8.GetBytes(argument), t, ct), timeout);

    private async Task<DeviceCallResult> CallAsync(string idOrName, Func<DeviceConnection, TimeSpan, Task<DeviceMessage?>> send, TimeSpan? timeout)
    {
        DeviceRecord? record = Registry.Find(idOrName);
        if (record == null)
        {
            return new DeviceCallResult(DeviceCallOutcome.UnknownDevice, null, Array.Empty<byte>(), "unknown device " + idOrName);
        }

        if (!_online.TryGetValue(record.Id, out DeviceConnection? c))
        {
            return new DeviceCallResult(DeviceCallOutcome.Offline, record.Id, Array.Empty<byte>(), "Device is not connected");
        }

        DeviceMessage? m;
        try
        {
            m = await send(c, timeout ?? DefaultCallTimeout).ConfigureAwait(false);
        }
        catch (DropException e)
        {
            return new DeviceCallResult(DeviceCallOutcome.TimedOut, record.Id, Array.Empty<byte>(), "device disconnected (" + e.Message + ")");
        }

        if (m == null)
        {
            return new DeviceCallResult(DeviceCallOutcome.TimedOut, record.Id, Array.Empty<byte>(), "Timed out.");
        }

        if (CoapCode.IsSuccess(m.Code))
        {
            return new DeviceCallResult(DeviceCallOutcome.Ok, record.Id, m.Payload, null);
        }

        string text = m.PayloadText.Trim();
        return new DeviceCallResult(m.Code == CoapCode.NotFound ? DeviceCallOutcome.NotFound : DeviceCallOutcome.DeviceError, record.Id,
            m.Payload, text.Length > 0 ? text : "device answered " + CodeText(m.Code));
    }

    /// <summary>Publishes an event from the API (spark-server's POST /v1/devices/events): to every stream and subscribed device.</summary>
    public void PublishFromApi(string name, string? data, int ttl, bool isPublic) =>
        Events.Publish(new CloudEvent(name, data, ttl, DateTimeOffset.UtcNow, null, isPublic));

    /// <summary>Releases a device from the account (spark-cli's cloud remove); it stays registered and can be claimed again.</summary>
    public bool Release(string id) => _released.TryAdd(id, true) || true;

    /// <summary>Claims a registered device (spark-cli's cloud claim); false when it is not registered.</summary>
    public bool Claim(string id) => _released.TryRemove(id, out _) || Registry.Find(id) != null;

    /// <summary>True when the device was released (cloud remove) and not claimed since.</summary>
    public bool IsReleased(string id) => _released.ContainsKey(id);
}
