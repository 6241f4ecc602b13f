using CoreFirmware.Cloud;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// `core`: the local cloud, the ticker server and a virtual Core running the ticker app from its
/// application slot, with no automatic flashing: the board waits for yours. It prints where the
/// cloud is (API URL, token, registry folder with the image key) and the corefw commands that sign
/// and flash an app, then echoes Serial1 and every boot (what the bootloader did) until Ctrl-C.
/// </summary>
public static class CoreCommand
{
    private const int PollMilliseconds = 200;

    public static int Run(string[] args)
    {
        bool serial = false, paused = false, nano = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--serial") serial = true;
            else if (a == "--paused") paused = true;
            else if (a == "--clr" && i + 1 < args.Length && (args[i + 1] == "nano" || args[i + 1] == "coreclr")) nano = args[++i] == "nano";
            else
            {
                Console.WriteLine("usage: dotnet run --project nf-targets/Virtual -- core [--serial] [--paused] [--clr coreclr|nano]   (Ctrl-C stops)");
                Console.WriteLine("  --serial  echo every Serial1 line (default: a count every 10 s)");
                Console.WriteLine("  --paused  keep the factory ticker app paused until your first image is installed");
                Console.WriteLine("  --clr     the runtime of the firmware: coreclr (default) or nano (interpreted by nanoCLR over the native HAL bridge)");
                return 2;
            }
        }

        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        // SIGTERM too: stop cleanly, so the temporary registry (keys) is deleted.
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            cts.Cancel();
        });
        try
        {
            // --clr nano: the firmware interpreted by nanoCLR over the native HAL bridge.
            if (nano) return CoreFirmware.Virtual.NanoClr.NanoCoreCommand.Run(cts.Token);
            RunAsync(serial, paused, cts.Token).GetAwaiter().GetResult();
            return 0;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        catch (TimeoutException e)
        {
            Console.WriteLine("core: " + e.Message);
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task RunAsync(bool serial, bool paused, CancellationToken ct)
    {
        var options = new ScenarioOptions { AutoConfirmMilliseconds = 10_000 };
        await using ScenarioRunner runner = await ScenarioRunner.StartAsync(options, ct);
        runner.Gate.Paused = paused;
        string cli = "dotnet run --project Cloud/Cli --";
        // No trailing slash: spark-cli appends "/v1/..." to apiUrl.
        string api = runner.Cloud.ApiUrl.ToString().TrimEnd('/');
        string sparkConfig = System.Text.Json.JsonSerializer.Serialize(new { apiUrl = api, access_token = runner.Cloud.AccessToken });
        string sparkConfigFile = Path.Combine(runner.RegistryFolder, "spark.config.json");
        File.WriteAllText(sparkConfigFile, sparkConfig + "\n");
        Console.WriteLine($"""
            virtual Core {runner.DeviceId} ("virtual-core") online; cloud API {api}, token {runner.Cloud.AccessToken}
            registry (device keys, image signing key): {runner.RegistryFolder}
            running: {runner.Core.LastBootDecision?.Reason}
            {(paused ? "the factory ticker app is PAUSED until your first image is installed" : "the factory ticker app runs at full speed (no delay between requests) until your app arrives; --paused keeps it idle")}

            Flash an app (any project with one public IUserApp class and a parameterless constructor, like Apps/BitcoinTicker):
              dotnet build Apps/BitcoinTicker -c Release
              {cli} image sign Apps/BitcoinTicker/bin/Release/net10.0/CoreFirmware.Apps.BitcoinTicker.dll --version 1.1.0 --registry {runner.RegistryFolder} -o app.img
              {cli} flash virtual-core app.img --api-url {api} --token {runner.Cloud.AccessToken}
            The device checks the image (board, size, version, signature), installs it at the reboot, runs it in test mode and
            confirms it after {options.AutoConfirmMilliseconds / 1000} s connected; an image that does not confirm is rolled back. Ctrl-C stops.

            spark-cli 0.3.0 (npm install spark-cli@0.3.0): its settings file ~/.spark/spark.config.json must read
              {sparkConfig}
            (a copy is in {sparkConfigFile}); then e.g. spark cloud list, spark variable get virtual-core price,
            spark function call virtual-core interval 1000, spark subscribe "" {runner.DeviceId}, spark cloud flash virtual-core app.img

            """);

        // The console shows what a person watches for: boots, installs, confirmations, rollbacks, refusals, events.
        using EventHub.Subscription? events = runner.Cloud.Devices.Events.Subscribe(e => e.Name != "btc-price");
        int boots = runner.Core.Boots;
        int installs = runner.Core.Installs;
        bool online = true;
        int serialLines = 0;
        string lastSerial = "";
        var serialReport = System.Diagnostics.Stopwatch.StartNew();
        while (!ct.IsCancellationRequested)
        {
            bool now = runner.Core.Runtime?.Cloud?.IsConnected == true;
            if (now != online)
            {
                online = now;
                Console.WriteLine(now ? "-- cloud link up" : "-- cloud link down");
            }

            foreach (string line in runner.Board.Serial1.DrainLines())
            {
                serialLines++;
                lastSerial = line;
                if (serial) Console.WriteLine("Serial1: " + line);
            }

            if (!serial && serialReport.Elapsed >= TimeSpan.FromSeconds(10) && serialLines > 0)
            {
                Console.WriteLine($"Serial1: {serialLines} lines in the last {serialReport.Elapsed.TotalSeconds:0} s; last: {lastSerial}  (--serial echoes them all)");
                serialLines = 0;
                serialReport.Restart();
            }

            while (events != null && events.Reader.TryRead(out CloudEvent? e))
            {
                Console.WriteLine($"-- event {e.Name}: {e.Data}");
            }

            if (runner.Core.Boots != boots)
            {
                boots = runner.Core.Boots;
                Console.WriteLine($"-- boot {boots} (reboot reason: {runner.Core.LastRebootReason ?? "-"}): {runner.Core.LastBootDecision?.Reason}; app {runner.Core.LastAppName ?? "none"}");
                if (paused && runner.Core.Installs > installs)
                {
                    runner.Gate.Paused = false;
                    paused = false;
                    Console.WriteLine("-- your image is installed: the app runs");
                }
            }

            await Task.Delay(PollMilliseconds, ct);
        }
    }
}
