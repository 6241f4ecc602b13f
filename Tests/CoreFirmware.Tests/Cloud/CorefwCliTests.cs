using CoreFirmware.Cloud.Cli;
using Spectre.Console;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Cloud;

/// <summary>corefw's command handlers in-process against a LocalCloud on ephemeral ports.</summary>
[Trait("Category", "Cloud")]
public class CorefwCliTests
{
    private static async Task<(int Exit, string Output)> RunAsync(CloudTestHost host, params string[] args)
    {
        var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        var env = new CliEnvironment
        {
            HomeDirectory = host.Folder, // no real ~ is read or written
            Variable = _ => null,
            PollInterval = TimeSpan.FromMilliseconds(50),
            Output = writer,
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        int exit = await CorefwCli.RunAsync(args, console, env, timeout.Token);
        return (exit, writer.ToString());
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task FlashShowsProgressAndSuccess()
    {
        await using var host = await CloudTestHost.StartAsync();
        ScriptedDevice device = await host.ConnectDeviceAsync();
        string file = Path.Combine(host.Folder, "app.bin");
        byte[] image = CloudTestHost.RandomImage(5000, 11);
        await File.WriteAllBytesAsync(file, image);
        string url = host.Cloud.ApiUrl.ToString();

        var (exit, output) = await RunAsync(host, "flash", device.IdHex, file, "--api-url", url, "--token", CloudTestHost.Token);
        Assert.True(exit == 0, output);
        Assert.Contains("Update started", output);
        Assert.Contains($"OTA {device.IdHex} done 5000/5000 bytes (100%)", output);
        Assert.Contains("Flash succeeded", output);
        Assert.Contains("pending 5000", output);
        Assert.Equal(image, device.Image);

        var (listExit, list) = await RunAsync(host, "list", "--api-url", url, "--token", CloudTestHost.Token);
        Assert.Equal(0, listExit);
        Assert.Contains(device.IdHex, list);
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task WrongOrMissingTokenGivesClearErrorAndNonZeroExit()
    {
        await using var host = await CloudTestHost.StartAsync();
        var device = host.Cloud.Registry.CreateDevice();
        string file = Path.Combine(host.Folder, "app.bin");
        await File.WriteAllBytesAsync(file, new byte[100]);
        string url = host.Cloud.ApiUrl.ToString();

        var (exit, output) = await RunAsync(host, "flash", device.IdHex, file, "--api-url", url, "--token", "wrong");
        Assert.Equal(1, exit);
        Assert.Contains("refused the access token", output);

        (exit, output) = await RunAsync(host, "flash", device.IdHex, file, "--api-url", url);
        Assert.Equal(1, exit);
        Assert.Contains("No access token", output);

        (exit, output) = await RunAsync(host, "flash", device.IdHex, file, "--api-url", url, "--token", CloudTestHost.Token);
        Assert.Equal(1, exit);
        Assert.Contains("Device is not connected", output);

        (exit, output) = await RunAsync(host, "flash", "ffffffffffffffffffffffff", file, "--api-url", url, "--token", CloudTestHost.Token);
        Assert.Equal(1, exit);
        Assert.Contains("Unknown device", output);
    }

    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task KeysDeviceRegistersInTheRegistryFolder()
    {
        await using var host = await CloudTestHost.StartAsync();
        var (exit, output) = await RunAsync(host, "keys", "device", "00112233445566778899AABB", "--name", "bench", "--registry", host.Folder);
        Assert.True(exit == 0, output);
        var record = host.Cloud.Registry.Find("bench");
        Assert.NotNull(record);
        Assert.Equal("00112233445566778899aabb", record!.Id);
        Assert.NotNull(host.Cloud.Registry.FindDevicePrivateKey(record.Id));

        (exit, output) = await RunAsync(host, "keys", "device", "nothex", "--registry", host.Folder);
        Assert.Equal(1, exit);
        Assert.Contains("not a device id", output);
    }
}
