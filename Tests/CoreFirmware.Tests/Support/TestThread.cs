using Xunit.Sdk;

namespace CoreFirmware.Tests.Support;

/// <summary>
/// A thread a test starts to play one side of a scenario (a user blocked in Receive, a rival bus
/// holder). An exception escaping a plain thread ends the whole test host; this one keeps what its
/// body threw and <see cref="Join"/> fails the test with it, naming the thread. Background, so a
/// thread that never ends cannot keep the test host alive either.
/// </summary>
internal sealed class TestThread
{
    private readonly Thread _thread;
    private volatile Exception? _fault;

    private TestThread(string name, Action body)
    {
        Name = name;
        _thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                _fault = e;
            }
        }) { IsBackground = true, Name = name };
    }

    public string Name { get; }

    public bool IsAlive => _thread.IsAlive;

    /// <summary>Starts <paramref name="body"/> on a new background thread named <paramref name="name"/>.</summary>
    public static TestThread Start(string name, Action body)
    {
        var t = new TestThread(name, body);
        t._thread.Start();
        return t;
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMilliseconds"/>; true when the thread ended. When its body
    /// threw, fails the test with that exception.
    /// </summary>
    public bool Join(int timeoutMilliseconds)
    {
        bool ended = _thread.Join(timeoutMilliseconds);
        Exception? fault = _fault;
        if (ended && fault != null) throw new XunitException($"test thread '{Name}' threw {fault}");
        return ended;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the thread to end; fails the test when it does not, or when it threw.</summary>
    public void JoinOrFail(TimeSpan timeout)
    {
        if (!Join((int)timeout.TotalMilliseconds)) throw new XunitException($"test thread '{Name}' did not end within {timeout.TotalSeconds:0.#} s");
    }
}
