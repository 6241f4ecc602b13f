using CoreFirmware.Cloud;
using CoreFirmware.Cloud.Images;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Scenario;
using CoreFirmware.Virtual.Sst25;
using CoreFirmware.Virtual.Ticker;

namespace CoreFirmware.Virtual.NanoClr;

/// <summary>
/// <c>core --clr nano</c>: the <c>core</c> command with the firmware interpreted by nanoCLR over the HAL
/// bridge (<see cref="NanoVirtualCore"/>). The board is manufactured with the ticker app's deployment
/// (.pe) 1.0.0 signed in its factory slot; it prints the cloud's coordinates and the corefw commands that
/// sign and flash your app's .pe, then echoes Serial1 and every boot until Ctrl-C.
/// </summary>
public static class NanoCoreCommand
{
    private const int PollMilliseconds = 200;
    private const uint Loopback = 0x7F000001;
    private const string TickerPe = "CoreFirmware.Apps.BitcoinTicker.pe";

    public static int Run(CancellationToken ct)
    {
        try
        {
            RunAsync(ct).GetAwaiter().GetResult();
            return 0;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        catch (Exception e) when (e is TimeoutException or FileNotFoundException)
        {
            Console.WriteLine("core: " + e.Message);
            return 1;
        }
    }

    private static async Task RunAsync(CancellationToken ct)
    {
        string folder = Path.Combine(Path.GetTempPath(), "corefw-nano-core-" + Guid.NewGuid().ToString("N"));
        await using LocalCloud cloud = await LocalCloud.StartAsync(new LocalCloudOptions
        {
            RegistryFolder = folder,
            DevicePort = 0,
            ApiPort = 0,
            Api = new CloudApiOptions { StartWait = TimeSpan.FromSeconds(20), FlashDefaults = ScenarioRunner.FlashTimeouts },
        }, ct);
        using var ticker = new TickerServer();
        var keys = cloud.Registry.CreateDevice(name: "virtual-core");
        using var board = new VirtualBoard(new VirtualBoardOptions { FlashTiming = Sst25TimingProfile.Realistic, HostDrivers = false });
        board.Cc3000.Model.SetHost(ScenarioRunner.TickerHost, Loopback);
        board.Cc3000.Model.ForwardPort(Loopback, 80, ticker.Port);
        var configuration = new NanoBoardConfiguration
        {
            CloudIpv4 = Loopback,
            CloudPort = cloud.DeviceEndPoint.Port,
            AutoConfirmMilliseconds = 10_000,
            AccessPointSsid = board.Options.AccessPointSsid,
            AccessPointKey = board.Options.AccessPointKey,
        };
        using var core = new NanoVirtualCore(board, configuration);
        string tickerPe = Path.Combine(NanoClrPaths.DeployFolder, TickerPe);
        core.Provision(new DeviceKeys(keys.Id, keys.PrivateKeyDer, keys.PublicKeyDer, cloud.Registry.ServerPublicKeyDer, keys.ImagePublicKey!),
            cloud.SignImage(File.ReadAllBytes(tickerPe), new ImageVersion(1, 0, 0, 0), SparkCoreBoard.ImageBoardId));
        core.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!cloud.Devices.IsOnline(keys.IdHex))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the virtual core on nanoCLR did not come online within 2 minutes ({core.LastBootLine ?? "no boot line"})");
            await Task.Delay(PollMilliseconds, ct);
        }

        string cli = "dotnet run --project Cloud/Cli --";
        Console.WriteLine($"""
            virtual Core {keys.IdHex} ("virtual-core") online, its firmware interpreted by nanoCLR; cloud API {cloud.ApiUrl}, token {cloud.AccessToken}
            registry (device keys, image signing key): {folder}
            running: {core.LastBootLine}; {core.LastAppLine}

            Flash an app: on this board the application slot holds the app's nanoFramework deployment (.pe), from the device build:
              dotnet build nf-targets/SparkCore/DeviceBuild -c Release
              {cli} image sign nf-targets/SparkCore/DeviceBuild/bin/Release/deploy/{TickerPe} --version 1.1.0 --registry {folder} -o app.img
              {cli} flash virtual-core app.img --api-url {cloud.ApiUrl} --token {cloud.AccessToken}
            The device checks the image, installs it at the reboot, loads the .pe with Assembly.Load, runs it in test mode and
            confirms it after {configuration.AutoConfirmMilliseconds / 1000} s connected; an image that does not confirm is rolled back. Ctrl-C stops.

            """);

        int boots = core.Boots;
        bool online = true;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                bool now = cloud.Devices.IsOnline(keys.IdHex);
                if (now != online)
                {
                    online = now;
                    Console.WriteLine(now ? "-- cloud link up" : "-- cloud link down");
                }
                foreach (string line in board.Serial1.DrainLines()) Console.WriteLine("Serial1: " + line);
                if (core.Boots != boots && core.LastAppLine != null)
                {
                    boots = core.Boots;
                    Console.WriteLine($"-- boot {boots} (reboot reason: {core.Reboots.LastOrDefault() ?? "-"}): {core.LastBootLine}; {core.LastAppLine}");
                }
                await Task.Delay(PollMilliseconds, ct);
            }
        }
        finally
        {
            core.Stop(TimeSpan.FromSeconds(20));
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
