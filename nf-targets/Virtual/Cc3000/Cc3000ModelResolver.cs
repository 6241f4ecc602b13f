namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The module's DNS: gethostbyname answered from a table of names (<see cref="Cc3000Model.SetHost"/>;
/// names not in it do not resolve), looked up without making a string (the SPI path allocates
/// nothing). The fault plan's DNS delay makes the answer come later (the lookup runs on the module,
/// which takes other commands meanwhile) or never. Guarded by the model's lock.
/// </summary>
internal sealed class Cc3000ModelResolver
{
    private readonly Cc3000Model _model;
    private readonly Dictionary<string, uint> _hosts = new(StringComparer.OrdinalIgnoreCase);
    // A late answer: when it comes due (TickCount64 ms; 0 = none), then due to be queued.
    private long _answerAt;
    private bool _answerDue;
    private int _result;
    private uint _ip;

    public Cc3000ModelResolver(Cc3000Model model) => _model = model;

    public void SetHostLocked(string name, uint ipv4) => _hosts[name] = ipv4;

    /// <summary>Power went off: a lookup in progress is forgotten.</summary>
    public void ResetLocked()
    {
        _answerDue = false;
        _answerAt = 0;
    }

    /// <summary>gethostbyname: u32 8, u32 name length, name (in <paramref name="rx"/> from <paramref name="args"/>).</summary>
    public void GetHostByNameLocked(byte[] rx, int args, int argsLength)
    {
        uint ip = 0;
        int result = Cc3000Wire.ErrorGeneric;
        if (argsLength >= 8)
        {
            int nameLength = (int)Cc3000Wire.GetU32(rx, args + 4);
            if (nameLength > 0 && 8 + nameLength <= argsLength)
            {
                if (TryFindHostLocked(rx, args + 8, nameLength, out ip)) result = 0;
            }
        }
        int delay = _model.FaultPlan.DnsDelayMilliseconds;
        if (delay < 0) return; // the lookup never ends
        if (delay > 0)
        {
            // The lookup runs on the module; other commands are answered meanwhile.
            _result = result;
            _ip = ip;
            _answerAt = Environment.TickCount64 + delay;
            _model.Timer.WakeLocked(_answerAt);
            return;
        }
        AnswerLocked(result, ip);
    }

    /// <summary>The timer looked: a late answer that came due is to be queued.</summary>
    public void OnTimerLocked(long now)
    {
        if (_answerAt == 0) return;
        if (_answerAt <= now)
        {
            _answerAt = 0;
            _answerDue = true;
        }
        else _model.Timer.WakeLocked(_answerAt);
    }

    /// <summary>Queues a late answer that came due; false when none.</summary>
    public bool QueueDueAnswerLocked()
    {
        if (!_answerDue) return false;
        _answerDue = false;
        AnswerLocked(_result, _ip);
        return true;
    }

    // Looks the ASCII name up (case-insensitive) without making a string.
    private bool TryFindHostLocked(byte[] rx, int at, int length, out uint ip)
    {
        foreach (var entry in _hosts)
        {
            string name = entry.Key;
            if (name.Length != length) continue;
            int i = 0;
            while (i < length && name[i] < 128 && AsciiLower(rx[at + i]) == AsciiLower((byte)name[i])) i++;
            if (i == length)
            {
                ip = entry.Value;
                return true;
            }
        }
        ip = 0;
        return false;
    }

    private static byte AsciiLower(byte b) => b >= (byte)'A' && b <= (byte)'Z' ? (byte)(b + 32) : b;

    private void AnswerLocked(int result, uint ip)
    {
        Cc3000ModelEventQueue queue = _model.Queue;
        int slot = queue.BeginEventLocked(Cc3000Wire.GetHostByName, 0);
        if (slot < 0) return;
        int p = 5;
        Cc3000Wire.PutU32(queue.Packet(slot), ref p, (uint)result);
        Cc3000Wire.PutU32(queue.Packet(slot), ref p, ip);
        queue.EndEventLocked(slot, p);
    }
}
