using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace CoreFirmware.Cloud.Cli;

/// <summary>
/// The corefw command tree. Commands: <c>serve</c>, <c>keys server</c>, <c>keys device &lt;id&gt;</c>,
/// <c>list</c>, <c>flash &lt;id&gt; &lt;file&gt; [--fast]</c>, <c>safe-mode &lt;id&gt;</c>, <c>image keygen|sign|verify|inspect</c> (ImageCommands). New command groups (e.g. <c>image</c>)
/// are added in <see cref="Build"/> next to the others. <see cref="RunAsync"/> is what Main calls
/// and what tests call in-process with their own console and environment.
/// </summary>
internal static class CorefwCli
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;

    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, CliEnvironment env, CancellationToken ct = default)
    {
        RootCommand root = Build(console, env);
        var config = new InvocationConfiguration();
        if (env.Output != null)
        {
            config.Output = env.Output;
            config.Error = env.Output;
        }

        return await root.Parse(args).InvokeAsync(config, ct);
    }

    private static RootCommand Build(IAnsiConsole console, CliEnvironment env)
    {
        var apiUrl = new Option<string?>("--api-url") { Description = $"Cloud REST API (default: config file, {ClientSettings.EnvApiUrl}, {ClientSettings.DefaultApiUrl})", Recursive = true };
        var token = new Option<string?>("--token") { Description = $"Access token (default: config file access_token, {ClientSettings.EnvToken})", Recursive = true };
        var configFile = new Option<string?>("--config") { Description = "Client settings file (default ~/.corefw/corefw.config.json)", Recursive = true };
        var registry = new Option<string?>("--registry") { Description = "Registry folder (default ~/.corefw/cloud)", Recursive = true };

        var root = new RootCommand("corefw: the CoreFirmware local cloud and its client (Spark-CLI-compatible cloud flash)");
        root.Options.Add(apiUrl);
        root.Options.Add(token);
        root.Options.Add(configFile);
        root.Options.Add(registry);

        string RegistryFolder(ParseResult p) => p.GetValue(registry) ?? Path.Combine(env.HomeDirectory, ".corefw", "cloud");
        ClientSettings Settings(ParseResult p) => ClientSettings.Load(env, p.GetValue(configFile), p.GetValue(apiUrl), p.GetValue(token));

        // ---- serve
        var devicePort = new Option<int>("--device-port") { Description = "Device (protocol) port", DefaultValueFactory = _ => Ota.Protocol.SparkProtocol.Port };
        var apiPort = new Option<int>("--api-port") { Description = "REST API port", DefaultValueFactory = _ => CloudApiOptions.DefaultPort };
        var serve = new Command("serve", "Run the local cloud (device server + REST API) until Ctrl+C");
        serve.Options.Add(devicePort);
        serve.Options.Add(apiPort);
        serve.SetAction((p, ct) => Guard(console, () => ServeAsync(console, env, RegistryFolder(p), p.GetValue(devicePort), p.GetValue(apiPort),
            p.GetValue(configFile), ct)));
        root.Subcommands.Add(serve);

        // ---- keys
        var keys = new Command("keys", "Create keys and register devices");
        var force = new Option<bool>("--force") { Description = "Replace an existing server key (devices then need the new public key)" };
        var keysServer = new Command("server", "Create the cloud's RSA-2048 server key pair");
        keysServer.Options.Add(force);
        keysServer.SetAction((p, ct) => Guard(console, () => Task.FromResult(KeysServer(console, RegistryFolder(p), p.GetValue(force)))));
        var deviceId = new Argument<string>("id") { Description = "Device id: 24 hex digits (the STM32 unique id)" };
        var deviceName = new Option<string?>("--name") { Description = "A name for the device" };
        var keysDevice = new Command("device", "Create an RSA-1024 key pair for a device and register it");
        keysDevice.Arguments.Add(deviceId);
        keysDevice.Options.Add(deviceName);
        keysDevice.SetAction((p, ct) => Guard(console, () => Task.FromResult(KeysDevice(console, RegistryFolder(p), p.GetValue(deviceId)!, p.GetValue(deviceName)))));
        keys.Subcommands.Add(keysServer);
        keys.Subcommands.Add(keysDevice);
        root.Subcommands.Add(keys);

        // ---- list
        var list = new Command("list", "List the registered devices (GET /v1/devices)");
        list.SetAction((p, ct) => Guard(console, () => ListAsync(console, Settings(p), ct)));
        root.Subcommands.Add(list);

        // ---- flash
        var flashId = new Argument<string>("id") { Description = "Device id or name" };
        var flashFile = new Argument<string>("file") { Description = "Image file" };
        var fast = new Option<bool>("--fast") { Description = "Fast OTA (stream chunks, resend missed ones)" };
        var chunkSize = new Option<int?>("--chunk-size") { Description = FlashOptions.ChunkSizeRange.Replace("chunk_size must be", "Chunk size:") };
        var timeout = new Option<int>("--timeout") { Description = "Give up waiting after this many seconds", DefaultValueFactory = _ => 900 };
        var flash = new Command("flash", "Flash an image over the air (PUT /v1/devices/{id}) and follow its progress");
        flash.Arguments.Add(flashId);
        flash.Arguments.Add(flashFile);
        flash.Options.Add(fast);
        flash.Options.Add(chunkSize);
        flash.Options.Add(timeout);
        flash.SetAction((p, ct) => Guard(console, () => FlashAsync(console, env, Settings(p), p.GetValue(flashId)!, p.GetValue(flashFile)!,
            p.GetValue(fast), p.GetValue(chunkSize), TimeSpan.FromSeconds(p.GetValue(timeout)), ct)));
        root.Subcommands.Add(flash);

        // ---- safe-mode
        var safeId = new Argument<string>("device") { Description = "Device id or name" };
        var safeMode = new Command("safe-mode", "Reboot a device into safe mode: no user app, cloud and OTA only, for one boot (POST /v1/devices/{id}/safe-mode)");
        safeMode.Arguments.Add(safeId);
        safeMode.SetAction((p, ct) => Guard(console, () => SafeModeAsync(console, Settings(p), p.GetValue(safeId)!, ct)));
        root.Subcommands.Add(safeMode);

        // ---- image
        root.Subcommands.Add(ImageCommands.Build(console, Guard, RegistryFolder));
        return root;
    }

    private static async Task<int> Guard(IAnsiConsole console, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CliException e)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return ExitFailed;
        }
        catch (Exception e) when (e is IOException || e is InvalidOperationException || e is ArgumentException
            || e is UnauthorizedAccessException || e is JsonException || e is System.Net.Sockets.SocketException)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return ExitFailed;
        }
    }

    // ------------------------------------------------------------------ serve

    private static async Task<int> ServeAsync(IAnsiConsole console, CliEnvironment env, string folder, int devicePort, int apiPort,
        string? configOption, CancellationToken ct)
    {
        await using LocalCloud cloud = await LocalCloud.StartAsync(new LocalCloudOptions
        {
            RegistryFolder = folder,
            DevicePort = devicePort,
            ApiPort = apiPort,
            LoggerFactory = new ConsoleLoggerFactory(console),
        }, ct);
        string url = cloud.ApiUrl.ToString().TrimEnd('/');
        console.MarkupLineInterpolated($"registry     {cloud.Registry.Folder}");
        console.MarkupLineInterpolated($"devices on   {cloud.DeviceEndPoint}");
        console.MarkupLineInterpolated($"REST API on  {url}");
        console.MarkupLineInterpolated($"access token {cloud.AccessToken}");
        string config = configOption ?? ClientSettings.DefaultConfigPath(env);
        if (!File.Exists(config))
        {
            ClientSettings.Save(config, url, cloud.AccessToken);
            console.MarkupLineInterpolated($"wrote apiUrl and access_token to {config}");
        }

        console.MarkupLine("[green]cloud running[/] - Ctrl+C to stop");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }

        console.MarkupLine("stopping");
        return ExitOk;
    }

    // ------------------------------------------------------------------ keys

    private static int KeysServer(IAnsiConsole console, string folder, bool force)
    {
        DeviceRegistry registry = DeviceRegistry.Open(folder);
        if (registry.HasServerKeys && !force)
        {
            console.MarkupLineInterpolated($"server key already exists in {registry.Folder} (use --force to replace it)");
            return ExitOk;
        }

        registry.CreateServerKeys();
        console.MarkupLineInterpolated($"[green]created[/] server key pair in {registry.Folder} (server_key.der, server_key.pub.der)");
        return ExitOk;
    }

    private static int KeysDevice(IAnsiConsole console, string folder, string id, string? name)
    {
        if (!DeviceIds.TryParse(id, out byte[] bytes))
        {
            throw new CliException($"'{id}' is not a device id (24 hex digits).");
        }

        DeviceRegistry registry = DeviceRegistry.Open(folder);
        registry.EnsureServerKeys();
        DeviceKeyPair pair = registry.CreateDevice(bytes, name);
        console.MarkupLineInterpolated($"[green]registered[/] device {pair.IdHex}{(name == null ? "" : " (" + name + ")")}");
        console.MarkupLineInterpolated($"  private key  {Path.Combine(registry.DevicesPath, pair.IdHex + ".key.der")}");
        console.MarkupLineInterpolated($"  public key   {Path.Combine(registry.DevicesPath, pair.IdHex + ".pub.der")}");
        console.MarkupLineInterpolated($"  server key   {Path.Combine(registry.Folder, "server_key.pub.der")}");
        console.MarkupLineInterpolated($"  image key    {Path.Combine(registry.Folder, DeviceRegistry.ImageKeyBaseName + ".pub.bin")} (65-byte point: images are signed with {registry.ImageKeyPath})");
        return ExitOk;
    }

    // ------------------------------------------------------------------ list

    private static async Task<int> ListAsync(IAnsiConsole console, ClientSettings settings, CancellationToken ct)
    {
        using var client = new CloudClient(settings);
        JsonElement devices = await client.GetAsync("v1/devices", null, ct);
        var table = new Table().AddColumns("id", "name", "connected", "last heard");
        foreach (JsonElement d in devices.EnumerateArray())
        {
            table.AddRow(
                Markup.Escape(Str(d, "id") ?? ""),
                Markup.Escape(Str(d, "name") ?? ""),
                d.TryGetProperty("connected", out JsonElement c) && c.ValueKind == JsonValueKind.True ? "[green]online[/]" : "offline",
                Markup.Escape(Str(d, "last_heard") ?? "never"));
        }

        console.Write(table);
        return ExitOk;
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    // ------------------------------------------------------------------ safe-mode

    private static async Task<int> SafeModeAsync(IAnsiConsole console, ClientSettings settings, string id, CancellationToken ct)
    {
        using var client = new CloudClient(settings);
        JsonElement r = await client.PostAsync("v1/devices/" + Uri.EscapeDataString(id) + "/safe-mode", id, ct);
        string deviceId = Str(r, "id") ?? id;
        if (r.ValueKind == JsonValueKind.Object && r.TryGetProperty("ok", out JsonElement ok) && ok.ValueKind == JsonValueKind.True)
        {
            console.MarkupLineInterpolated($"[green]{deviceId}[/]: {Str(r, "status") ?? "safe mode requested"}");
            return ExitOk;
        }

        throw new CliException($"Safe mode request for {deviceId} failed: {Str(r, "error") ?? r.ToString()}");
    }

    // ------------------------------------------------------------------ flash

    private static async Task<int> FlashAsync(IAnsiConsole console, CliEnvironment env, ClientSettings settings, string id, string file,
        bool fast, int? chunkSize, TimeSpan timeout, CancellationToken ct)
    {
        if (!File.Exists(file))
        {
            throw new CliException($"No such file: {file}");
        }

        using var client = new CloudClient(settings);
        console.MarkupLineInterpolated($"flashing {file} to {id}{(fast ? " (fast OTA)" : "")} via {settings.ApiUrl}");
        JsonElement started = await client.PutFileAsync(id, file, fast, chunkSize, ct);
        if (started.ValueKind == JsonValueKind.Object && started.TryGetProperty("ok", out JsonElement ok) && ok.ValueKind == JsonValueKind.False)
        {
            string reason = "unknown";
            if (started.TryGetProperty("errors", out JsonElement errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                JsonElement first = errors[0];
                reason = Str(first, "status") ?? Str(first, "error") ?? first.ToString();
            }

            throw new CliException("Flash failed: " + reason);
        }

        string deviceId = Str(started, "id") ?? id;
        console.MarkupLineInterpolated($"{Str(started, "status") ?? "started"}");

        JsonElement last = default;
        string state = "starting";
        DateTime end = DateTime.UtcNow + timeout;

        // One poll of GET /v1/devices/{id}: returns (state, sent, total) and keeps the body.
        async Task<(string State, double Sent, double Total)> PollAsync()
        {
            last = await client.GetAsync("v1/devices/" + Uri.EscapeDataString(deviceId), deviceId, ct);
            if (last.TryGetProperty("ota", out JsonElement ota) && ota.ValueKind == JsonValueKind.Object)
            {
                state = Str(ota, "state") ?? state;
                return (state, ota.GetProperty("bytes_sent").GetDouble(), ota.GetProperty("total_bytes").GetDouble());
            }

            return (state, 0, 1);
        }

        void CheckDeadline()
        {
            if (DateTime.UtcNow > end)
            {
                throw new CliException($"Gave up waiting after {timeout.TotalSeconds:0} s (last state: {state}).");
            }
        }

        if (console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
        {
            await console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn())
                .StartAsync(async ctx =>
                {
                    ProgressTask task = ctx.AddTask($"OTA {deviceId}", maxValue: 1);
                    while (true)
                    {
                        var (s, sent, total) = await PollAsync();
                        task.MaxValue = Math.Max(1, total);
                        task.Value = s == "done" ? task.MaxValue : sent;
                        task.Description = $"OTA {deviceId} {s}";
                        if (s is "done" or "failed")
                        {
                            task.StopTask();
                            return;
                        }

                        CheckDeadline();
                        await Task.Delay(env.PollInterval, ct);
                    }
                });
        }
        else
        {
            // Not a terminal (pipes, logs, tests): one plain line per state change or 10 % step.
            string printed = "";
            while (true)
            {
                var (s, sent, total) = await PollAsync();
                if (s == "done")
                {
                    sent = total;
                }

                int percent = (int)(100 * sent / Math.Max(1, total));
                string line = $"OTA {deviceId} {s} {sent:0}/{total:0} bytes ({percent / 10 * 10}%)";
                if (line != printed)
                {
                    console.WriteLine($"OTA {deviceId} {s} {sent:0}/{total:0} bytes ({percent}%)");
                    printed = line;
                }

                if (s is "done" or "failed")
                {
                    break;
                }

                CheckDeadline();
                await Task.Delay(env.PollInterval, ct);
            }
        }

        JsonElement final = last.GetProperty("ota");
        string? deviceMessage = Str(last, "last_device_message");
        if (state == "done")
        {
            console.MarkupLineInterpolated($"[green]Flash succeeded[/]: {final.GetProperty("total_bytes").GetInt64()} bytes, {final.GetProperty("resends").GetInt32()} chunk(s) resent; device says: {deviceMessage ?? Str(final, "reason") ?? "ok"}");
            return ExitOk;
        }

        console.MarkupLineInterpolated($"[red]Flash failed[/]: {Str(final, "reason") ?? "unknown"}{(deviceMessage == null ? "" : " (device: " + deviceMessage + ")")}");
        return ExitFailed;
    }
}
