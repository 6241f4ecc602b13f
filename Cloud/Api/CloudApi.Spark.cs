using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CoreFirmware.Cloud;

/// <summary>
/// The rest of what spark-cli 0.3.0 sends, in spark-server 0.1.0's shapes (Cloud/README.md has the
/// table): variables, functions, event streams (server-sent events), publish, claim, remove, login,
/// key upload, and spark-server's error shape for what this cloud cannot do (compile) or does not
/// know (any other route), never a bare 404/405 that makes spark-cli print "undefined".
/// </summary>
public sealed partial class CloudApi
{
    /// <summary>Longest function argument (the Core's 63 bytes).</summary>
    public const int MaxFunctionArgumentBytes = 63;

    /// <summary>SSE streams open at once (each holds an event-hub subscription).</summary>
    public const int MaxEventStreams = 32;

    /// <summary>How long GET /v1/devices/{id} waits for the device's Describe.</summary>
    public static readonly TimeSpan DescribeWait = TimeSpan.FromSeconds(3);

    /// <summary>An SSE stream's keep-alive: a newline after this long without an event (spark-server: 9 s).</summary>
    public static readonly TimeSpan EventKeepAlive = TimeSpan.FromSeconds(9);

    private int _eventStreams;

    /// <summary>Users for POST /oauth/token (null: login answers invalid_grant).</summary>
    public CloudUsers? Users { get; set; }

    private void MapSparkRoutes(WebApplication app)
    {
        app.MapGet("/v1/events", (HttpContext c) => EventStream(c, null, null, false));
        app.MapGet("/v1/events/{prefix}", (HttpContext c, string prefix) => EventStream(c, prefix, null, false));
        app.MapGet("/v1/devices/events", (HttpContext c) => EventStream(c, null, null, true));
        app.MapGet("/v1/devices/events/{prefix}", (HttpContext c, string prefix) => EventStream(c, prefix, null, true));
        app.MapGet("/v1/devices/{id}/events", (HttpContext c, string id) => EventStream(c, null, id, true));
        app.MapGet("/v1/devices/{id}/events/{prefix}", (HttpContext c, string id, string prefix) => EventStream(c, prefix, id, true));
        app.MapPost("/v1/devices/events", (Delegate)PublishEvent);
        app.MapGet("/v1/devices/{id}/{name}", GetVariable);
        app.MapPost("/v1/devices/{id}/{name}", CallFunction);
        app.MapPost("/v1/devices", (Delegate)ClaimDevice);
        app.MapDelete("/v1/devices/{id}", RemoveDevice);
        app.MapPost("/oauth/token", (Delegate)Login);
        app.MapPost("/v1/provisioning/{id}", ProvisionKey);
        app.MapPost("/v1/binaries", (Delegate)Compile);
        app.MapFallback(Unknown);
    }

    private static IResult Error(int status, string error) =>
        Results.Json(new { ok = false, error }, Json, statusCode: status);

    private static IResult Errors(int status, string error) =>
        Results.Json(new { ok = false, errors = new[] { error } }, Json, statusCode: status);

    private static IResult UnknownCore() => Results.Json(UnknownCoreMessage, Json, statusCode: StatusCodes.Status404NotFound);

