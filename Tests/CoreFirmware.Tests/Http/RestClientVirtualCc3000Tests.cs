using CoreFirmware.Application.Http;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Tests.Cc3000;
using CoreFirmware.Virtual.Hardware;
using CoreFirmware.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.Http;

/// <summary>
/// The transport tests through the whole virtual stack: RestClient -> the CC3000 driver's user
/// socket view -> the shared SPI bus (with the real arbiter) -> the CC3000 model -> loopback TCP ->
/// the ticker server. The module is started and joined to the access point; its host table maps
/// <see cref="RestClientTransportTests.TickerHostName"/> to 127.0.0.1.
/// </summary>
[Trait("Category", "Http")]
[Trait("Category", "Cc3000")]
public sealed class RestClientVirtualCc3000Tests : RestClientTransportTests
{
    private const uint Loopback = 0x7F000001;

    private readonly ITestOutputHelper _output;
    private Cc3000TestRig? _rig;

    public RestClientVirtualCc3000Tests(ITestOutputHelper output)
    {
        _output = output;
    }

    private Cc3000TestRig Rig
    {
        get
        {
            if (_rig == null)
            {
                _rig = new Cc3000TestRig();
                _rig.Cc3000.Model.SetHost(TickerHostName, Loopback);
            }
            return _rig;
        }
    }

    protected override INetworkSockets CreateSockets() => Rig.User;

    public override void Dispose()
    {
        try
        {
            base.Dispose();
            // Whatever the test did, the wires were never misused and the module never saw a framing error.
            _rig?.AssertCleanBus();
        }
        finally
        {
            _rig?.Dispose();
        }
    }

    [Fact]
    public void TheUserViewHasUserPriority()
    {
        var view = Assert.IsType<Drivers.Cc3000.Cc3000SocketView>(CreateSockets());
        Assert.Equal(BusPriority.UserNetwork, view.Priority);
    }

    [Fact]
    public void SteadyStateGetsAllocateNothingOnTheCallingThread()
    {
        const int WarmUp = 30;
        const int Requests = 200;
        var rig = Rig;
        // The raw user view, no test wrapper: only the firmware path and the parts it drives.
        var client = new RestClient(rig.User, new VirtualClock())
        {
            ConnectTimeoutMilliseconds = 5_000,
            SendTimeoutMilliseconds = 5_000,
            ReceiveTimeoutMilliseconds = 5_000,
            ResponseTimeoutMilliseconds = 10_000,
        };
        string[] paths = { "/ticker?mode=length", "/ticker?mode=chunked", "/ticker?mode=close" };
        for (int i = 0; i < WarmUp; i++)
        {
            Assert.Equal(HttpResult.Ok, client.Get(TickerHostName, Server.Port, paths[i % paths.Length]));
        }

        int ok = 0;
        long bodyBytes = 0;
        int loops = 0;
        string? firstFailure = null;
        long allocated = Allocations.SteadyState(() =>
        {
            loops++;
            for (int i = 0; i < Requests; i++)
            {
                HttpResult r = client.Get(TickerHostName, Server.Port, paths[i % paths.Length]);
                if (r == HttpResult.Ok && client.StatusCode == 200) ok++;
                else firstFailure ??= $"{paths[i % paths.Length]}: {r} (status {client.StatusCode})";
                bodyBytes += client.BodyLength;
            }
        });
        _output.WriteLine($"{loops} x {Requests} GETs through the virtual CC3000: {ok} ok, {bodyBytes} body bytes, {allocated} bytes allocated on the calling thread in the best pass ({(double)allocated / Requests:0.##} per request)");

        Assert.True(Requests * loops == ok, $"{Requests * loops - ok} of {Requests * loops} GETs failed; first: {firstFailure}");
        Assert.Equal(0, allocated);
        Assert.Equal(0, rig.Bus.ViolationCount);
        Assert.Equal(0, rig.Cc3000.Model.Violations);
        Assert.Equal(0, rig.Cc3000.Model.OpenSockets);
    }
}
