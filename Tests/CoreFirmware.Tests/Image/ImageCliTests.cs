using CoreFirmware.Cloud.Cli;
using CoreFirmware.SparkCore;
using Spectre.Console;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Image;

/// <summary>corefw image keygen/sign/verify/inspect in-process on temp files.</summary>
[Trait("Category", "Image")]
public sealed class ImageCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("corefw-image-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
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
            HomeDirectory = _dir,
            Variable = _ => null,
            PollInterval = TimeSpan.FromMilliseconds(50),
            Output = writer,
        };
        int exit = await CorefwCli.RunAsync(args, console, env);
        return (exit, writer.ToString());
    }

    private string P(string name) => Path.Combine(_dir, name);

    [Fact(Timeout = TestTimeouts.Host)]
    public async Task KeygenSignVerifyInspect()
    {
        var (exit, output) = await RunAsync("image", "keygen", P("signing"));
        Assert.True(exit == 0, output);
        Assert.Contains("BEGIN PRIVATE KEY", File.ReadAllText(P("signing.pem")));
        Assert.Contains("BEGIN PUBLIC KEY", File.ReadAllText(P("signing.pub.pem")));
        Assert.Equal(65, new FileInfo(P("signing.pub.bin")).Length);
        (exit, output) = await RunAsync("image", "keygen", P("signing"));
        Assert.Equal(1, exit);
        Assert.Contains("--force", output);
        Assert.Equal(0, (await RunAsync("image", "keygen", P("other"))).Exit);

        var payload = new byte[3000];
        new Random(3).NextBytes(payload);
        File.WriteAllBytes(P("app.bin"), payload);
        (exit, output) = await RunAsync("image", "sign", P("app.bin"), "--key", P("signing.pem"), "--version", "2.1.7+99", "-o", P("app.img"));
        Assert.True(exit == 0, output);
        Assert.Contains("signed", output);

        (exit, output) = await RunAsync("image", "verify", P("app.img"), "--key", P("signing.pub.pem"));
        Assert.True(exit == 0, output);
        Assert.Contains("verify Ok", output);
        (exit, output) = await RunAsync("image", "verify", P("app.img"), "--key", P("signing.pub.bin"));
        Assert.True(exit == 0, output);

        (exit, output) = await RunAsync("image", "verify", P("app.img"), "--key", P("other.pub.pem"));
        Assert.Equal(1, exit);
        Assert.Contains("BadSignature", output);
        (exit, output) = await RunAsync("image", "verify", P("app.img"), "--key", P("signing.pub.pem"), "--board", "0x1");
        Assert.Equal(1, exit);
        Assert.Contains("WrongBoard", output);

        (exit, output) = await RunAsync("image", "inspect", P("app.img"));
        Assert.True(exit == 0, output);
        Assert.Contains("version        2.1.7+99", output);
        Assert.Contains("payload size   3000", output);
        Assert.Contains($"0x{SparkCoreBoard.ImageBoardId:x8} (sparkcore)", output);
        Assert.Contains("SHA256", output);
        Assert.Contains("ECDSA-P256", output);
        Assert.Contains("KEYHASH", output);

        byte[] img = File.ReadAllBytes(P("app.img"));
        img[100] ^= 1;
        File.WriteAllBytes(P("bad.img"), img);
        (exit, output) = await RunAsync("image", "verify", P("bad.img"), "--key", P("signing.pub.pem"));
        Assert.Equal(1, exit);
        Assert.Contains("BadHash", output);
    }

    [Fact(Timeout = TestTimeouts.Host)]
    public async Task SignRefusesPublicKeyAndBadVersion()
    {
        Assert.Equal(0, (await RunAsync("image", "keygen", P("k"))).Exit);
        File.WriteAllBytes(P("app.bin"), new byte[10]);
        var (exit, output) = await RunAsync("image", "sign", P("app.bin"), "--key", P("k.pub.pem"), "--version", "1.0.0", "-o", P("a.img"));
        Assert.Equal(1, exit);
        Assert.Contains("no private key", output);
        (exit, output) = await RunAsync("image", "sign", P("app.bin"), "--key", P("k.pem"), "--version", "1.0", "-o", P("a.img"));
        Assert.Equal(1, exit);
        Assert.Contains("not a version", output);
    }

    [Fact(Timeout = TestTimeouts.Host)]
    public async Task SignWithoutAKeyUsesTheLocalCloudsImageKeyAndItsDevicesAcceptTheImage()
    {
        string registry = P("cloud");
        File.WriteAllBytes(P("app.bin"), new byte[1234]);

        // No key yet: refused, nothing created silently.
        var (exit, output) = await RunAsync("image", "sign", P("app.bin"), "--registry", registry, "--version", "1.2.3", "-o", P("app.img"));
        Assert.Equal(1, exit);
        Assert.Contains("No image key", output);
        Assert.False(File.Exists(Path.Combine(registry, "image_key.pem")), "sign must not create a key");
        (exit, output) = await RunAsync("image", "verify", P("app.bin"), "--registry", registry);
        Assert.Equal(1, exit);
        Assert.Contains("No image key", output);

        // The local cloud creates its key (as LocalCloud.StartAsync does); sign then says which key it used.
        Assert.True(CoreFirmware.Cloud.DeviceRegistry.Open(registry).EnsureImageKey());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(CoreFirmware.Cloud.OwnerOnlyFile.Mode, File.GetUnixFileMode(Path.Combine(registry, "image_key.pem")));
        }

        (exit, output) = await RunAsync("image", "sign", P("app.bin"), "--registry", registry, "--version", "1.2.3", "-o", P("app.img"));
        Assert.True(exit == 0, output);
        Assert.Contains("image_key.pem", output);
        Assert.Contains("key:", output);

        // The same key the cloud hands its devices (DeviceKeyPair.ImagePublicKey) verifies it.
        var cloud = CoreFirmware.Cloud.DeviceRegistry.Open(registry);
        byte[] point = cloud.CreateDevice().ImagePublicKey!;
        File.WriteAllBytes(P("device.pub.bin"), point);
        (exit, output) = await RunAsync("image", "verify", P("app.img"), "--key", P("device.pub.bin"));
        Assert.True(exit == 0, output);
        (exit, output) = await RunAsync("image", "verify", P("app.img"), "--registry", registry);
        Assert.True(exit == 0, output);
        Assert.Contains("verify Ok", output);
    }
}
