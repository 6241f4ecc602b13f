using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual.Network;
using Xunit;

namespace CoreFirmware.Tests.Cc3000;

[Trait("Category", "Cc3000")]
public class Cc3000FaultTests
{
    [Fact]
    public void InjectedHangIsDetectedAndRecoveredByCyclingWlanEnable()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        var driver = rig.Cc3000.Driver;
        var model = rig.Cc3000.Model;
        driver.CommandTimeoutMilliseconds = 300;
        int a = rig.OpenConnected(rig.User, server.Port);
        int b = rig.OpenConnected(rig.System, server.Port);
        long resetsBefore = model.Resets;

        model.InjectHang();
        Assert.Equal(PinValue.High, rig.Cc3000.Irq.Level);
        var tx = new byte[] { 1, 2, 3 };
        Assert.Equal((int)SocketError.ModuleReset, rig.User.Send(a, tx, 0, tx.Length, 1000));

        Assert.Equal(1, driver.Recoveries);
        Assert.Equal(0, driver.FailedRecoveries);
        Assert.Equal(resetsBefore + 1, model.Resets);   // the module saw WLAN_EN fall ...
        Assert.Equal(2, model.PowerUps);                 // ... and rise again
        Assert.False(model.IsHung);
        Assert.True(driver.IsNetworkUp);

        // Every socket open at the time reports the reset once, then is gone.
        var rx = new byte[8];
        Assert.Equal((int)SocketError.ModuleReset, rig.System.Receive(b, rx, 0, rx.Length, 500));
        Assert.Equal((int)SocketError.InvalidSocket, rig.System.Receive(b, rx, 0, rx.Length, 500));
        Assert.Equal((int)SocketError.InvalidSocket, rig.User.Close(a));

        // A new socket works.
        int c = rig.OpenConnected(rig.User, server.Port);
        Assert.Equal(3, rig.User.Send(c, tx, 0, tx.Length, 1000));
        Assert.Equal(3, Cc3000SocketTests.ReceiveExactly(rig, c, rx, 3));
        Assert.Equal(tx, rx.Take(3).ToArray());
        Assert.Equal(0, rig.User.Close(c));
        rig.AssertCleanBus();
    }

    [Fact]
    public void AFramingViolationStopsTheModuleUntilWlanEnableCycles()
    {
        using var rig = new Cc3000TestRig();
        var model = rig.Cc3000.Model;
        var driver = rig.Cc3000.Driver;
        driver.CommandTimeoutMilliseconds = 300;

        // A foreign frame straight on the bus (properly arbitrated): first byte 0x55 is no SPI op.
        SendRaw(rig, new byte[] { 0x55, 0x00, 0x05, 0x00, 0x00, 0x01 });
        Assert.Equal(1, model.Violations);
        Assert.True(model.IsStopped);
        Assert.Equal(PinValue.High, rig.Cc3000.Irq.Level);

        // Still stopped: a well-formed frame gets no ready and no answer.
        long frames = model.Frames;
        SendRaw(rig, new byte[] { 0x01, 0x00, 0x05, 0x00, 0x00, 0x01, 0x0B, 0x40, 0x00, 0x00 });
        Assert.Equal(frames, model.Frames);
        Assert.Equal(PinValue.High, rig.Cc3000.Irq.Level);

        // The driver finds the module stuck, power-cycles it, and carries on.
        Assert.Equal((int)SocketError.ModuleReset, rig.System.ResolveHost("x", out _, 1000));
        Assert.Equal(1, driver.Recoveries);
        Assert.False(model.IsStopped);
        model.SetHost("device.spark.io", 0x0A000001);
        Assert.Equal(0, rig.System.ResolveHost("device.spark.io", out uint ip, 1000));
        Assert.Equal(0x0A000001u, ip);
        Assert.Equal(0, rig.Bus.ViolationCount);
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0x00, 0x04, 0x00, 0x00, 0x01, 0x0B, 0x40, 0x00 }, "odd frame")]
    [InlineData(new byte[] { 0x01, 0x07, 0xFF, 0x00, 0x00 }, "length over the buffer")]
    [InlineData(new byte[] { 0x01, 0x00, 0x05, 0x00, 0x01, 0x01, 0x0B, 0x40, 0x00, 0x00 }, "busy byte not zero")]
    [InlineData(new byte[] { 0x01, 0x00, 0x05, 0x00, 0x00, 0x01, 0x0B }, "frame cut short")]
    [InlineData(new byte[] { 0x01, 0x00, 0x05, 0x00, 0x00, 0x07, 0x0B, 0x40, 0x00, 0x00 }, "unknown HCI type")]
    [InlineData(new byte[] { 0x03, 0x00, 0x00, 0x00, 0x00 }, "read with nothing to read")]
    public void MalformedFramesAreViolations(byte[] frame, string what)
    {
        using var rig = new Cc3000TestRig();
        SendRaw(rig, frame);
        Assert.True(rig.Cc3000.Model.IsStopped, what);
        Assert.Equal(1, rig.Cc3000.Model.Violations);
    }

    [Fact]
    public void AnUnsplitFirstWriteAfterPowerUpIsAViolation()
    {
        using var rig = new Cc3000TestRig(start: false);
        var model = rig.Cc3000.Model;
        rig.Cc3000.WlanEnable.Write(PinValue.High);
        Eventually.Until(() => rig.Cc3000.Irq.Level == PinValue.Low, Eventually.Short, "the module to signal ready (IRQ low) after power-up");
        // Simple-link start in one go, without the pause after 4 bytes.
        SendRaw(rig, new byte[] { 0x01, 0x00, 0x05, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00 });
        Assert.True(model.IsStopped);
        Assert.Contains("first write", model.LastViolation);

        // The driver's start-up cycles WLAN_EN and does it right.
        Assert.Equal(0, rig.Cc3000.Driver.Start(5000));
        Assert.False(model.IsStopped);
        Assert.Equal(1, model.Violations);
    }

    [Fact]
    public void BytesBeforeTheModuleIsReadyAreAViolation()
    {
        using var rig = new Cc3000TestRig(start: false);
        var model = rig.Cc3000.Model;
        model.BootDelayMilliseconds = 500;
        rig.Cc3000.WlanEnable.Write(PinValue.High);
        SendRaw(rig, new byte[] { 0x01, 0x00, 0x05, 0x00 });
        Assert.True(model.IsStopped);
        Assert.Contains("before the module pulled IRQ low", model.LastViolation);
    }

    private static void SendRaw(Cc3000TestRig rig, byte[] frame)
    {
        Assert.True(rig.Arbiter.TryAcquire(BusPriority.SystemNetwork, 1000));
        try
        {
            rig.Cc3000.Device.Select();
            rig.Cc3000.Device.Write(frame, 0, frame.Length);
            rig.Cc3000.Device.Deselect();
        }
        finally
        {
            rig.Arbiter.Release();
        }
    }
}

