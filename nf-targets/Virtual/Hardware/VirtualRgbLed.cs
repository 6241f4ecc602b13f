using System.Diagnostics;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// The RGB LED of the virtual Core: the current duty cycles, and a bounded history of changes so
/// tests and the live view can tell a steady colour from a flashing or breathing one.
/// </summary>
public sealed class VirtualRgbLed : IRgbLed
{
    public const int HistoryLength = 512;

    public readonly record struct Sample(long AtTicks, byte Red, byte Green, byte Blue);

    private readonly object _sync = new();
    private readonly Sample[] _history = new Sample[HistoryLength];
    private int _next;
    private int _count;
    private Sample _current;

    public Sample Current { get { lock (_sync) return _current; } }

    public void SetColor(byte red, byte green, byte blue)
    {
        var s = new Sample(Stopwatch.GetTimestamp(), red, green, blue);
        lock (_sync)
        {
            _current = s;
            _history[_next] = s;
            _next = (_next + 1) % HistoryLength;
            if (_count < HistoryLength) _count++;
        }
    }

    /// <summary>Changes recorded in the last <paramref name="window"/>, oldest first.</summary>
    public Sample[] History(TimeSpan window)
    {
        long since = Stopwatch.GetTimestamp() - (long)(window.TotalSeconds * Stopwatch.Frequency);
        lock (_sync)
        {
            var list = new List<Sample>(_count);
            for (int i = 0; i < _count; i++)
            {
                var s = _history[(_next - _count + i + HistoryLength) % HistoryLength];
                if (s.AtTicks >= since) list.Add(s);
            }
            return list.ToArray();
        }
    }
}
