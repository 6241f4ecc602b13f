using System.Text;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// Serial1 of the virtual Core: collects the bytes the firmware writes into lines, keeps the last
/// <see cref="MaxLines"/> of them, and optionally echoes each line to the console.
/// </summary>
public sealed class VirtualSerialPort : ISerialPort
{
    public const int MaxLines = 200;
    private const int MaxLineLength = 1024;

    private readonly object _sync = new();
    private readonly byte[] _line = new byte[MaxLineLength];
    private readonly Queue<string> _lines = new();
    private int _lineLength;
    private long _bytesWritten;
    private long _linesWritten;

    /// <summary>Called with every completed line (off the firmware's hot path is the caller's business).</summary>
    public event Action<string>? LineWritten;

    public bool EchoToConsole { get; set; }

    public long BytesWritten { get { lock (_sync) return _bytesWritten; } }

    public long LinesWritten { get { lock (_sync) return _linesWritten; } }

    public IReadOnlyList<string> LastLines(int count)
    {
        lock (_sync) return _lines.Skip(Math.Max(0, _lines.Count - count)).ToArray();
    }

    public void Write(byte[] buffer, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (offset < 0 || count < 0 || offset > buffer.Length - count) throw new ArgumentOutOfRangeException(nameof(count));
        for (int i = 0; i < count; i++)
        {
            byte b = buffer[offset + i];
            string? done = null;
            lock (_sync)
            {
                _bytesWritten++;
                if (b == (byte)'\n')
                {
                    int len = _lineLength > 0 && _line[_lineLength - 1] == (byte)'\r' ? _lineLength - 1 : _lineLength;
                    done = Encoding.UTF8.GetString(_line, 0, len);
                    _lineLength = 0;
                    _lines.Enqueue(done);
                    while (_lines.Count > MaxLines) _lines.Dequeue();
                    _linesWritten++;
                }
                else if (_lineLength < MaxLineLength)
                {
                    _line[_lineLength++] = b;
                }
            }
            if (done != null)
            {
                if (EchoToConsole) Console.WriteLine("[Serial1] " + done);
                LineWritten?.Invoke(done);
            }
        }
    }
}
