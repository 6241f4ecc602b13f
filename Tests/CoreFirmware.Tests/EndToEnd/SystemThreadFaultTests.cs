using CoreFirmware.Drivers.Diagnostics;
using CoreFirmware.Ota.Runtime;
using CoreFirmware.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CoreFirmware.Tests.EndToEnd;

/// <summary>
/// An exception that reaches the top of one of the firmware's own threads. Before the catch-all, it
/// ended the thread on nanoCLR and the whole process on CoreCLR (the test host with every test in it,
/// or the main job); now it ends the thread on both, is recorded in the runtime's
/// <see cref="ThreadFaultLog"/>, and the runtime reboots the board (a device must not run on with its
/// LED, cloud link or watchdog thread gone). The host names it in the board's faults.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(IsolatedCollection.Name)]
public class SystemThreadFaultTests
{
    private readonly ITestOutputHelper _out;

    public SystemThreadFaultTests(ITestOutputHelper output) => _out = output;

    [Fact(Timeout = TestTimeouts.EndToEnd)]
    public async Task AnLedThreadThatThrowsRebootsTheBoardWhichComesBackOnline()
    {
        await using EndToEndRig rig = await EndToEndRig.StartAsync(null);
        int reboots = rig.Core.Reboots;
        var fault = new InvalidOperationException("PWM timer fault (test)");
        rig.Board.RgbLed.FailNextWrite = fault;

        EndToEndRig.WaitUntil(() => rig.Core.Reboots > reboots, () => $"a reboot (last reason '{rig.Core.LastRebootReason}')", 30_000);
        _out.WriteLine($"reboot reason: {rig.Core.LastRebootReason}; board faults: {string.Join("; ", rig.Board.Faults.Kept)}");
        Assert.Equal(SystemRuntime.ThreadFaultRebootPrefix + "status LED", rig.Core.LastRebootReason);
        var named = Assert.Single(rig.Board.Faults.Kept);
        Assert.Equal("firmware thread 'status LED'", named.Thread);
        Assert.Same(fault, named.Exception);

        // The next boot runs its own LED thread and is back on the cloud.
        rig.WaitForCloudLink(30_000);
        Assert.Equal(0, rig.Core.Runtime!.ThreadFaults.Count);
        rig.Board.Faults.Clear(); // caused on purpose, checked above
    }

    [Fact]
    public void AFaultWithoutALogGoesToTheOrphansAndAThrowingListenerIsContained()
    {
        int before = ThreadFaultLog.Orphans.Count;
        ThreadFaultLog.Report(null!, "orphan thread", new InvalidOperationException("x"));
        Assert.Equal(before + 1, ThreadFaultLog.Orphans.Count);

        var log = new ThreadFaultLog { Listener = new ThrowingListener() };
        for (int i = 0; i < ThreadFaultLog.Capacity + 2; i++) ThreadFaultLog.Report(log, "t" + i, new InvalidOperationException("e" + i));
        Assert.Equal(ThreadFaultLog.Capacity + 2, log.Count);
        Assert.Equal(ThreadFaultLog.Capacity, log.Kept);
        Assert.Equal("t0", log.ThreadAt(0));
        Assert.Equal("e3", log.ExceptionAt(3).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.ThreadAt(ThreadFaultLog.Capacity));
    }

    private sealed class ThrowingListener : IThreadFaultListener
    {
        public void OnThreadFault(string thread, Exception exception) => throw new InvalidOperationException("listener");
    }
}
