using CoreFirmware.Drivers.Net;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Http;

/// <summary>The transport tests over the host's loopback TCP (<see cref="HostLoopbackSockets"/>).</summary>
[Trait("Category", "Http")]
public sealed class RestClientLoopbackTests : RestClientTransportTests
{
    protected override INetworkSockets CreateSockets() => new HostLoopbackSockets().AddHost(TickerHostName);
}
