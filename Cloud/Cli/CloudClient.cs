using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace CoreFirmware.Cloud.Cli;

/// <summary>A failure to show the user as one clear line (exit code 1).</summary>
internal sealed class CliException(string message) : Exception(message);

/// <summary>The REST calls corefw makes, as spark-cli makes them (token in the query string).</summary>
internal sealed class CloudClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _token;
    private readonly string _apiUrl;

    public CloudClient(ClientSettings settings)
    {
        if (string.IsNullOrEmpty(settings.AccessToken))
        {
            throw new CliException(
                $"No access token: set access_token in {settings.ConfigPath}, or {ClientSettings.EnvToken}, or pass --token " +
                "(`corefw serve` prints the token and writes it to that file).");
        }

        _apiUrl = settings.ApiUrl.TrimEnd('/');
        _token = settings.AccessToken;
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
    }

    public void Dispose() => _http.Dispose();

    private string Url(string path) => $"{_apiUrl}/{path}?access_token={Uri.EscapeDataString(_token)}";

    public async Task<JsonElement> GetAsync(string path, string? deviceId, CancellationToken ct)
    {
        using HttpResponseMessage r = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, Url(path)), ct);
        return await ReadAsync(r, deviceId, ct);
    }

    public async Task<JsonElement> PostAsync(string path, string? deviceId, CancellationToken ct)
    {
        using HttpResponseMessage r = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, Url(path)), ct);
        return await ReadAsync(r, deviceId, ct);
    }

    public async Task<JsonElement> PutFileAsync(string deviceId, string file, bool fast, int? chunkSize, CancellationToken ct)
    {
        byte[] data;
        try
        {
            data = await File.ReadAllBytesAsync(file, ct);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read {file}: {e.Message}");
        }

        using HttpResponseMessage r = await SendAsync(() =>
        {
            var form = new MultipartFormDataContent();
            var content = new ByteArrayContent(data);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "file", Path.GetFileName(file));
            if (fast)
            {
                form.Add(new StringContent("true"), "fast");
            }

            if (chunkSize != null)
            {
                form.Add(new StringContent(chunkSize.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)), "chunk_size");
            }

            return new HttpRequestMessage(HttpMethod.Put, Url("v1/devices/" + Uri.EscapeDataString(deviceId))) { Content = form };
        }, ct);
        return await ReadAsync(r, deviceId, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken ct)
    {
        try
        {
            using HttpRequestMessage message = request();
            return await _http.SendAsync(message, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"Cannot reach the cloud at {_apiUrl} ({e.Message}). Is `corefw serve` running?");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException($"The cloud at {_apiUrl} did not answer in time.");
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage r, string? deviceId, CancellationToken ct)
    {
        string text = await r.Content.ReadAsStringAsync(ct);
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(text.Length == 0 ? "null" : text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new CliException($"The cloud answered {(int)r.StatusCode} with something that is not JSON.");
        }

        if (r.StatusCode == HttpStatusCode.Unauthorized || (r.StatusCode == HttpStatusCode.BadRequest && IsOAuthError(body)))
        {
            string description = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error_description", out JsonElement d)
                ? d.GetString() ?? "" : "";
            throw new CliException($"The cloud refused the access token: {description} Check access_token / --token.");
        }

        if (r.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CliException(deviceId != null ? $"Unknown device '{deviceId}': register it with `corefw keys device`." : "Not found.");
        }

        if (!r.IsSuccessStatusCode)
        {
            throw new CliException($"The cloud answered {(int)r.StatusCode}: {text}");
        }

        return body;
    }

    private static bool IsOAuthError(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out JsonElement e)
        && e.GetString() is "invalid_token" or "invalid_grant" or "invalid_request";
}
