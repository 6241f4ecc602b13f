using System.Diagnostics;
using System.Text.Json;
using CoreFirmware.Application.App;
using CoreFirmware.Cloud;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Ota.Protocol;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.SparkCore;
using CoreFirmware.Tests.Cloud;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual;
using CoreFirmware.Virtual.Runner;
using CoreFirmware.Virtual.Sst25;
using CoreFirmware.Virtual.Ticker;
using Xunit;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>One OTA through the REST API, as measured.</summary>
internal sealed record OtaRun(int Size, bool Fast, string State, string? Reason, string? DeviceMessage, TimeSpan Elapsed);

/// <summary>
/// The whole system on one host: the local cloud (device server + REST API, ephemeral ports), the
/// ticker server, a virtual board (Fast flash timing unless asked) and the <see cref="VirtualCore"/>
/// running the firmware with the given app, provisioned with keys the cloud registered.
/// </summary>
internal sealed class EndToEndRig : IAsyncDisposable
{
    public const uint Loopback = 0x7F000001;
    public const string TickerHost = "ticker.local";
    public const string TickerPath = "/v2/ticker/btcusd";

    private EndToEndRig(CloudTestHost cloud, VirtualBoard board, VirtualCore core, DeviceKeyPair keys)
    {
        Cloud = cloud;
        Board = board;
        Core = core;
        Keys = keys;
    }

    public CloudTestHost Cloud { get; }
    public TickerServer Ticker { get; } = new();
    public VirtualBoard Board { get; }
    public VirtualCore Core { get; }
    public DeviceKeyPair Keys { get; }
    public string Id => Keys.IdHex;
    public CoreFirmware.Drivers.Flash.FlashRegion Staging { get; } = SparkCoreFlashLayout.Create().Staging;

    /// <summary>
    /// Builds everything and boots the core; returns once the device is online. The board is
    /// manufactured with the ticker app (signed, version <paramref name="activeVersion"/> or 1.0.0)
    /// in its factory slot, which the first boot installs. With <paramref name="appFactory"/> that app
    /// object runs instead of the slot's (the bootloader still runs); null runs the slot's app, which
    /// reaches the ticker server as ticker.local:80 through the module's port forwarding.
    /// </summary>
    public static async Task<EndToEndRig> StartAsync(Func<EndToEndRig, IUserApp>? appFactory, VirtualCoreOptions? coreOptions = null,
        Func<FlashOptions>? flash = null, Sst25TimingProfile? flashTiming = null, bool bypassArbiter = false,
        byte[]? serverPublicKeyDer = null, bool waitForCloud = true, byte[]? imagePublicKey = null, uint activeVersion = 0,
        bool factoryImage = true)
    {
        CloudTestHost cloud = await CloudTestHost.StartAsync(flash: flash ?? CloudTestHost.FastTimeouts);
        DeviceKeyPair keys = cloud.Cloud.Registry.CreateDevice(name: "e2e-core");
        var board = new VirtualBoard(new VirtualBoardOptions { FlashTiming = flashTiming ?? Sst25TimingProfile.Fast, BypassArbiter = bypassArbiter });
        var core = new VirtualCore(board, coreOptions);
        var rig = new EndToEndRig(cloud, board, core, keys);
        core.Provision(new DeviceKeys(keys.Id, keys.PrivateKeyDer, keys.PublicKeyDer, serverPublicKeyDer ?? cloud.Cloud.Registry.ServerPublicKeyDer,
            imagePublicKey ?? keys.ImagePublicKey!),
            !factoryImage ? null
            : rig.TickerImage(activeVersion == 0 ? new ImageVersion(1, 0, 0, 0)
                : new ImageVersion((int)(activeVersion >> 24), (int)(activeVersion >> 16) & 0xFF, (int)(activeVersion & 0xFFFF), 0)));

        board.Cc3000.Model.SetHost(TickerHost, Loopback);
        board.Cc3000.Model.ForwardPort(Loopback, 80, rig.Ticker.Port);
        if (appFactory == null) core.Start(cloud.Cloud.DeviceEndPoint);
        else core.Start(() => appFactory(rig), cloud.Cloud.DeviceEndPoint);
        if (waitForCloud) rig.WaitForCloudLink(20_000);
        return rig;
    }

