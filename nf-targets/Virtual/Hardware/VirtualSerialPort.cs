using System.Text;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// Serial1 of the virtual Core. The firmware's writes land in a FIFO of <see cref="FifoSize"/>
/// bytes without allocating (so a steady-state firmware loop that prints still allocates nothing);
/// the host side turns them into lines when it reads (<see cref="DrainLines"/>), keeps the last
/// <see cref="MaxLines"/>, and can echo them to the console from a thread of its own. When the host
/// falls behind, the oldest bytes are dropped and counted, as a UART FIFO overrun would.
/// </summary>
public sealed class VirtualSerialPort : ISerialPort, IDisposable
{
    public const int FifoSize = 256 * 1024;
    public const int MaxLines = 200;
    private const int MaxLineLength = 1024;

    private readonly object _sync = new();
    private readonly byte[] _fifo = new byte[FifoSize];
    private long _written;
    private long _read;
    private long _dropped;

    private readonly object _lineSync = new();
    private readonly List<byte> _partial = new(MaxLineLength);
    private readonly Queue<string> _lines = new();
    private long _linesSeen;
    private readonly BackgroundFaults _faults;
    private Thread? _echo;
    private volatile bool _disposed;

    /// <summary>A port whose console echo thread reports what it did not expect into <paramref name="faults"/> (its own recorder when null).</summary>
    public VirtualSerialPort(BackgroundFaults? faults = null)
    {
        _faults = faults ?? new BackgroundFaults();
    }

    public long BytesWritten { get { lock (_sync) return _written; } }

    public long BytesDropped { get { lock (_sync) return _dropped; } }

    public long LinesSeen { get { lock (_lineSync) return _linesSeen; } }

    /// <summary>Prints every line to the console (prefixed "[Serial1] ") as it is drained by a background thread.</summary>
    public bool EchoToConsole
    {
        get => _echo != null;
        set
        {
            if (!value || _echo != null) return;
            _echo = _faults.Start("Serial1 echo", () =>
            {
                while (!_disposed)
                {
                    foreach (var line in DrainLines()) Console.WriteLine("[Serial1] " + line);
                    Thread.Sleep(50);
                }
            });
        }
    }

    public void Write(byte[] buffer, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (offset < 0 || count < 0 || offset > buffer.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
        lock (_sync)
        {
            for (int i = 0; i < count; i++) _fifo[(_written + i) % FifoSize] = buffer[offset + i];
            _written += count;
            if (_written - _read > FifoSize)
            {
                _dropped += _written - _read - FifoSize;
                _read = _written - FifoSize;
            }
        }
    }

    /// <summary>Lines completed since the last call, oldest first ("\r\n" or "\n" ends a line).</summary>
    public IReadOnlyList<string> DrainLines()
    {
        byte[] chunk;
        lock (_sync)
        {
            chunk = new byte[_written - _read];
            for (int i = 0; i < chunk.Length; i++) chunk[i] = _fifo[(_read + i) % FifoSize];
            _read = _written;
        }
        var done = new List<string>();
        lock (_lineSync)
        {
            foreach (byte b in chunk)
            {
                if (b == (byte)'\n')
                {
                    int len = _partial.Count > 0 && _partial[^1] == (byte)'\r' ? _partial.Count - 1 : _partial.Count;
                    string line = Encoding.UTF8.GetString(_partial.GetRange(0, len).ToArray());
                    _partial.Clear();
                    done.Add(line);
                    _lines.Enqueue(line);
                    while (_lines.Count > MaxLines) _lines.Dequeue();
                    _linesSeen++;
                }
                else if (_partial.Count < MaxLineLength)
                {
                    _partial.Add(b);
                }
            }
        }
        return done;
    }

    /// <summary>The last <paramref name="count"/> lines drained (drains first).</summary>
    public IReadOnlyList<string> LastLines(int count)
    {
        if (_echo == null) DrainLines();
        lock (_lineSync) return _lines.Skip(Math.Max(0, _lines.Count - count)).ToArray();
    }

    public void Dispose() => _disposed = true;
}
