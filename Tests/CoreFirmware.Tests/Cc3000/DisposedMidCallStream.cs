using System.Net.Sockets;

namespace CoreFirmware.Tests.Cc3000;

/// <summary>
/// The model socket's TCP stream, with a pause at the one point the test-host crash needed: inside
/// <see cref="NetworkStream.Read(byte[], int, int)"/> (or Write), after NetworkStream checked that it
/// is not disposed and before it asks <see cref="CanRead"/> (<see cref="CanWrite"/>). There the stream
/// calls <c>inWindow</c> once (the test closes the socket meanwhile), then disposes itself, as the
/// model's closer thread disposing the connection at that instant would. NetworkStream's own code then
/// throws what the crashed run showed: InvalidOperationException "The stream does not support reading".
/// </summary>
internal sealed class DisposedMidCallStream : NetworkStream
{
    private readonly bool _duringWrite;
    private readonly Action _inWindow;
    private int _inCall;
    private int _fired;
    private volatile Exception? _thrown;

    public DisposedMidCallStream(Socket socket, bool duringWrite, Action inWindow) : base(socket, ownsSocket: false)
    {
        _duringWrite = duringWrite;
        _inWindow = inWindow;
    }

    /// <summary>What the call in the window threw (null until then).</summary>
    public Exception? Thrown => _thrown;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_duringWrite) return base.Read(buffer, offset, count);
        return Call(() => base.Read(buffer, offset, count));
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (!_duringWrite)
        {
            base.Write(buffer, offset, count);
            return;
        }
        Call(() =>
        {
            base.Write(buffer, offset, count);
            return count;
        });
    }

    public override bool CanRead => Window() && base.CanRead;

    public override bool CanWrite => Window() && base.CanWrite;

    private int Call(Func<int> io)
    {
        Volatile.Write(ref _inCall, 1);
        try
        {
            return io();
        }
        catch (Exception e) when (Volatile.Read(ref _fired) == 1 && _thrown == null)
        {
            _thrown = e;
            throw;
        }
        finally
        {
            Volatile.Write(ref _inCall, 0);
        }
    }

    // Inside the call, the first time only: let the test act, then dispose (the closer's part).
    private bool Window()
    {
        if (Volatile.Read(ref _inCall) == 1 && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            _inWindow();
            Dispose();
        }
        return true;
    }
}