    /// <summary>Waits (bounded) until this boot's cloud link is connected and the cloud sees the device.</summary>
    public void WaitForCloudLink(int timeoutMs)
    {
        WaitUntil(() => Core.Runtime?.Cloud?.IsConnected == true && Cloud.Cloud.Devices.IsOnline(Id),
            () => $"the device online (boots {Core.Boots}, boot failures {Core.BootFailures}: {Core.LastBootError})", timeoutMs);
    }

    /// <summary>PUTs <paramref name="image"/> through the REST API and polls GET until done/failed (bounded).</summary>
    public async Task<OtaRun> FlashAsync(byte[] image, bool fast, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        var (status, put) = await Cloud.PutFileAsync(Id, image, fast: fast);
        Assert.Equal(200, status);
        if (!put.TryGetProperty("status", out JsonElement started) || started.GetString() != "Update started")
        {
            return new OtaRun(image.Length, fast, "refused", put.ToString(), null, sw.Elapsed);
        }

        JsonElement body = await Cloud.WaitForOtaEndAsync(Id, timeout);
        sw.Stop();
        JsonElement ota = body.GetProperty("ota");
        string? reason = ota.TryGetProperty("reason", out JsonElement r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        string? message = body.TryGetProperty("last_device_message", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return new OtaRun(image.Length, fast, ota.GetProperty("state").GetString()!, reason, message, sw.Elapsed);
    }

    /// <summary>
    /// The device's "pending"/"aborted" event reaches the cloud just after its 2.04 to UpdateDone (which is
    /// what ends the flash job), so GET may show the previous message for a moment: poll (bounded)
    /// until last_device_message is <paramref name="expected"/>; returns the last one seen.
    /// </summary>
    public async Task<string?> WaitForDeviceMessageAsync(string expected, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        string? message = null;
        while (true)
        {
            var (status, body) = await Cloud.GetAsync("v1/devices/" + Id);
            if (status == 200 && body.TryGetProperty("last_device_message", out JsonElement m) && m.ValueKind == JsonValueKind.String)
            {
                message = m.GetString();
            }

            if (message == expected || DateTime.UtcNow > end) return message;
            await Task.Delay(20);
        }
    }

    public byte[] PeekStaging(int count)
    {
        var b = new byte[count];
        Board.FlashModel.Peek(Staging.Start, b);
        return b;
    }

    /// <summary>
    /// A signed image of exactly <paramref name="totalSize"/> bytes (header + random payload + the
    /// standard trailer) signed with the cloud's image key for the Spark Core, version 1.0.0 unless given.
    /// </summary>
    public byte[] SignedImage(int totalSize, int seed, ImageVersion? version = null, uint boardId = SparkCoreBoard.ImageBoardId) =>
        Cloud.Cloud.SignImage(Payload(totalSize, seed), version ?? new ImageVersion(1, 0, 0, 0), boardId);

    /// <summary>A random payload that signs into an image of <paramref name="totalSize"/> bytes.</summary>
    /// <summary>
    /// After the reboot an OTA asked for: the bootloader of the new boot installed
    /// <paramref name="image"/> (the application slot holds it byte for byte) and runs it in test mode.
    /// </summary>
    public void AssertInstalled(byte[] image, string what, bool testBoot = true)
    {
        BootDecision? d = Core.LastBootDecision;
        Assert.True(d != null && d.Installs == 1 && d.TestBoot == testBoot, $"{what}: boot decision '{d?.Reason}' (installs {d?.Installs}, test {d?.TestBoot})");
        var slot = new byte[image.Length];
        Board.InternalFlash.Peek(0, slot);
        Assert.True(image.AsSpan().SequenceEqual(slot), what + ": the application slot does not hold the flashed image");
    }

    /// <summary>The ticker app's assembly signed with the cloud's image key (what the factory slot holds and what OTAs carry).</summary>
    public byte[] TickerImage(ImageVersion version, uint flags = 0) =>
        Cloud.Cloud.SignImage(File.ReadAllBytes(typeof(CoreFirmware.Application.Samples.BitcoinTicker.BitcoinTickerApp).Assembly.Location), version, SparkCoreBoard.ImageBoardId, flags);

    /// <summary>A test app's assembly (Tests/Apps) signed with the cloud's image key.</summary>
    public byte[] TestAppImage(string name, ImageVersion version, uint flags = 0) =>
        Cloud.Cloud.SignImage(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, $"CoreFirmware.TestApps.{name}.dll")), version, SparkCoreBoard.ImageBoardId, flags);

