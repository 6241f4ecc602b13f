using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoreFirmware.Cloud;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Scenario;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.Cloud;

/// <summary>
/// The real spark-cli 0.3.0, installed from the npm registry into a temporary folder
/// (<c>npm install --ignore-scripts spark-cli@0.3.0</c>), runs every cloud command it has, unchanged,
/// against a local cloud with a virtual Core running the ticker app: login, list, claim, name, remove,
/// flash (good, unsigned, bad hash, downgrade, offline), variable list/get/monitor, function
/// list/call, subscribe, keys send, compile. Each command is bounded; monitor and subscribe are
/// stopped after a few seconds. The rows it checks are Cloud/README.md's table. Skipped only when
/// node or npm is missing.
/// </summary>
[Collection(IsolatedCollection.Name)]
public sealed class SparkCliConformanceTests(ITestOutputHelper output)
{
    private const string User = "owner@corefw.local";
    private const string Password = "core-owner-password";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly List<string> _table = new();

    [NodeFact(Timeout = 600_000)]
    public async Task EveryCloudCommandOfSparkCli030WorksAgainstTheLocalCloud()
    {
        string root = Path.Combine(Path.GetTempPath(), "corefw-sparkcli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            await RunAsync(root);
        }
        finally
        {
            output.WriteLine("| command | expected | result |");
            output.WriteLine("| --- | --- | --- |");
            foreach (string row in _table)
            {
                output.WriteLine(row);
            }

            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private async Task RunAsync(string root)
    {
        // spark-cli from the npm registry, scripts off (its serialport dependency would build native code).
        string npmHome = Path.Combine(root, "npm");
        Directory.CreateDirectory(npmHome);
        var install = await ProcessAsync("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", npmHome, "spark-cli@0.3.0"],
            root, null, null, TimeSpan.FromMinutes(4));
        Assert.True(install.Exit == 0, "npm install spark-cli@0.3.0 failed:\n" + install.Output);
        string spark = Path.Combine(npmHome, "node_modules", "spark-cli", "bin", "spark.js");
        Assert.True(File.Exists(spark), spark);

        await using ScenarioRunner core = await ScenarioRunner.StartAsync(new ScenarioOptions { AutoConfirmMilliseconds = 2000 });
        LocalCloud cloud = core.Cloud;
        cloud.Users.Add(User, Password);
        string id = core.DeviceId;
        DeviceKeyPair offline = cloud.Registry.CreateDevice(name: "offline-core");
        string api = cloud.ApiUrl.ToString().TrimEnd('/');
        using var http = new HttpClient { BaseAddress = cloud.ApiUrl, Timeout = TimeSpan.FromSeconds(30) };

        // spark-cli's settings file: HOME is the test's own folder.
        string home = Path.Combine(root, "home");
        string config = Path.Combine(home, ".spark", "spark.config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, JsonSerializer.Serialize(new { apiUrl = api, access_token = "not-logged-in-yet" }));

        Task<(int Exit, string Output)> Spark(string? stdin, params string[] args) =>
            ProcessAsync("node", [spark, .. args], root, home, stdin, CommandTimeout);

        // login: prompts on a terminal (the password in raw mode), so it runs under script(1)'s pty.
        var login = await LoginAsync(spark, root, home);
        string token = JsonNode.Parse(File.ReadAllText(config))!["access_token"]!.GetValue<string>();
        Row("spark cloud login", "Got an access token!, saved to spark.config.json", login, login.Output.Contains("Got an access token!") && token != "not-logged-in-yet");

        var list = await Spark(null, "cloud", "list");
        Row("spark cloud list", $"virtual-core ({id}) is online; offline-core is offline", list,
            list.Output.Contains($"virtual-core ({id}) is online") && list.Output.Contains($"offline-core ({offline.IdHex}) is offline"));

        var claim = await Spark(null, "cloud", "claim", id);
        Row("spark cloud claim ID", "Successfully claimed core ID", claim, claim.Output.Contains("Successfully claimed core " + id));
        var claimUnknown = await Spark(null, "cloud", "claim", "0123456789abcdef01234567");
        Row("spark cloud claim UNKNOWN", "Failed to claim core, server said [...not registered...]", claimUnknown,
            claimUnknown.Output.Contains("Failed to claim core") && claimUnknown.Output.Contains("not registered"));

        var name = await Spark(null, "cloud", "name", id, "ticker-core");
        Row("spark cloud name ID ticker-core", "Successfully renamed core ID to: ticker-core", name, name.Output.Contains("Successfully renamed core " + id + " to: ticker-core"));

        // Variables and functions of the ticker app (its Loop must have run once for a price).
        await Eventually.UntilAsync(() => (core.App?.Completed ?? 0) > 0, TimeSpan.FromSeconds(30), () => "the ticker app to fetch a price");
        var varList = await Spark(null, "variable", "list");
        Row("spark variable list", "price (string), requests (int32), failures (int32)", varList,
            varList.Output.Contains("price (string)") && varList.Output.Contains("requests (int32)"));
        var varGet = await Spark(null, "variable", "get", id, "price");
        string priceLine = varGet.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        Row("spark variable get ID price", "the last price, e.g. 443.69", varGet, double.TryParse(priceLine, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _));
        var requests = await Spark(null, "variable", "get", "ticker-core", "requests");
        Row("spark variable get NAME requests", "an int (requests made)", requests,
            int.TryParse(requests.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(), out _));
        var monitor = await ProcessAsync("node", [spark, "variable", "monitor", id, "requests", "600"], root, home, null, TimeSpan.FromSeconds(5), killAtTimeout: true);
        int monitorValues = monitor.Output.Split('\n', StringSplitOptions.TrimEntries).Count(l => int.TryParse(l, out _));
        Row("spark variable monitor ID requests 600 (stopped after 5 s)", "one value per 0.6 s", monitor, monitorValues >= 2);

        var fnList = await Spark(null, "function", "list");
        Row("spark function list", "int interval(String args)", fnList, fnList.Output.Contains("int interval(String args)"));
        var fnCall = await Spark(null, "function", "call", id, "interval", "250");
        Row("spark function call ID interval 250", "250 (the app now polls every 250 ms)", fnCall, LastLine(fnCall) == "250");
        var fnBad = await Spark(null, "function", "call", id, "interval", "soon");
        Row("spark function call ID interval soon", "-1 (the app's answer to a bad argument)", fnBad, LastLine(fnBad) == "-1");
        var fnUnknown = await Spark(null, "function", "call", id, "reboot", "now");
        Row("spark function call ID reboot", "Function call failed  Function not found", fnUnknown, fnUnknown.Output.Contains("Function not found"));
        var fnOffline = await Spark(null, "function", "call", offline.IdHex, "interval", "1");
        Row("spark function call OFFLINE interval 1", "Function call failed  Device is not connected ...", fnOffline, fnOffline.Output.Contains("Device is not connected"));

        // subscribe: the ticker publishes btc-price at most every 2 s.
        var subscribe = await ProcessAsync("node", [spark, "subscribe", "btc-price", id], root, home, null, TimeSpan.FromSeconds(8), killAtTimeout: true);
        Row("spark subscribe btc-price ID (stopped after 8 s)", "{\"name\":\"btc-price\",\"data\":\"<price>\",...,\"coreid\":\"ID\"}", subscribe,
            subscribe.Output.Contains("\"name\":\"btc-price\"") && subscribe.Output.Contains("\"coreid\":\"" + id + "\""));
        var firehose = ProcessAsync("node", [spark, "subscribe"], root, home, null, TimeSpan.FromSeconds(6), killAtTimeout: true);
        await Task.Delay(2000);
        using (HttpResponseMessage published = await http.PostAsync("v1/devices/events?access_token=" + token,
                   new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "hello", ["data"] = "from the API" })))
        {
            Assert.Equal(200, (int)published.StatusCode);
        }

        var fire = await firehose;
        Row("spark subscribe (all events; one published with POST /v1/devices/events)", "{\"name\":\"hello\",\"data\":\"from the API\",...}", fire,
            fire.Output.Contains("\"name\":\"hello\"") && fire.Output.Contains("from the API"));

        // keys send: the device's own public key (so its link keeps working), as PEM.
        string pem = Path.Combine(root, id + ".pub.pem");
        using (var rsa = System.Security.Cryptography.RSA.Create())
        {
            rsa.ImportSubjectPublicKeyInfo(File.ReadAllBytes(Path.Combine(cloud.Registry.DevicesPath, id + ".pub.der")), out _);
            File.WriteAllText(pem, rsa.ExportSubjectPublicKeyInfoPem());
        }

        var keys = await Spark(null, "keys", "send", id, pem);
        Row("spark keys send ID ID.pub.pem", "submitting public key succeeded!", keys, keys.Output.Contains("submitting public key succeeded!"));

        string source = Path.Combine(root, "app.ino");
        File.WriteAllText(source, "void setup() {}\nvoid loop() {}\n");
        var compile = await Spark(null, "cloud", "compile", source);
        Row("spark cloud compile app.ino", "Errors / This local cloud cannot compile ... / Compile failed", compile,
            compile.Output.Contains("cannot compile") && compile.Output.Contains("Compile failed"));

        // flash: refusals print the device's reason.
        string unsigned = Path.Combine(root, "unsigned.bin");
        File.Copy(ScenarioImages.PayloadPath, unsigned);
        var flashUnsigned = await Spark(null, "cloud", "flash", id, unsigned);
        Row("spark cloud flash ID unsigned.bin", "flash core said {\"ok\":false,...\"Update failed - device rejected the image: bad image\"}", flashUnsigned,
            flashUnsigned.Output.Contains("Update failed - device rejected the image: bad image"));

        byte[] good = core.Images.Build(1);
        byte[] badHash = (byte[])good.Clone();
        badHash[64] ^= 0xFF; // a payload byte: the header passes, the digest does not
        string badHashFile = Path.Combine(root, "badhash.img");
        File.WriteAllBytes(badHashFile, badHash);
        var flashBadHash = await Spark(null, "cloud", "flash", id, badHashFile);
        JsonElement afterBadHash = await WaitForLastOtaAsync(http, token, id, "aborted");
        Row("spark cloud flash ID badhash.img", "Update started; then event corefw/ota \"aborted: bad hash\", GET device last_ota aborted", flashBadHash,
            flashBadHash.Output.Contains("Update started") && afterBadHash.GetProperty("last_ota").GetProperty("message").GetString()!.Contains("hash"));

        string goodFile = Path.Combine(root, "good.img");
        File.WriteAllBytes(goodFile, good);
        var flashGood = await Spark(null, "cloud", "flash", id, goodFile);
        JsonElement running = await WaitForRunningAsync(http, token, id, "1.0.1");
        Row("spark cloud flash ID good.img (1.0.1)", "Update started; the device reboots into 1.0.1 (GET device running.version)", flashGood,
            flashGood.Output.Contains("Update started") && running.GetProperty("running").GetProperty("version").GetString() == "1.0.1");

        string downgradeFile = Path.Combine(root, "downgrade.img");
        File.WriteAllBytes(downgradeFile, core.Images.Build(0));
        var flashDowngrade = await Spark(null, "cloud", "flash", id, downgradeFile);
        Row("spark cloud flash ID downgrade.img (1.0.0)", "Update failed - device rejected the image: downgrade refused", flashDowngrade,
            flashDowngrade.Output.Contains("downgrade refused"));

        var flashOffline = await Spark(null, "cloud", "flash", offline.IdHex, goodFile);
        Row("spark cloud flash OFFLINE good.img", "Update failed - Device is not connected", flashOffline, flashOffline.Output.Contains("Device is not connected"));

        var remove = await Spark("yes\n", "cloud", "remove", offline.IdHex);
        Row("spark cloud remove OFFLINE (answering yes)", "server said { ok: true, ... } / Okay!", remove, remove.Output.Contains("Okay!"));

        var badToken = await ProcessAsync("node", [spark, "cloud", "list"], root, home, null, CommandTimeout,
            environment: null, configOverride: (config, new { apiUrl = api, access_token = "wrong" }));
        Row("spark cloud list (wrong token)", "Found undefined cores (spark-cli 0.3.0 prints no error; the body is 401 invalid_token)", badToken, badToken.Exit == 0);

        Assert.True(_table.All(r => r.EndsWith("| ok |", StringComparison.Ordinal)), "spark-cli rows failed:\n" + string.Join("\n", _table.Where(r => !r.EndsWith("| ok |"))));
    }

