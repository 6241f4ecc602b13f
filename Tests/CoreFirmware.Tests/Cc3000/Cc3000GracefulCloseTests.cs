using System.Net;
using System.Net.Sockets;
using CoreFirmware.Tests.Support;
using Xunit;

namespace CoreFirmware.Tests.Cc3000;

/// <summary>
/// closesocket right after a send, as the firmware does when it reboots after answering an OTA's
/// UpdateDone: what the host handed to the module reaches the peer, then the connection ends with a
/// FIN. Before the fix the model dropped the buffers still queued and closed with a reset, and the
/// cloud lost the 2.04 the device had sent ("device disconnected (Connection reset by peer)" for an
/// update the device went on to install: 3 of 1,000 soak cycles).
/// </summary>
[Trait("Category", "Cc3000")]
public class Cc3000GracefulCloseTests
{
    [Fact]
    public void ACloseRightAfterASendDeliversEveryByteThenEndsWithFin()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var rig = new Cc3000TestRig();
        // The module's radio is slow: the buffers are still queued when the close comes.
        rig.Cc3000.Model.TransmitDelayMilliseconds = 20;
        int s = rig.OpenConnected(rig.System, port);
        using TcpClient peer = listener.AcceptTcpClient();
        peer.ReceiveTimeout = 10_000;

        var tx = new byte[4 * 1000];
        for (int i = 0; i < tx.Length; i++) tx[i] = (byte)(i * 13 + 1);
        Assert.Equal(tx.Length, rig.System.Send(s, tx, 0, tx.Length, 5000));
        Assert.Equal(0, rig.System.Close(s));

        var rx = new byte[tx.Length + 1];
        int got = 0;
        using NetworkStream stream = peer.GetStream();
        while (true)
        {
            int n;
            try
            {
                n = stream.Read(rx, got, rx.Length - got);
            }
            catch (IOException e)
            {
                throw new Xunit.Sdk.XunitException($"the connection was reset after {got} of {tx.Length} bytes: {e.Message}");
            }
            if (n == 0) break; // FIN
            got += n;
        }
        Assert.Equal(tx.Length, got);
        Assert.Equal(tx, rx[..got]);
        Assert.Equal(0, rig.Cc3000.Model.OpenSockets);
        rig.AssertCleanBus();
    }
}
