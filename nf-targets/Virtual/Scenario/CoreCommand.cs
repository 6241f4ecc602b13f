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
        bool nano = args.Length == 2 && args[0] == "--clr" && args[1] == "nano";
        if (args.Length > 0 && !nano && !(args.Length == 2 && args[0] == "--clr" && args[1] == "coreclr"))
        {
            Console.WriteLine("usage: dotnet run --project nf-targets/Virtual -- core [--clr coreclr|nano]   (Ctrl-C stops)");
            return 2;
        }

        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            // --clr nano: the firmware interpreted by nanoCLR over the native HAL bridge.
            if (nano) return CoreFirmware.Virtual.NanoClr.NanoCoreCommand.Run(cts.Token);
            RunAsync(cts.Token).GetAwaiter().GetResult();
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

    private static async Task RunAsync(CancellationToken ct)
    {
        var options = new ScenarioOptions { AutoConfirmMilliseconds = 10_000 };
        await using ScenarioRunner runner = await ScenarioRunner.StartAsync(options, ct);
        string cli = "dotnet run --project Cloud/Cli --";
        Console.WriteLine($"""
            virtual Core {runner.DeviceId} ("virtual-core") online; cloud API {runner.Cloud.ApiUrl}, token {runner.Cloud.AccessToken}
            registry (device keys, image signing key): {runner.RegistryFolder}
            running: {runner.Core.LastBootDecision?.Reason}

            Flash an app (any project with one public IUserApp class and a parameterless constructor, like Apps/BitcoinTicker):
              dotnet build Apps/BitcoinTicker -c Release
              {cli} image sign Apps/BitcoinTicker/bin/Release/net10.0/CoreFirmware.Apps.BitcoinTicker.dll --version 1.1.0 --registry {runner.RegistryFolder} -o app.img
              {cli} flash virtual-core app.img --api-url {runner.Cloud.ApiUrl} --token {runner.Cloud.AccessToken}
            The device checks the image (board, size, version, signature), installs it at the reboot, runs it in test mode and
            confirms it after {options.AutoConfirmMilliseconds / 1000} s connected; an image that does not confirm is rolled back. Ctrl-C stops.

            """);

        int boots = runner.Core.Boots;
        bool online = true;
        while (!ct.IsCancellationRequested)
        {
            bool now = runner.Core.Runtime?.Cloud?.IsConnected == true;
            if (now != online)
            {
                online = now;
                Console.WriteLine(now ? "-- cloud link up" : "-- cloud link down");
            }

            foreach (string line in runner.Board.Serial1.DrainLines()) Console.WriteLine("Serial1: " + line);
            if (runner.Core.Boots != boots)
            {
                boots = runner.Core.Boots;
                Console.WriteLine($"-- boot {boots} (reboot reason: {runner.Core.LastRebootReason ?? "-"}): {runner.Core.LastBootDecision?.Reason}; app {runner.Core.LastAppName ?? "none"}");
            }

            await Task.Delay(PollMilliseconds, ct);
        }
    }
}
