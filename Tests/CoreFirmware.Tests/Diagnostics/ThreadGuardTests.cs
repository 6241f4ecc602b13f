using CoreFirmware.Drivers.Diagnostics;
using Xunit;

namespace CoreFirmware.Tests.Diagnostics;

public sealed class ThreadGuardTests
{
    private sealed class Listener : IThreadFaultListener
    {
        public readonly ManualResetEventSlim Told = new();
        public string? Thread;

        public void OnThreadFault(string thread, Exception exception)
        {
            Thread = thread;
            Told.Set();
        }
    }

    [Fact]
    public void AnExceptionThatEscapesTheBodyEndsTheThreadAndIsReportedUnderItsName()
    {
        var log = new ThreadFaultLog();
        var listener = new Listener();
        log.Listener = listener;
        var guard = new ThreadGuard("test worker") { Faults = log };
        var boom = new InvalidOperationException("boom");

        Thread t = guard.NewThread(() => throw boom);
        t.Start();

        Assert.True(t.Join(10_000), "the guarded thread did not end");
        Assert.True(listener.Told.Wait(10_000));
        Assert.Equal(1, log.Count);
        Assert.Equal("test worker", log.ThreadAt(0));
        Assert.Same(boom, log.ExceptionAt(0));
        Assert.Equal("test worker", listener.Thread);
    }

    [Fact]
    public void ABodyThatReturnsReportsNothing()
    {
        var log = new ThreadFaultLog();
        var guard = new ThreadGuard("quiet") { Faults = log };
        bool ran = false;

        Thread t = guard.NewThread(() => ran = true);
        t.Start();

        Assert.True(t.Join(10_000));
        Assert.True(ran);
        Assert.Equal(0, log.Count);
    }

    [Fact]
    public void WithNoLogTheFaultGoesToTheOrphans()
    {
        var guard = new ThreadGuard("unowned worker");
        int before = ThreadFaultLog.Orphans.Count;

        Thread t = guard.NewThread(() => throw new InvalidOperationException("no owner log"));
        t.Start();

        Assert.True(t.Join(10_000));
        Assert.True(ThreadFaultLog.Orphans.Count > before);
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => new ThreadGuard(null!));
        Assert.Throws<ArgumentNullException>(() => new ThreadGuard("x").NewThread(null!));
    }
}