[Trait("Category", "Cc3000")]
public class Cc3000FlowControlTests
{
    [Fact]
    public void SendsWaitForFreeBuffersAndNeverOverrunTheModule()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        rig.Cc3000.Model.TransmitDelayMilliseconds = 2;
        int s = rig.OpenConnected(rig.User, server.Port);
        var tx = new byte[20 * 1460];
        for (int i = 0; i < tx.Length; i++) tx[i] = (byte)(i * 7);
        Assert.Equal(tx.Length, rig.User.Send(s, tx, 0, tx.Length, 10_000));
        Assert.Equal(0, rig.Cc3000.Model.LowestFreeBuffers);   // the host really ran dry and waited

        var rx = new byte[tx.Length];
        int got = 0;
        while (got < rx.Length)
        {
            int r = rig.User.Receive(s, rx, got, rx.Length - got, 5000);
            Assert.True(r > 0, "receive " + r);
            got += r;
        }
        Assert.Equal(tx, rx);
        rig.AssertCleanBus();
    }

    [Fact]
    public void ASendWithNoBufferFreedInTimeTimesOut()
    {
        using var server = new LoopbackEchoServer();
        using var rig = new Cc3000TestRig();
        rig.Cc3000.Model.TransmitDelayMilliseconds = 1000;
        int s = rig.OpenConnected(rig.User, server.Port);
        var tx = new byte[10 * 1460];
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal((int)SocketError.TimedOut, rig.User.Send(s, tx, 0, tx.Length, 200));
        // At least its timeout; the upper figure is a bound (it gave up), not a timing: a loaded host adds seconds.
        Assert.InRange(sw.ElapsedMilliseconds, 190, 200 + rig.Cc3000.Driver.CommandTimeoutMilliseconds + 20_000);
        Assert.Equal(0, rig.Cc3000.Driver.Recoveries);
        rig.AssertCleanBus();
    }
}
