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

    /// <summary>
    /// Fault hook: the next write throws this (once), as a driver over a failed PWM timer would; the
    /// firmware's LED thread must not take the process with it.
    /// </summary>
    public Exception? FailNextWrite
    {
        get { lock (_sync) return _failNextWrite; }
        set { lock (_sync) _failNextWrite = value; }
    }

    private Exception? _failNextWrite;

    public void SetColor(byte red, byte green, byte blue)
    {
        Exception? fail;
        lock (_sync)
        {
            fail = _failNextWrite;
            _failNextWrite = null;
        }
        if (fail != null) throw fail;
        var s = new Sample(Stopwatch.GetTimestamp(), red, green, blue);
        lock (_sync)
        {
            _current = s;
            _history[_next] = s;
            _next = (_next + 1) % HistoryLength;
            if (_count < HistoryLength) _count++;
        }
    }

    /// <summary>
    /// What a person would call the LED's behaviour over the last <paramref name="window"/>:
    /// "off", "solid cyan", "flashing magenta", "breathing cyan", ... A steady colour has one
    /// level, flashing switches between off and one level, breathing ramps through many levels.
    /// </summary>
    public string DescribePattern(TimeSpan window)
    {
        var samples = History(window);
        if (samples.Length == 0)
        {
            var c = Current;
            return c.Red == 0 && c.Green == 0 && c.Blue == 0 ? "off" : "solid " + ColorName(c);
        }
        var levels = new HashSet<byte>();
        Sample brightest = samples[0];
        foreach (var s in samples)
        {
            byte level = Math.Max(s.Red, Math.Max(s.Green, s.Blue));
            levels.Add(level);
            if (level > Math.Max(brightest.Red, Math.Max(brightest.Green, brightest.Blue))) brightest = s;
        }
        if (levels.Count == 1) return levels.Contains(0) ? "off" : "solid " + ColorName(brightest);
        string color = ColorName(brightest);
        if (levels.Count == 2 && levels.Contains(0)) return "flashing " + color;
        return levels.Count >= 5 ? "breathing " + color : "changing " + color;
    }

    /// <summary>The name of the hue of a sample: which channels are lit, relative to the brightest.</summary>
    public static string ColorName(Sample s)
    {
        int max = Math.Max(s.Red, Math.Max(s.Green, s.Blue));
        if (max == 0) return "off";
        bool r = s.Red * 2 > max, g = s.Green * 2 > max, b = s.Blue * 2 > max;
        return (r, g, b) switch
        {
            (true, false, false) => "red",
            (false, true, false) => "green",
            (false, false, true) => "blue",
            (false, true, true) => "cyan",
            (true, false, true) => "magenta",
            (true, true, false) => "yellow",
            _ => "white",
        };
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
