using CoreFirmware.Application.App;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Virtual.Runner;
using Xunit;

namespace CoreFirmware.Tests.Virtual;

/// <summary>The runner turns the application slot's payload into a running app, or says why it cannot.</summary>
public sealed class SlotAppLoaderTests
{
    internal static byte[] TestAppAssembly(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, $"CoreFirmware.TestApps.{name}.dll"));

    private static (VirtualInternalFlash, BootDecision) Slot(byte[] payload)
    {
        var flash = new VirtualInternalFlash();
        flash.Poke(ImageFormat.HeaderSize, payload);
        return (flash, new BootDecision { RunApplication = true, PayloadOffset = ImageFormat.HeaderSize, PayloadSize = payload.Length, ActiveVersion = 0x01000000 });
    }

    [Fact]
    public void LoadsTheOneUserAppOfTheAssemblyInTheSlot()
    {
        var (flash, decision) = Slot(TestAppAssembly("NeverConfirm"));
        using var loader = new SlotAppLoader();
        IUserApp app = loader.Load(flash, decision);
        Assert.Equal("CoreFirmware.TestApps.NeverConfirm.NeverConfirmApp", loader.AppTypeName);
        Assert.IsAssignableFrom<IUserApp>(app);
        Assert.NotSame(typeof(SlotAppLoaderTests).Assembly, app.GetType().Assembly);
    }

    [Fact]
    public void APayloadThatIsNotAnAssemblyIsAClearError()
    {
        var junk = new byte[4000];
        new Random(3).NextBytes(junk);
        var (flash, decision) = Slot(junk);
        using var loader = new SlotAppLoader();
        var e = Assert.Throws<AppLoadException>(() => loader.Load(flash, decision));
        Assert.Contains("not a .NET assembly", e.Message);
    }

    [Fact]
    public void AnAssemblyWithoutAUserAppIsAClearError()
    {
        var (flash, decision) = Slot(File.ReadAllBytes(typeof(CoreFirmware.Ota.Boot.BootState).Assembly.Location));
        using var loader = new SlotAppLoader();
        var e = Assert.Throws<AppLoadException>(() => loader.Load(flash, decision));
        Assert.Contains("exactly one public IUserApp", e.Message);
    }
}