    public static byte[] Payload(int totalSize, int seed)
    {
        var payload = new byte[totalSize - ImageFormat.HeaderSize - ImageFormat.StandardTrailerSize];
        new Random(seed).NextBytes(payload);
        return payload;
    }

    public static string PendingMessage(byte[] image) => $"pending {image.Length} {Crc32.Compute(image, 0, image.Length):x8}";

    /// <summary>What the device says once the image is installed by the next boot's bootloader.</summary>
    public static string InstalledMessage(byte[] image) => $"installed {image.Length} {Crc32.Compute(image, 0, image.Length):x8}";

    /// <summary>
    /// Waits (bounded) until the device's last message says it took <paramref name="image"/>: "pending"
    /// (sent just before the reboot; it may die with that boot's socket) or "installed" (sent by the next
    /// boot). Returns the message seen last.
    /// </summary>
    public async Task<string?> WaitForAcceptedAsync(byte[] image, TimeSpan timeout)
    {
        DateTime end = DateTime.UtcNow + timeout;
        string pending = PendingMessage(image), installed = InstalledMessage(image);
        while (true)
        {
            string? said = await WaitForDeviceMessageAsync(installed, TimeSpan.FromMilliseconds(200));
            if (said == pending || said == installed || DateTime.UtcNow > end) return said;
        }
    }

    /// <summary>True when <paramref name="said"/> is the device's pending or installed message for <paramref name="image"/>.</summary>
    public static bool Accepted(byte[] image, string? said) => said == PendingMessage(image) || said == InstalledMessage(image);

    /// <summary>
    /// Waits (bounded) until the RGB LED's last <paramref name="window"/> reads as <paramref name="pattern"/>
    /// ("breathing cyan"); returns what it read. Polls instead of sleeping one window: on a loaded machine
    /// the LED thread may need longer to show a whole pattern.
    /// </summary>
    public string WaitForLedPattern(string pattern, TimeSpan window, int timeoutMs = 20_000)
    {
        string seen = "";
        Eventually.Until(() => (seen = Board.RgbLed.DescribePattern(window)) == pattern, TimeSpan.FromMilliseconds(timeoutMs),
            () => $"the LED to show '{pattern}' over {window.TotalSeconds:0.#} s (last seen '{seen}')");
        return seen;
    }

    public static void WaitUntil(Func<bool> condition, Func<string> what, int timeoutMs) =>
        Eventually.Until(condition, TimeSpan.FromMilliseconds(timeoutMs), what);

    public static double TicksToMs(long ticks) => ticks / (double)TimeSpan.TicksPerMillisecond;

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToArray();
        int i = (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(i, 0, sorted.Length - 1)];
    }

    public async ValueTask DisposeAsync()
    {
        bool stopped = Core.Stop(20_000);
        await Eventually.Within(Cloud.DisposeAsync().AsTask(), TimeSpan.FromSeconds(60), "the local cloud to stop");
        Ticker.Dispose();
        if (stopped) Board.Dispose();
        Assert.True(stopped, "the virtual core did not stop");
        Board.Faults.AssertNone("virtual board");
        Ticker.Faults.AssertNone("ticker server");
    }
}
