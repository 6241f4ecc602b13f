using System.Net;
using System.Net.Sockets;
using CoreFirmware.Cloud;
using CoreFirmware.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CoreFirmware.Tests.Cloud;

/// <summary>
/// Regression: StartFlash takes the device's connection from the online table and starts the flasher
/// on a pool thread. When the link closed and the connection was disposed in between (a device
/// rebooting, a loaded machine delaying the pool thread), the flasher threw ObjectDisposedException
/// before its own error handling, the job never finished, and everything awaiting it waited forever:
/// FlashJob.Completion, and DeviceServer.StopAsync (which awaits every flash), so a test's
/// `await using` of the cloud hung with every thread idle.
/// </summary>
[Trait("Category", "Cloud")]
public class FlasherOnAClosedLinkTests
{
    [Fact(Timeout = TestTimeouts.Cloud)]
    public async Task AFlashWhoseConnectionWasDisposedBeforeItRanEndsFailed()
    {
        await using var host = await CloudTestHost.StartAsync();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var device = new TcpClient();
            await device.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
            TcpClient accepted = await listener.AcceptTcpClientAsync();

            // The server's side of a link, closed and disposed before the flasher gets to run.
            var connection = new DeviceConnection(host.Cloud.Devices, accepted, new DeviceServerOptions());
            var inbox = connection.AttachFlasher();
            Assert.NotNull(inbox);
            await connection.DisposeAsync();

            var options = CloudTestHost.FastTimeouts();
            var job = new FlashJob("0123456789abcdef01234567", 1000, options, () => null);
            var flasher = new OtaFlasher(connection, inbox!, new byte[1000], options, job, NullLogger.Instance);
            await Eventually.Within(flasher.RunAsync(CancellationToken.None), TimeSpan.FromSeconds(10), "the flasher to return");

            OtaProgress final = await Eventually.Within(job.Completion, TimeSpan.FromSeconds(10), "the job to finish");
            Assert.Equal(OtaState.Failed, final.State);
            Assert.Equal("device disconnected (disposed)", final.Reason);
            Assert.False(await Eventually.Within(job.Started, TimeSpan.FromSeconds(10), "Started"));
        }
        finally
        {
            listener.Stop();
        }
    }
}
