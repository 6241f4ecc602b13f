using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using CoreFirmware.Cloud;
using CoreFirmware.Tests.Support;

namespace CoreFirmware.Tests.Cloud;

/// <summary>A LocalCloud on ephemeral ports in a temp registry, with short timeouts for tests.</summary>
internal sealed class CloudTestHost : IAsyncDisposable
{
    public const string Token = "0123456789abcdef0123456789abcdef01234567";

    private static readonly Lazy<byte[]> ServerKey = new(() =>
    {
        using var rsa = RSA.Create(DeviceRegistry.ServerKeyBits);
        return rsa.ExportRSAPrivateKey();
    });

    private readonly List<ScriptedDevice> _devices = new();

    private CloudTestHost(string folder, LocalCloud cloud)
    {
        Folder = folder;
        Cloud = cloud;
        Http = new HttpClient { BaseAddress = cloud.ApiUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Folder { get; }

    public LocalCloud Cloud { get; }

    public HttpClient Http { get; }

    public static async Task<CloudTestHost> StartAsync(DeviceServerOptions? server = null, Func<FlashOptions>? flash = null)
    {
        string folder = Path.Combine(Path.GetTempPath(), "corefw-cloud-" + Guid.NewGuid().ToString("N"));
        DeviceRegistry.Open(folder).SetServerKeys(ServerKey.Value);
        var cloud = await LocalCloud.StartAsync(new LocalCloudOptions
        {
            RegistryFolder = folder,
            DevicePort = 0,
            ApiPort = 0,
            ExtraAccessTokens = new[] { Token },
            Server = server ?? new DeviceServerOptions
            {
                HandshakeStepTimeout = TimeSpan.FromSeconds(5),
                HelloTimeout = TimeSpan.FromSeconds(5),
                IdleTimeout = TimeSpan.FromSeconds(20),
            },
            Api = new CloudApiOptions { StartWait = TimeSpan.FromSeconds(20), FlashDefaults = flash ?? FastTimeouts },
        });
        return new CloudTestHost(folder, cloud);
    }

    /// <summary>Flash timeouts short enough for tests, long enough for a loaded 2-core machine.</summary>
    public static FlashOptions FastTimeouts() => new()
    {
        UpdateReadyTimeout = TimeSpan.FromSeconds(3),
        UpdateBeginAttempts = 2,
        ChunkAckTimeout = TimeSpan.FromSeconds(3),
        FastQuietPeriod = TimeSpan.FromMilliseconds(500),
        // The device answers UpdateDone after it has verified the signed image in the staging slot
        // (hash of the whole image over the virtual SPI bus): give it the default 15 s on a loaded machine.
        UpdateDoneTimeout = TimeSpan.FromSeconds(15),
        OverallTimeout = TimeSpan.FromSeconds(40),
        // The end-to-end tests flash 1.0.0 images over a board that runs 1.0.0: as the user who flashes a
        // file on purpose, ask for a re-install (the device refuses the same version otherwise).
        Reinstall = true,
    };

    /// <summary>Registers a new device and connects a scripted device for it.</summary>
    public async Task<ScriptedDevice> ConnectDeviceAsync(Action<ScriptedDevice>? configure = null)
    {
        DeviceKeyPair keys = Cloud.Registry.CreateDevice();
        var device = new ScriptedDevice(keys, Cloud.Registry.ServerPublicKeyDer, Cloud.DeviceEndPoint);
        configure?.Invoke(device);
        _devices.Add(device);
        await device.ConnectAsync(TimeSpan.FromSeconds(10));
        if (!await Cloud.WaitForDeviceAsync(keys.IdHex, TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException("device did not come online");
        }

        return device;
    }

    public static byte[] RandomImage(int size, int seed)
    {
        var image = new byte[size];
        new Random(seed).NextBytes(image);
        return image;
    }

    public async Task<(int Status, JsonElement Body)> GetAsync(string path, string? token = Token)
    {
        string url = token == null ? path : path + (path.Contains('?') ? "&" : "?") + "access_token=" + token;
        using HttpResponseMessage r = await Http.GetAsync(url);
        return ((int)r.StatusCode, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    public async Task<(int Status, JsonElement Body)> PutFileAsync(string id, byte[] image, string? token = Token, bool fast = false)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "firmware.bin");
        if (fast)
        {
            form.Add(new StringContent("true"), "fast");
        }

        string url = "v1/devices/" + id + (token == null ? "" : "?access_token=" + token);
        using HttpResponseMessage r = await Http.PutAsync(url, form);
        return ((int)r.StatusCode, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>Polls GET /v1/devices/{id} until ota.state is done or failed (bounded).</summary>
    public async Task<JsonElement> WaitForOtaEndAsync(string id, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        while (true)
        {
            var (status, body) = await GetAsync("v1/devices/" + id);
            if (status == 200 && body.TryGetProperty("ota", out JsonElement ota) && ota.ValueKind == JsonValueKind.Object)
            {
                string? state = ota.GetProperty("state").GetString();
                if (state == "done" || state == "failed")
                {
                    return body;
                }
            }

            if (DateTime.UtcNow > end)
            {
                throw new TimeoutException("OTA did not end: " + body);
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ScriptedDevice d in _devices)
        {
            await d.DisposeAsync();
        }

        Http.Dispose();
        await Eventually.Within(Cloud.DisposeAsync().AsTask(), TimeSpan.FromSeconds(60), "the local cloud to stop");
        try
        {
            Directory.Delete(Folder, true);
        }
        catch (IOException)
        {
        }
    }
}