    private static async Task<IFormCollection?> ReadFormOrNullAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return null;
        }

        try
        {
            return await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException || e is BadHttpRequestException || e is IOException)
        {
            return null;
        }
    }

    // A form field, else the same field of a JSON body (spark-server's bodyParser took both).
    private static async Task<Func<string, string?>> ReadFieldsAsync(HttpContext context)
    {
        IFormCollection? form = await ReadFormOrNullAsync(context).ConfigureAwait(false);
        if (form != null)
        {
            return name => form[name].FirstOrDefault();
        }

        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                using JsonDocument doc = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    var fields = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (JsonProperty p in doc.RootElement.EnumerateObject())
                    {
                        fields[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                    }

                    return name => fields.TryGetValue(name, out string? v) ? v : null;
                }
            }
            catch (JsonException)
            {
                throw new BadHttpRequestException("malformed JSON body");
            }
        }

        return _ => null;
    }

    private IResult? Auth(HttpContext context, Func<string, string?> fields)
    {
        if (context.Request.Query["access_token"].Count == 0 && context.Request.Headers.Authorization.Count == 0)
        {
            string? token = fields("access_token");
            if (token != null)
            {
                context.Request.QueryString = context.Request.QueryString.Add("access_token", token);
            }
        }

        return CheckToken(context, null);
    }

    // ------------------------------------------------------------------ variables and functions

    private async Task<IResult> GetVariable(HttpContext context, string id, string name)
    {
        IResult? denied = CheckToken(context, null);
        if (denied != null)
        {
            return denied;
        }

        DeviceCallResult r = await _devices.GetVariableAsync(id, name, null, context.RequestAborted).ConfigureAwait(false);
        switch (r.Outcome)
        {
            case DeviceCallOutcome.UnknownDevice:
                return UnknownCore();
            case DeviceCallOutcome.Offline:
                return Error(StatusCodes.Status400BadRequest, "Device is not connected: cannot read variable " + name);
            case DeviceCallOutcome.TimedOut:
                return Results.Json(new { ok = false, error = "Timed out." }, Json, statusCode: StatusCodes.Status408RequestTimeout);
            case DeviceCallOutcome.NotFound:
                return Error(StatusCodes.Status404NotFound, "Variable not found");
            case DeviceCallOutcome.DeviceError:
                return Error(StatusCodes.Status400BadRequest, r.Error ?? "device error");
        }

        string type = _devices.CachedDescription(r.DeviceId!)?.Variables.GetValueOrDefault(name) ?? "string";
        if (!_devices.CachedDescription(r.DeviceId!)?.Variables.ContainsKey(name) ?? true)
        {
            DeviceDescription? d = await _devices.DescribeAsync(r.DeviceId!, DescribeWait, context.RequestAborted).ConfigureAwait(false);
            type = d?.Variables.GetValueOrDefault(name) ?? "string";
        }

        object? value = DecodeValue(r.Payload, type);
        if (context.Request.Query["format"].FirstOrDefault() == "raw")
        {
            return Results.Text(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        DeviceInfo? info = _devices.GetDevice(r.DeviceId!);
        return Results.Json(new
        {
            cmd = "VarReturn",
            name,
            result = value,
            coreInfo = new
            {
                last_app = "",
                last_heard = info?.LastHeard,
                connected = true,
                deviceID = r.DeviceId,
            },
        }, Json);
    }

    /// <summary>A variable's value as spark-protocol reads it: int32 big-endian, double little-endian, bool, string.</summary>
    public static object? DecodeValue(byte[] payload, string type)
    {
        switch (type)
        {
            case "int32" when payload.Length >= 4:
                return (payload[0] << 24) | (payload[1] << 16) | (payload[2] << 8) | payload[3];
            case "double" when payload.Length >= 8:
                return BitConverter.ToDouble(BitConverter.IsLittleEndian ? payload[..8] : payload[..8].Reverse().ToArray());
            case "bool" when payload.Length >= 1:
                return payload[0] != 0;
            default:
                return Encoding.UTF8.GetString(payload);
        }
    }

    private async Task<IResult> CallFunction(HttpContext context, string id, string name)
    {
        Func<string, string?> fields;
        try
        {
            fields = await ReadFieldsAsync(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }

        IResult? denied = Auth(context, fields);
        if (denied != null)
        {
            return denied;
        }

        // spark-server passed the whole body; spark-cli 0.3.0 sends "arg", the Spark docs "args".
        string argument = fields("args") ?? fields("arg") ?? fields("params") ?? "";
        if (Encoding.UTF8.GetByteCount(argument) > MaxFunctionArgumentBytes)
        {
            return Error(StatusCodes.Status400BadRequest, $"Argument too long: {Encoding.UTF8.GetByteCount(argument)} bytes, a function takes at most {MaxFunctionArgumentBytes}");
        }

        DeviceCallResult r = await _devices.CallFunctionAsync(id, name, argument, null, context.RequestAborted).ConfigureAwait(false);
        switch (r.Outcome)
        {
            case DeviceCallOutcome.UnknownDevice:
                return UnknownCore();
            case DeviceCallOutcome.Offline:
                return Error(StatusCodes.Status400BadRequest, "Device is not connected: cannot call function " + name);
            case DeviceCallOutcome.TimedOut:
                return Results.Json(new { ok = false, error = "Timed out." }, Json, statusCode: StatusCodes.Status408RequestTimeout);
            case DeviceCallOutcome.NotFound:
                return Error(StatusCodes.Status404NotFound, "Function not found");
            case DeviceCallOutcome.DeviceError:
                return Error(StatusCodes.Status400BadRequest, r.Error ?? "device error");
        }

        int value = r.Payload.Length >= 4 ? (r.Payload[0] << 24) | (r.Payload[1] << 16) | (r.Payload[2] << 8) | r.Payload[3] : 0;
        if (context.Request.Query["format"].FirstOrDefault() == "raw")
        {
            return Results.Text(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        DeviceRecord? record = _devices.Registry.Find(r.DeviceId!);
        return Results.Json(new { id = r.DeviceId, name = record?.Name, last_app = (string?)null, connected = true, return_value = value }, Json);
    }

    // ------------------------------------------------------------------ events

    private async Task EventStream(HttpContext context, string? prefix, string? deviceFilter, bool mine)
    {
        IResult? denied = CheckToken(context, null);
        if (denied != null)
        {
            await denied.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        string? device = null;
        if (deviceFilter != null)
        {
            DeviceRecord? record = _devices.Registry.Find(deviceFilter);
            if (record == null)
            {
                await UnknownCore().ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            device = record.Id;
        }

        if (Interlocked.Increment(ref _eventStreams) > MaxEventStreams)
        {
            Interlocked.Decrement(ref _eventStreams);
            await Error(StatusCodes.Status503ServiceUnavailable, $"Too many event streams open (at most {MaxEventStreams})").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        try
        {
            // The firehose (/v1/events) carries public events and the user's private ones; this cloud
            // has one account, so every stream sees every event its filter takes.
            using EventHub.Subscription? sub = _devices.Events.Subscribe(e => e.Matches(prefix) && (device == null || e.CoreId == device));
            if (sub == null)
            {
                await Error(StatusCodes.Status503ServiceUnavailable, "Too many event subscriptions").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            HttpResponse response = context.Response;
            response.StatusCode = 200;
            response.Headers.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers.Connection = "keep-alive";
            await response.WriteAsync(":ok\n\n", context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            CancellationToken ct = context.RequestAborted;
            while (!ct.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(EventKeepAlive);
                CloudEvent e;
                try
                {
                    e = await sub.Reader.ReadAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await response.WriteAsync("\n", ct).ConfigureAwait(false);
                    await response.Body.FlushAsync(ct).ConfigureAwait(false);
                    continue;
                }

                // One write per event, so a reader that splits on chunks sees whole lines.
                string data = JsonSerializer.Serialize(new
                {
                    data = e.Data,
                    ttl = e.Ttl.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    published_at = e.PublishedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
                    coreid = e.CoreId,
                }, Json);
                await response.WriteAsync("event: " + e.Name + "\ndata: " + data + "\n\n", ct).ConfigureAwait(false);
                await response.Body.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException || e is IOException || e is System.Threading.Channels.ChannelClosedException)
        {
            // The client went away.
        }
        finally
        {
            Interlocked.Decrement(ref _eventStreams);
        }
    }

    private async Task<IResult> PublishEvent(HttpContext context)
    {
        Func<string, string?> fields;
        try
        {
            fields = await ReadFieldsAsync(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }

        IResult? denied = Auth(context, fields);
        if (denied != null)
        {
            return denied;
        }

        string? name = fields("name");
        string? data = fields("data");
        if (string.IsNullOrEmpty(name) || name.Length > 63)
        {
            return Error(StatusCodes.Status400BadRequest, "An event needs a name of 1 to 63 characters");
        }

        if (data != null && Encoding.UTF8.GetByteCount(data) > 255)
        {
            return Error(StatusCodes.Status400BadRequest, "Event data is at most 255 bytes");
        }

        int ttl = int.TryParse(fields("ttl"), out int t) && t > 0 ? t : CloudEvent.DefaultTtl;
        string? isPrivate = fields("private");
        bool isPublic = string.IsNullOrEmpty(isPrivate) || isPrivate == "false";
        _devices.PublishFromApi(name, data, ttl, isPublic);
        return Results.Json(new { ok = true }, Json);
    }

    // ------------------------------------------------------------------ claim, remove, login, keys

    private async Task<IResult> ClaimDevice(HttpContext context)
    {
        Func<string, string?> fields;
        try
        {
            fields = await ReadFieldsAsync(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            return Errors(StatusCodes.Status400BadRequest, e.Message);
        }

        IResult? denied = Auth(context, fields);
        if (denied != null)
        {
            return denied;
        }

        string? id = fields("id");
        DeviceRecord? record = id == null ? null : _devices.Registry.Find(id);
        if (record == null)
        {
            return Errors(StatusCodes.Status400BadRequest, id == null
                ? "No core id given"
                : $"{id} is not registered with this cloud: register it first (corefw keys device {id})");
        }

        _devices.Claim(record.Id);
        return Results.Json(new { ok = true, id = record.Id, name = record.Name }, Json);
    }

    private async Task<IResult> RemoveDevice(HttpContext context, string id)
    {
        Func<string, string?> fields;
        try
        {
            fields = await ReadFieldsAsync(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }

        IResult? denied = Auth(context, fields);
        if (denied != null)
        {
            return denied;
        }

        DeviceRecord? record = _devices.Registry.Find(id);
        if (record == null)
        {
            return Error(StatusCodes.Status404NotFound, UnknownCoreMessage);
        }

        _devices.Release(record.Id);
        return Results.Json(new { ok = true, id = record.Id, status = "released: it stays registered with this cloud and can be claimed again" }, Json);
    }

    private async Task<IResult> Login(HttpContext context)
    {
        Func<string, string?> fields;
        try
        {
            fields = await ReadFieldsAsync(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException)
        {
            fields = _ => null;
        }

        if (fields("grant_type") is { } grant && grant != "password")
        {
            return Results.Json(new { code = 400, error = "unsupported_grant_type", error_description = "Only the password grant is supported" }, Json,
                statusCode: StatusCodes.Status400BadRequest);
        }

        string? token = Users?.Login(fields("username"), fields("password"));
        if (token == null)
        {
            return Results.Json(new { code = 400, error = "invalid_grant", error_description = "User credentials are invalid" }, Json,
                statusCode: StatusCodes.Status400BadRequest);
        }

        return Results.Json(new { access_token = token, token_type = "bearer", expires_in = 7776000 }, Json);
    }

    private async Task<IResult> ProvisionKey(HttpContext context, string id)
    {
        Func<string, string?> fields;
        try
        {
            fields = await ReadFieldsAsync(context).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            return Error(StatusCodes.Status400BadRequest, e.Message);
        }

        IResult? denied = Auth(context, fields);
        if (denied != null)
        {
            return denied;
        }

        string deviceId = fields("deviceID") ?? id;
        if (DeviceIds.Normalize(deviceId) == null)
        {
            return Results.Json(new { error = "No deviceID provided (24 hex digits)" }, Json, statusCode: StatusCodes.Status400BadRequest);
        }

        string? pem = fields("publicKey");
        if (string.IsNullOrWhiteSpace(pem))
        {
            return Results.Json(new { error = "No key provided" }, Json, statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            using var rsa = System.Security.Cryptography.RSA.Create();
            rsa.ImportFromPem(pem);
            _devices.Registry.Register(deviceId, rsa.ExportSubjectPublicKeyInfo());
        }
        catch (Exception e) when (e is ArgumentException || e is System.Security.Cryptography.CryptographicException)
        {
            return Results.Json(new { error = "Key error " + e.Message }, Json, statusCode: StatusCodes.Status400BadRequest);
        }

        return Results.Json("Success!", Json);
    }

    private async Task<IResult> Compile(HttpContext context)
    {
        IFormCollection? form = await ReadFormOrNullAsync(context).ConfigureAwait(false);
        IResult? denied = CheckToken(context, form);
        if (denied != null)
        {
            return denied;
        }

        return Errors(StatusCodes.Status400BadRequest,
            "This local cloud cannot compile: it has no compile service. Build your app with `dotnet build -c Release`, "
            + "sign it with `corefw image sign`, and flash the signed image with `spark cloud flash <core> app.img`.");
    }

    private static IResult Unknown(HttpContext context) =>
        Error(StatusCodes.Status404NotFound,
            $"This cloud has no {context.Request.Method} {context.Request.Path} (routes: Cloud/README.md, spark-server 0.1.0's)");
}
