using System.Net;
using CoreFirmware.Cloud.Images;
using CoreFirmware.SparkCore;
using Microsoft.Extensions.Logging;

namespace CoreFirmware.Cloud;

/// <summary>
/// The whole local cloud in one object: registry, device server and REST API, started together
/// and stopped cleanly (dispose). Typical use (tests, virtual board):
/// <code>
/// await using var cloud = await LocalCloud.StartAsync(new LocalCloudOptions
///     { RegistryFolder = dir, DevicePort = 0, ApiPort = 0 });
/// DeviceKeyPair device = cloud.Registry.CreateDevice();          // id + RSA-1024 pair, registered
/// byte[] serverPublicKey = cloud.Registry.ServerPublicKeyDer;    // what the device needs
/// byte[] imageKey = device.ImagePublicKey;                       // ... and the image key (65-byte point)
/// byte[] image = cloud.SignImage(payload, new ImageVersion(1, 2, 0, 0)); // a signed image for it
/// IPEndPoint ep = cloud.DeviceEndPoint;                          // where the device connects
/// await cloud.WaitForDeviceAsync(device.IdHex, TimeSpan.FromSeconds(10));
/// FlashJob job = cloud.Flash(device.IdHex, image, new FlashOptions { Fast = true }); // flashed as given
/// OtaProgress final = await job.Completion;                       // Done / Failed + Reason
/// </code>
/// REST: <see cref="ApiUrl"/> with <see cref="AccessToken"/>.
/// </summary>
public sealed class LocalCloud : IAsyncDisposable, IDisposable
{
    private readonly IReadOnlyList<string> _extraTokens;
    private int _stopped;

    private LocalCloud(DeviceRegistry registry, CloudSettings settings, DeviceServer devices, CloudApi api, IReadOnlyList<string> extra)
    {
        Registry = registry;
        Settings = settings;
        Devices = devices;
        Api = api;
        _extraTokens = extra;
    }

    /// <summary>The device registry (register devices, read the server public key).</summary>
    public DeviceRegistry Registry { get; }

    /// <summary>The cloud settings (access tokens) read from the registry folder.</summary>
    public CloudSettings Settings { get; }

    /// <summary>The device server.</summary>
    public DeviceServer Devices { get; }

    /// <summary>The users who may log in (spark-cli's cloud login) and the tokens issued to them.</summary>
    public CloudUsers Users => _users ??= CloudUsers.Open(Registry.Folder);

    private CloudUsers? _users;

    /// <summary>The REST API.</summary>
    public CloudApi Api { get; }

    /// <summary>Where devices connect (the real port when 0 was asked).</summary>
    public IPEndPoint DeviceEndPoint => Devices.EndPoint;

    /// <summary>The REST API's base address, e.g. http://127.0.0.1:8080/.</summary>
    public Uri ApiUrl => Api.BaseAddress;

    /// <summary>An accepted access token (the first of cloud.json).</summary>
    public string AccessToken => Settings.AccessTokens[0];

    /// <summary>Opens the registry (creating the server key and cloud.json if missing), starts the device server and the API.</summary>
    public static async Task<LocalCloud> StartAsync(LocalCloudOptions options, CancellationToken ct = default)
    {
        DeviceRegistry registry = DeviceRegistry.Open(options.RegistryFolder);
        registry.EnsureServerKeys();
        registry.EnsureImageKey();
        CloudSettings settings = CloudSettings.LoadOrCreate(registry.SettingsPath);
        ILogger? serverLog = options.LoggerFactory?.CreateLogger("corefw.devices");

        DeviceServerOptions so = options.Server ?? new DeviceServerOptions();
        so.Port = options.DevicePort;
        var devices = new DeviceServer(registry, so, serverLog);
        CloudApiOptions ao = options.Api ?? new CloudApiOptions();
        ao.Port = options.ApiPort;
        var extra = options.ExtraAccessTokens;
        CloudApi? api = null;
        LocalCloud? cloud = null;
        api = new CloudApi(devices, () => cloud!.AcceptedTokens(), ao,
            options.LoggerFactory == null ? null : b => b.AddProvider(new ForwardingProvider(options.LoggerFactory)));
        cloud = new LocalCloud(registry, settings, devices, api, extra);
        api.Users = cloud.Users;
        devices.Start();
        try
        {
            await api.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await devices.StopAsync().ConfigureAwait(false);
            throw;
        }

        return cloud;
    }

    private IReadOnlyCollection<string> AcceptedTokens()
    {
        var tokens = new List<string>(Settings.AccessTokens);
        tokens.AddRange(_extraTokens);
        tokens.AddRange(Users.Tokens);
        return tokens;
    }

    /// <summary>The image public key devices of this cloud are provisioned with (65-byte P-256 point).</summary>
    public byte[] ImagePublicKey => Registry.ImagePublicKeyPoint;

    /// <summary>
    /// Signs <paramref name="payload"/> with this cloud's image key into a whole signed image
    /// (header + payload + trailer) for <paramref name="boardId"/> (default the Spark Core).
    /// </summary>
    public byte[] SignImage(byte[] payload, ImageVersion version, uint boardId = SparkCoreBoard.ImageBoardId, uint flags = 0) =>
        Registry.SignImage(payload, version, boardId, flags);

    /// <summary>Starts flashing an online device (see <see cref="DeviceServer.StartFlash"/>); the image goes as given (it must be signed).</summary>
    public FlashJob Flash(string deviceId, byte[] image, FlashOptions? options = null) => Devices.StartFlash(deviceId, image, options);

    /// <summary>Asks an online device to reboot into safe mode (see <see cref="DeviceServer.RequestSafeModeAsync"/>).</summary>
    public Task<SafeModeResult> RequestSafeModeAsync(string deviceId, TimeSpan? timeout = null, CancellationToken ct = default) =>
        Devices.RequestSafeModeAsync(deviceId, timeout, ct);

    /// <summary>Progress of the device's latest flash, null if none.</summary>
    public OtaProgress? GetProgress(string deviceId) => Devices.GetFlash(DeviceIds.Normalize(deviceId) ?? deviceId)?.Progress;

    /// <summary>Waits until the device is online; false on timeout.</summary>
    public async Task<bool> WaitForDeviceAsync(string deviceId, TimeSpan timeout, CancellationToken ct = default)
    {
        string id = DeviceIds.Normalize(deviceId) ?? deviceId;
        var online = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(string d)
        {
            if (d == id)
            {
                online.TrySetResult();
            }
        }

        Devices.DeviceOnline += Handler;
        try
        {
            if (Devices.IsOnline(id))
            {
                return true;
            }

            Task done = await Task.WhenAny(online.Task, Task.Delay(timeout, ct)).ConfigureAwait(false);
            return done == online.Task || Devices.IsOnline(id);
        }
        finally
        {
            Devices.DeviceOnline -= Handler;
        }
    }

    /// <summary>Stops the API and the device server (idempotent).</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await Api.StopAsync().ConfigureAwait(false);
        await Devices.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    /// <summary>Hands ASP.NET Core's log lines to the caller's factory.</summary>
    private sealed class ForwardingProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }
}
