using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Tests.Support;
using CoreFirmware.Virtual;
using CoreFirmware.Virtual.Hardware;
using Xunit;

namespace CoreFirmware.Tests.Cc3000;

/// <summary>A started CC3000 on its own shared bus, joined to the model's access point.</summary>
internal sealed class Cc3000TestRig : IDisposable
{
    public const string Ssid = "CoreNet";
    public const string Key = "correct horse";

    public Cc3000TestRig(bool start = true)
    {
        Clock = new VirtualClock();
        Bus = new SharedSpiBus();
        Arbiter = new SpiBusArbiter(Clock);
        Cc3000 = VirtualCc3000Wiring.Attach(Bus, Arbiter, Clock);
        Cc3000.Model.SetAccessPoint(Ssid, Key);
        if (!start) return;
        Assert.Equal(0, Cc3000.Driver.Start(5000));
        Assert.Equal(0, Cc3000.Driver.ConnectToAccessPoint(Ssid, Key, 5000));
        User = Cc3000.Driver.CreateSocketView(BusPriority.UserNetwork);
        System = Cc3000.Driver.CreateSocketView(BusPriority.SystemNetwork);
    }

    public VirtualClock Clock { get; }
    public SharedSpiBus Bus { get; }
    public SpiBusArbiter Arbiter { get; }
    public VirtualCc3000 Cc3000 { get; }
    public INetworkSockets User { get; private set; } = null!;
    public INetworkSockets System { get; private set; } = null!;

    public const uint Loopback = 0x7F000001;

    /// <summary>Opens a socket and connects it to 127.0.0.1:<paramref name="port"/>, asserting both work.</summary>
    public int OpenConnected(INetworkSockets view, int port)
    {
        int s = view.Open(2000);
        Assert.True(s >= 0, $"Open returned {(SocketError)s}");
        Assert.Equal(0, view.Connect(s, Loopback, port, 2000));
        return s;
    }

    /// <summary>The wires were never misused and the module never saw a framing error.</summary>
    public void AssertCleanBus()
    {
        Assert.True(Bus.ViolationCount == 0, "bus violations: " + string.Join("; ", Bus.Violations.Select(v => v.Detail)));
        Assert.True(Cc3000.Model.Violations == 0, "model violation: " + Cc3000.Model.LastViolation);
    }

    /// <summary>Stops the driver and the model; fails when a model thread reported a fault.</summary>
    public void Dispose()
    {
        Cc3000.Dispose();
        Cc3000.Model.Faults.AssertNone("CC3000 model");
    }
}
