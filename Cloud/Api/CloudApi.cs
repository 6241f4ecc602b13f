using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CoreFirmware.Cloud;

/// <summary>
/// The REST API, compatible with what spark-cli 0.3.0 uses of spark-server 0.1.0:
/// <list type="bullet">
/// <item>GET /v1/devices: array of {id, name, last_app, last_heard, connected};</item>
/// <item>GET /v1/devices/{id}: {id, name, last_app, connected, variables, functions,
/// cc3000_patch_version} plus ours: last_heard, product_id, firmware_version,
/// last_device_message and ota {state, bytes_sent, total_bytes, ...}; 404 "Oops, I couldn't find
/// that core" as spark-server;</item>
/// <item>PUT /v1/devices/{id}, multipart/form-data field <c>file</c>: flash. Answers once the
/// device is ready, like spark-server: {"id", "status": "Update started"}, else
/// {"ok": false, "errors": [{"id", "status": "Update failed - reason"}]} (HTTP 200, as
/// spark-server). Fast OTA: form field or query <c>fast=true</c>; optional <c>chunk_size</c>.
/// A form field <c>name</c> renames the device (spark-server's set_core_attributes).</item>
/// <item>POST /v1/devices/{id}/safe-mode (CoreFirmware extension, not in spark-server): asks the
/// device to reboot into safe mode. {"id", "ok": true, "status": ...} once the device accepted;
/// {"id", "ok": false, "error": reason} (HTTP 200, as the flash errors) when it is offline, busy
/// with an update, refused or did not answer; 404 for an unknown core.</item>
/// </list>
/// Access token as <c>?access_token=</c>, form field or <c>Authorization: Bearer</c>. Missing or
/// wrong: 401 {"code": 401, "error": "invalid_token", "error_description": ...} (OTA-DESIGN.md).
/// spark-server 0.1.0 itself (node-oauth2-server 1.5.3) answered 400 with error
/// "invalid_request" (missing) or "invalid_grant" (wrong); the descriptions here are its texts.
/// </summary>
public sealed partial class CloudApi : IAsyncDisposable
{
    /// <summary>spark-server's 404 body for an unknown core (a JSON string).</summary>
    public const string UnknownCoreMessage = "Oops, I couldn't find that core";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = null, WriteIndented = false };

    private readonly DeviceServer _devices;
    private readonly Func<IReadOnlyCollection<string>> _tokens;
    private readonly CloudApiOptions _options;
    private readonly Action<ILoggingBuilder>? _logging;
    private WebApplication? _app;

    /// <summary>Creates the API over <paramref name="devices"/>; <paramref name="tokens"/> gives the accepted access tokens.</summary>
    public CloudApi(DeviceServer devices, Func<IReadOnlyCollection<string>> tokens, CloudApiOptions? options = null,
        Action<ILoggingBuilder>? logging = null)
    {
        _devices = devices;
        _tokens = tokens;
        _options = options ?? new CloudApiOptions();
        _logging = logging;
    }

    /// <summary>The bound base address, e.g. http://127.0.0.1:8080 (after <see cref="StartAsync"/>).</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Binds and starts serving.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        _logging?.Invoke(builder.Logging);
        long bodyLimit = _options.MaxImageBytes + 64 * 1024L;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(_options.Address, _options.Port);
            k.Limits.MaxRequestBodySize = bodyLimit;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
            k.Limits.MaxConcurrentConnections = 100;
        });
        builder.Services.Configure<FormOptions>(f =>
        {
            f.MultipartBodyLengthLimit = bodyLimit;
            f.ValueCountLimit = 64;
        });

        // The API is embedded (tests, LocalCloud): it must not grab SIGINT/SIGTERM the way the
        // default console lifetime does; whoever hosts it stops it.
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedLifetime>();
        WebApplication app = builder.Build();
        app.MapGet("/v1/devices", ListDevices);
        app.MapGet("/v1/devices/{id}", (Delegate)GetDevice);
        app.MapPut("/v1/devices/{id}", PutDevice);
        app.MapPost("/v1/devices/{id}/safe-mode", PostSafeMode);
        MapSparkRoutes(app);
        await app.StartAsync(ct).ConfigureAwait(false);
        _app = app;
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>Stops serving.</summary>
    public async Task StopAsync()
    {
        WebApplication? app = Interlocked.Exchange(ref _app, null);
        if (app != null)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await app.StopAsync(grace.Token).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    // ------------------------------------------------------------------ auth

    private IResult? CheckToken(HttpContext context, IFormCollection? form)
    {
        string? token = context.Request.Query["access_token"].FirstOrDefault();
        string? header = context.Request.Headers.Authorization.FirstOrDefault();
        if (token == null && header != null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = header.Substring("Bearer ".Length).Trim();
        }

        if (token == null && form != null)
        {
            token = form["access_token"].FirstOrDefault();
        }

        if (string.IsNullOrEmpty(token))
        {
            return Unauthorized(context, "The access token was not found");
        }

        foreach (string accepted in _tokens())
        {
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                    System.Text.Encoding.UTF8.GetBytes(accepted), System.Text.Encoding.UTF8.GetBytes(token)))
            {
                return null;
            }
        }

        return Unauthorized(context, "The access token provided is invalid.");
    }

    private static IResult Unauthorized(HttpContext context, string description)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"corefw\", error=\"invalid_token\"";
        return Results.Json(new { code = 401, error = "invalid_token", error_description = description }, Json,
            statusCode: StatusCodes.Status401Unauthorized);
    }

    // ------------------------------------------------------------------ endpoints

    private IResult ListDevices(HttpContext context)
    {
        IResult? denied = CheckToken(context, null);
        if (denied != null)
        {
            return denied;
        }

        var list = _devices.ListDevices().Select(d => new
        {
            id = d.Id,
            name = d.Name,
            last_app = (string?)null,
            last_heard = d.LastHeard,
            connected = d.Connected,
        });
        return Results.Json(list, Json);
    }

    private async Task<IResult> GetDevice(HttpContext context, string id)
    {
        IResult? denied = CheckToken(context, null);
        if (denied != null)
        {
            return denied;
        }

        DeviceInfo? d = _devices.GetDevice(id);
        if (d == null)
        {
            return Results.Json(UnknownCoreMessage, Json, statusCode: StatusCodes.Status404NotFound);
        }

        OtaProgress? p = d.Ota;
        // spark-server asks the device (Describe) for what it exposes; null lists when it is offline.
        DeviceDescription? description = d.Connected
            ? await _devices.DescribeAsync(d.Id, DescribeWait, context.RequestAborted).ConfigureAwait(false)
            : null;
        return Results.Json(new
        {
            id = d.Id,
            name = d.Name,
            last_app = (string?)null,
            connected = d.Connected,
            variables = description?.Variables,
            functions = description?.Functions,
            cc3000_patch_version = (string?)null,
            last_heard = d.LastHeard,
            product_id = d.ProductId,
            firmware_version = d.FirmwareVersion,
            last_device_message = d.LastDeviceMessage,
            running = d.Running == null ? null : new
            {
                version = d.Running.Version,
                status = d.Running.Status,
                boot = d.Running.Boot,
                reported_at = d.Running.At,
            },
            last_ota = d.LastOta == null ? null : new
            {
                outcome = d.LastOta.Outcome,
                message = d.LastOta.Message,
                at = d.LastOta.At,
            },
            ota = p == null ? null : new
            {
                state = p.StateName,
                bytes_sent = p.BytesSent,
                total_bytes = p.TotalBytes,
                chunk_size = p.ChunkSize,
                chunk_count = p.ChunkCount,
                fast = p.Fast,
                resends = p.Resends,
                reason = p.Reason,
                last_device_message = p.LastDeviceMessage,
                started_at = p.StartedAt,
                finished_at = p.FinishedAt,
            },
        }, Json);
    }

    private async Task<IResult> PutDevice(HttpContext context, string id)
    {
        IFormCollection? form = null;
        bool tooBig = false;
        if (context.Request.HasFormContentType)
        {
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidDataException || e is BadHttpRequestException || e is IOException)
            {
                tooBig = true;
            }
        }

        IResult? denied = CheckToken(context, form);
        if (denied != null)
        {
            return denied;
        }

        DeviceRecord? record = _devices.Registry.Find(id);
        if (record == null)
        {
            return Results.Json(UnknownCoreMessage, Json, statusCode: StatusCodes.Status404NotFound);
        }

        if (tooBig)
        {
            return FlashFailed(record.Id, "File was too big!");
        }

        var result = new Dictionary<string, object?>();
        string? newName = form?["name"].FirstOrDefault();
        if (newName != null)
        {
            _devices.Registry.SetName(record.Id, newName);
            result["ok"] = true;
            result["name"] = newName;
        }

        IFormFile? file = form?.Files.GetFile("file");
        if (file == null)
        {
            return result.Count > 0 ? Results.Json(result, Json) : Results.Json(new { error = "Nothing to do?" }, Json);
        }

        if (file.Length > _options.MaxImageBytes)
        {
            return FlashFailed(record.Id, "File was too big!");
        }

        byte[] image = new byte[file.Length];
        await using (Stream s = file.OpenReadStream())
        {
            await s.ReadExactlyAsync(image, context.RequestAborted).ConfigureAwait(false);
        }

        FlashOptions options = _options.FlashDefaults();
        options.Fast = IsTrue(context.Request.Query["fast"].FirstOrDefault() ?? form?["fast"].FirstOrDefault());
        string? chunkSize = context.Request.Query["chunk_size"].FirstOrDefault() ?? form?["chunk_size"].FirstOrDefault();
        if (chunkSize != null)
        {
            if (!int.TryParse(chunkSize, out int size) || size < FlashOptions.MinChunkSize || size > Ota.Protocol.SparkProtocol.MaxChunkSize)
            {
                return FlashFailed(record.Id, FlashOptions.ChunkSizeRange);
            }

            options.ChunkSize = size;
        }

        FlashJob job;
        try
        {
            job = _devices.StartFlash(record.Id, image, options);
        }
        catch (FlashException e)
        {
            return FlashFailed(record.Id, e.Message);
        }

        // Honest: answer once the device accepted (or refused) the UpdateBegin AND chunk 0, whose header
        // it checks (board, size, version) before it erases anything.
        Task finished = await Task.WhenAny(job.Accepted, Task.Delay(_options.StartWait, context.RequestAborted)).ConfigureAwait(false);
        if (finished != job.Accepted)
        {
            return Results.Json(new { ok = false, errors = new object[] { new { error = "Timed out." } } }, Json);
        }

        if (!job.Accepted.Result)
        {
            return FlashFailed(record.Id, job.Progress.Reason ?? "unknown");
        }

        result["id"] = record.Id;
        result["status"] = "Update started";
        return Results.Json(result, Json);
    }

    private async Task<IResult> PostSafeMode(HttpContext context, string id)
    {
        IFormCollection? form = null;
        if (context.Request.HasFormContentType)
        {
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidDataException || e is BadHttpRequestException || e is IOException)
            {
                form = null;
            }
        }

        IResult? denied = CheckToken(context, form);
        if (denied != null)
        {
            return denied;
        }

        SafeModeResult r = await _devices.RequestSafeModeAsync(id, null, context.RequestAborted).ConfigureAwait(false);
        if (r.Outcome == SafeModeOutcome.UnknownDevice)
        {
            return Results.Json(UnknownCoreMessage, Json, statusCode: StatusCodes.Status404NotFound);
        }

        string deviceId = _devices.Registry.Find(id)?.Id ?? id;
        return r.Accepted
            ? Results.Json(new { id = deviceId, ok = true, status = r.Message }, Json)
            : Results.Json(new { id = deviceId, ok = false, error = r.Message }, Json);
    }

    private sealed class EmbeddedLifetime : Microsoft.Extensions.Hosting.IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static bool IsTrue(string? value) =>
        value != null && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase)
                          || value.Equals("yes", StringComparison.OrdinalIgnoreCase));

    /// <summary>spark-server's rejected-flash shape: {"ok": false, "errors": [{"id", "status": "Update failed - ..."}]}.</summary>
    private static IResult FlashFailed(string id, string reason) =>
        Results.Json(new { ok = false, errors = new object[] { new { id, status = "Update failed - " + reason } } }, Json);
}