    private void Row(string command, string expected, (int Exit, string Output) result, bool ok)
    {
        _table.Add($"| `{command}` | {expected} | {(ok ? "ok" : "FAILED: " + Squash(result.Output))} |");
        if (!ok)
        {
            output.WriteLine($"--- {command} (exit {result.Exit})\n{result.Output}");
        }
    }

    private static string Squash(string text)
    {
        string one = string.Join(" / ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Replace("|", "\\|");
        return one.Length > 300 ? one[..300] + "..." : one;
    }

    private static string LastLine((int Exit, string Output) r) =>
        r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";

    private async Task<(int Exit, string Output)> LoginAsync(string spark, string root, string home)
    {
        // script(1) gives spark-cli the terminal its password prompt needs (setRawMode).
        var psi = new ProcessStartInfo("script", ["-q", "-e", "-c", $"node '{spark}' cloud login", "/dev/null"])
        {
            WorkingDirectory = root,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["HOME"] = home;
        using Process p = Process.Start(psi)!;
        var text = new StringBuilder();
        Task reading = Task.WhenAll(Pump(p.StandardOutput, text), Pump(p.StandardError, text));
        async Task WaitForText(string what)
        {
            await Eventually.UntilAsync(() => { lock (text) return text.ToString().Contains(what); }, TimeSpan.FromSeconds(30), () => "login prompt " + what + ": " + text);
        }

        await WaitForText("email address");
        await p.StandardInput.WriteAsync(User + "\n");
        await p.StandardInput.FlushAsync();
        await WaitForText("password");
        await Task.Delay(500);
        await p.StandardInput.WriteAsync(Password);
        await p.StandardInput.FlushAsync();
        await Task.Delay(500);
        await p.StandardInput.WriteAsync("\r");
        await p.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(CommandTimeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
        }

        await reading.WaitAsync(TimeSpan.FromSeconds(10));
        return (p.HasExited ? p.ExitCode : -1, text.ToString());
    }

    private static async Task Pump(StreamReader reader, StringBuilder into)
    {
        char[] buffer = new char[4096];
        int n;
        while ((n = await reader.ReadAsync(buffer, 0, buffer.Length)) > 0)
        {
            lock (into)
            {
                into.Append(buffer, 0, n);
            }
        }
    }

    private static async Task<(int Exit, string Output)> ProcessAsync(string file, string[] args, string workDir, string? home, string? stdin,
        TimeSpan timeout, bool killAtTimeout = false, IDictionary<string, string>? environment = null, (string Path, object Settings)? configOverride = null)
    {
        string? saved = null;
        if (configOverride is { } o)
        {
            saved = File.ReadAllText(o.Path);
            File.WriteAllText(o.Path, JsonSerializer.Serialize(o.Settings));
        }

        try
        {
            var psi = new ProcessStartInfo(file, args)
            {
                WorkingDirectory = workDir,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (home != null)
            {
                psi.Environment["HOME"] = home;
            }

            foreach (var kv in environment ?? new Dictionary<string, string>())
            {
                psi.Environment[kv.Key] = kv.Value;
            }

            using Process p = Process.Start(psi)!;
            var text = new StringBuilder();
            Task reading = Task.WhenAll(Pump(p.StandardOutput, text), Pump(p.StandardError, text));
            if (stdin != null)
            {
                await p.StandardInput.WriteAsync(stdin);
                await p.StandardInput.FlushAsync();
            }

            using var cts = new CancellationTokenSource(timeout);
            bool timedOut = false;
            try
            {
                await p.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }

            await reading.WaitAsync(TimeSpan.FromSeconds(10));
            if (timedOut && !killAtTimeout)
            {
                return (-1, text + $"\n[killed after {timeout.TotalSeconds:0} s]");
            }

            return (timedOut ? 0 : p.ExitCode, text.ToString());
        }
        finally
        {
            if (saved != null)
            {
                File.WriteAllText(configOverride!.Value.Path, saved);
            }
        }
    }

    private static async Task<JsonElement> GetDeviceAsync(HttpClient http, string token, string id)
    {
        using HttpResponseMessage r = await http.GetAsync("v1/devices/" + id + "?access_token=" + token);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task<JsonElement> WaitForLastOtaAsync(HttpClient http, string token, string id, string outcome)
    {
        DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            JsonElement last = await GetDeviceAsync(http, token, id);
            if (last.TryGetProperty("last_ota", out JsonElement o) && o.ValueKind == JsonValueKind.Object
                && o.GetProperty("outcome").GetString() == outcome)
            {
                return last;
            }

            if (DateTime.UtcNow > end)
            {
                throw new TimeoutException("last_ota " + outcome + ": " + last);
            }

            await Task.Delay(200);
        }
    }

    private static async Task<JsonElement> WaitForRunningAsync(HttpClient http, string token, string id, string version)
    {
        DateTime end = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            JsonElement last = await GetDeviceAsync(http, token, id);
            if (last.TryGetProperty("running", out JsonElement r) && r.ValueKind == JsonValueKind.Object
                && r.GetProperty("version").GetString() == version && last.GetProperty("connected").GetBoolean())
            {
                return last;
            }

            if (DateTime.UtcNow > end)
            {
                throw new TimeoutException("running " + version + ": " + last);
            }

            await Task.Delay(200);
        }
    }
}
