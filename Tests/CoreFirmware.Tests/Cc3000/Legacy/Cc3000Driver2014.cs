using CoreFirmware.Drivers.Hal;
using CoreFirmware.Drivers.Net;
using CoreFirmware.Drivers.Spi;
using CoreFirmware.Virtual;

namespace CoreFirmware.Tests.Cc3000.Legacy;

/// <summary>
/// The CC3000 host driver as the Spark Core ran it in 2014, for the negative run only (test code:
/// none of it may reach the firmware). What makes it 2014-style, against the firmware's driver:
/// <list type="bullet">
/// <item>one thread of control: every socket call holds one lock to its end (the Core ran the
/// system loop and the user loop on one thread), so a call that never returns starves every other
/// caller, the cloud's included;</item>
/// <item>unbounded waits: a command waits for its answer, and a send waits for a free buffer, for
/// ever (TI's host driver loops until the free-buffer count says so), with no liveness probe and no
/// module recovery;</item>
/// <item>free-buffer accounting that believes every 0x4100 report and never resynchronises;</item>
/// <item>no bus arbiter (it selects the CC3000 under its own lock only) and no way to abort a user
/// socket (the runtime's preemption finds nothing to act on).</item>
/// </list>
/// The SPI framing and HCI are right (the model would stop on a framing error, which is not the
/// failure this reproduces). <see cref="Stop"/> releases every wait, so a test can clean up.
/// </summary>
internal sealed class Cc3000Driver2014 : IWifiModule
{
    private const int MaxFrame = 1520;
    private const int MaxChunk = 1460;

    private readonly VirtualCc3000Part _part;
    private readonly object _api = new();   // the one thread of control
    private readonly object _spi = new();   // one SPI transaction at a time (the driver's own, not the board's arbiter)
    private readonly object _sync = new();  // state the IRQ worker writes
    private readonly AutoResetEvent _irq = new(false);
    private readonly byte[] _tx = new byte[MaxFrame + 8];
    private readonly byte[] _rx = new byte[MaxFrame + 8];
    private readonly byte[] _args = new byte[64];
    private Thread? _worker;
    private volatile bool _stopped;
    private bool _firstWrite;
    private bool _running;
    private int _freeBuffers;
    private bool _associated;
    private bool _dhcp;
    private int _awaitOpcode = -1;
    private bool _answered;
    private byte[]? _recvDest;
    private int _recvOffset;
    private int _recvMax;
    private int _recvLength;
    private bool _awaitData;
    private int _sendersBlocked;

    public Cc3000Driver2014(VirtualCc3000Part part)
    {
        _part = part;
        _part.Irq.ValueChanged += OnIrq;
    }

    /// <summary>Free buffers as this driver counts them (it believes every report).</summary>
    public int FreeBuffers { get { lock (_sync) return _freeBuffers; } }

    /// <summary>Senders waiting (for ever) for a free buffer now.</summary>
    public int SendersBlocked { get { lock (_sync) return _sendersBlocked; } }

    public bool IsNetworkUp { get { lock (_sync) return _associated && _dhcp; } }

    public int Start(int timeoutMilliseconds)
    {
        lock (_api)
        {
            _part.WlanEnable.Write(PinValue.Low);
            Thread.Sleep(20);
            lock (_sync)
            {
                _firstWrite = true;
                _running = false;
                _freeBuffers = 0;
                _associated = _dhcp = false;
            }
            _part.WlanEnable.Write(PinValue.High);
            long end = Environment.TickCount64 + timeoutMilliseconds;
            while (_part.Irq.Level != PinValue.Low)
            {
                if (Environment.TickCount64 > end) return (int)SocketError.TimedOut;
                Thread.Sleep(1);
            }
            _worker ??= StartWorker();
            _args[0] = 0;
            if (Command(0x4000, _args, 1) < 0) return (int)SocketError.ModuleError; // simple-link start, no patches
            lock (_sync) _running = true;
            if (Command(0x400B, _args, 0) < 0) return (int)SocketError.ModuleError; // read buffer size
            lock (_sync) _freeBuffers = _args[0];
            return 0;
        }
    }

    public int ConnectToAccessPoint(string ssid, string key, int timeoutMilliseconds)
    {
        lock (_api)
        {
            int at = 0;
            at = PutI32(_tx, 9 + at, 0x1C) - 9;
            at = PutI32(_tx, 9 + at, ssid.Length) - 9;
            at = PutI32(_tx, 9 + at, key.Length == 0 ? 0 : 3) - 9;
            at = PutI32(_tx, 9 + at, 0x10 + ssid.Length) - 9;
            at = PutI32(_tx, 9 + at, key.Length) - 9;
            for (int i = 0; i < 8; i++) _tx[9 + at++] = 0;
            foreach (char c in ssid) _tx[9 + at++] = (byte)c;
            foreach (char c in key) _tx[9 + at++] = (byte)c;
            var args = new byte[at];
            Array.Copy(_tx, 9, args, 0, at);
            if (Command(0x0001, args, at) < 0) return (int)SocketError.ModuleError;
        }
        long end = Environment.TickCount64 + timeoutMilliseconds;
        while (!IsNetworkUp)
        {
            if (Environment.TickCount64 > end || _stopped) return (int)SocketError.NetworkDown;
            Thread.Sleep(5);
        }
        return 0;
    }

    public INetworkSockets CreateSocketView(BusPriority priority) => new View(this);

    /// <summary>Pulls the plug: every wait ends (calls fail) and the module is powered off.</summary>
    public void Stop()
    {
        _stopped = true;
        lock (_sync) Monitor.PulseAll(_sync);
        _irq.Set();
        _part.Irq.ValueChanged -= OnIrq;
        _part.WlanEnable.Write(PinValue.Low);
        _worker?.Join(2000);
    }

    private void OnIrq(object sender, PinValueChangedEventArgs e)
    {
        if (e.ChangeType == PinEventTypes.Falling) _irq.Set();
    }

    private Thread StartWorker()
    {
        var t = new Thread(WorkerLoop) { IsBackground = true, Name = "CC3000 2014 worker" };
        t.Start();
        return t;
    }

    // The IRQ worker: reads every frame the module has (TI's SPI interrupt handler).
    private void WorkerLoop()
    {
        try
        {
            ReadFrames();
        }
        catch (Exception e)
        {
            // A plain thread must not end the test host: kept for the test to see.
            WorkerFault = e;
        }
    }

    /// <summary>What the IRQ worker threw, if anything (null on a healthy run).</summary>
    public Exception? WorkerFault { get; private set; }

    private void ReadFrames()
    {
        while (!_stopped)
        {
            _irq.WaitOne(5);
            while (!_stopped)
            {
                int n;
                lock (_spi)
                {
                    bool running;
                    lock (_sync) running = _running || !_firstWrite;
                    if (!running || _part.Irq.Level != PinValue.Low) break;
                    var header = new byte[] { 0x03, 0, 0, 0, 0 };
                    var head = new byte[5];
                    _part.Device.Select();
                    _part.Device.TransferFullDuplex(header, 0, head, 0, 5);
                    n = (head[3] << 8) | head[4];
                    int clocked = ((5 + n) & 1) != 0 ? n + 1 : n;
                    if (n == 0 || clocked > _rx.Length)
                    {
                        _part.Device.Deselect();
                        break;
                    }
                    _part.Device.Read(_rx, 0, clocked);
                    _part.Device.Deselect();
                }
                Dispatch(n);
            }
        }
    }

    private void Dispatch(int length)
    {
        lock (_sync)
        {
            if (_rx[0] == 0x04 && length >= 5)
            {
                int opcode = _rx[1] | (_rx[2] << 8);
                int argsLength = _rx[3] - 1;
                switch (opcode)
                {
                    case 0x4100:
                        // Every report believed, no cap, no per-socket check (TI's flow-control handler).
                        int entries = _rx[5] | (_rx[6] << 8);
                        for (int i = 0; i < entries; i++) _freeBuffers += _rx[7 + 4 * i + 2] | (_rx[7 + 4 * i + 3] << 8);
                        break;
                    case 0x8001: _associated = true; break;
                    case 0x8002: _associated = false; _dhcp = false; break;
                    case 0x8010: _dhcp = true; break;
                    default:
                        if (opcode == _awaitOpcode && !_answered && !_awaitData)
                        {
                            Array.Copy(_rx, 5, _args, 0, Math.Min(Math.Max(argsLength, 0), _args.Length));
                            int count = opcode == 0x1004 && argsLength >= 8 ? _args[4] | (_args[5] << 8) | (_args[6] << 16) | (_args[7] << 24) : 0;
                            if (count > 0 && _recvDest != null) _awaitData = true;
                            else _answered = true;
                        }
                        break;
                }
            }
            else if (_rx[0] == 0x02 && _awaitData)
            {
                int argsLength = _rx[2];
                int payload = _rx[3] | (_rx[4] << 8);
                int n = Math.Min(payload - argsLength, _recvMax);
                Array.Copy(_rx, 5 + argsLength, _recvDest!, _recvOffset, n);
                _recvLength = n;
                _awaitData = false;
                _answered = true;
            }
            Monitor.PulseAll(_sync);
        }
    }

    // Caller holds _api. Writes one command and waits for its answer, for ever (until Stop).
    private int Command(int opcode, byte[] args, int argsLength, byte[]? recvDest = null, int recvOffset = 0, int recvMax = 0)
    {
        _tx[5] = 0x01;
        _tx[6] = (byte)opcode;
        _tx[7] = (byte)(opcode >> 8);
        _tx[8] = (byte)argsLength;
        if (!ReferenceEquals(args, _tx)) Array.Copy(args, 0, _tx, 9, argsLength);
        return Exchange(opcode, 4 + argsLength, null, 0, 0, recvDest, recvOffset, recvMax);
    }

    private int Exchange(int answerOpcode, int packetLength, byte[]? data, int dataOffset, int dataLength, byte[]? recvDest, int recvOffset, int recvMax)
    {
        lock (_sync)
        {
            _awaitOpcode = answerOpcode;
            _answered = false;
            _awaitData = false;
            _recvDest = recvDest;
            _recvOffset = recvOffset;
            _recvMax = recvMax;
            _recvLength = 0;
        }
        if (!Write(packetLength, data, dataOffset, dataLength)) return (int)SocketError.ModuleError;
        lock (_sync)
        {
            while (!_answered && !_stopped) Monitor.Wait(_sync);
            _awaitOpcode = -1;
            return _answered ? 0 : (int)SocketError.ModuleError;
        }
    }

    // One host write: CS, wait for IRQ low (for ever), header, packet (the first write split with ~50 us pauses).
    private bool Write(int packetLength, byte[]? data, int dataOffset, int dataLength)
    {
        int payload = packetLength + dataLength;
        bool pad = ((5 + payload) & 1) != 0;
        int length = pad ? payload + 1 : payload;
        _tx[0] = 0x01;
        _tx[1] = (byte)(length >> 8);
        _tx[2] = (byte)length;
        _tx[3] = 0;
        _tx[4] = 0;
        lock (_spi)
        {
            _part.Device.Select();
            while (_part.Irq.Level != PinValue.Low)
            {
                if (_stopped)
                {
                    _part.Device.Deselect();
                    return false;
                }
                Thread.Sleep(0);
            }
            bool first;
            lock (_sync) first = _firstWrite;
            if (first)
            {
                SpinMicroseconds(60);
                _part.Device.Write(_tx, 0, 4);
                SpinMicroseconds(60);
                _part.Device.Write(_tx, 4, 5 + packetLength - 4);
                lock (_sync) _firstWrite = false;
            }
            else
            {
                _part.Device.Write(_tx, 0, 5 + packetLength);
            }
            if (dataLength > 0) _part.Device.Write(data!, dataOffset, dataLength);
            if (pad) _part.Device.Write(new byte[1], 0, 1);
            _part.Device.Deselect();
        }
        return true;
    }

    private static void SpinMicroseconds(int us)
    {
        long until = System.Diagnostics.Stopwatch.GetTimestamp() + us * System.Diagnostics.Stopwatch.Frequency / 1_000_000;
        while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
        {
        }
    }

    private static int PutI32(byte[] b, int at, int v)
    {
        b[at] = (byte)v;
        b[at + 1] = (byte)(v >> 8);
        b[at + 2] = (byte)(v >> 16);
        b[at + 3] = (byte)(v >> 24);
        return at + 4;
    }

    private int ArgI32(int at) => _args[at] | (_args[at + 1] << 8) | (_args[at + 2] << 16) | (_args[at + 3] << 24);

    // The socket API of 2014: the module's descriptor is the handle; every call holds the one lock.
    private sealed class View(Cc3000Driver2014 d) : INetworkSockets, ISocketAborter
    {
        public int Open(int timeoutMilliseconds)
        {
            lock (d._api)
            {
                if (d._stopped) return (int)SocketError.NetworkDown;
                int at = PutI32(d._tx, 9, 2);
                at = PutI32(d._tx, at, 1);
                at = PutI32(d._tx, at, 6);
                if (d.Command(0x1001, d._tx, at - 9) < 0) return (int)SocketError.ModuleError;
                int sd = d.ArgI32(0);
                if (sd < 0) return (int)SocketError.NoFreeSocket;
                // SOL_SOCKET, SOCKOPT_RECV_NONBLOCK, SOCK_ON
                at = PutI32(d._tx, 9, sd);
                at = PutI32(d._tx, at, 0xFFFF);
                at = PutI32(d._tx, at, 0);
                at = PutI32(d._tx, at, 8);
                at = PutI32(d._tx, at, 4);
                at = PutI32(d._tx, at, 0);
                if (d.Command(0x1009, d._tx, at - 9) < 0) return (int)SocketError.ModuleError;
                return sd;
            }
        }

        public int Connect(int socket, uint ipv4, int port, int timeoutMilliseconds)
        {
            lock (d._api)
            {
                if (d._stopped) return (int)SocketError.NetworkDown;
                int at = PutI32(d._tx, 9, socket);
                at = PutI32(d._tx, at, 8);
                at = PutI32(d._tx, at, 8);
                d._tx[at++] = 2;
                d._tx[at++] = 0;
                d._tx[at++] = (byte)(port >> 8);
                d._tx[at++] = (byte)port;
                d._tx[at++] = (byte)(ipv4 >> 24);
                d._tx[at++] = (byte)(ipv4 >> 16);
                d._tx[at++] = (byte)(ipv4 >> 8);
                d._tx[at++] = (byte)ipv4;
                if (d.Command(0x1007, d._tx, at - 9) < 0) return (int)SocketError.ModuleError;
                return d.ArgI32(0) < 0 ? (int)SocketError.ConnectionRefused : 0;
            }
        }

        public int Send(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            lock (d._api)
            {
                int sent = 0;
                while (sent < count)
                {
                    int chunk = Math.Min(count - sent, MaxChunk);
                    lock (d._sync)
                    {
                        // TI's send: wait until the module has a free buffer. No timeout.
                        d._sendersBlocked++;
                        while (d._freeBuffers <= 0 && !d._stopped) Monitor.Wait(d._sync);
                        d._sendersBlocked--;
                        if (d._stopped) return (int)SocketError.ModuleError;
                        d._freeBuffers--;
                    }
                    d._tx[5] = 0x02;
                    d._tx[6] = 0x81;
                    d._tx[7] = 16;
                    int payload = 16 + chunk;
                    d._tx[8] = (byte)payload;
                    d._tx[9] = (byte)(payload >> 8);
                    int at = PutI32(d._tx, 10, socket);
                    at = PutI32(d._tx, at, 12);
                    at = PutI32(d._tx, at, chunk);
                    PutI32(d._tx, at, 0);
                    if (d.Exchange(0x1003, 5 + 16, buffer, offset + sent, chunk, null, 0, 0) < 0) return (int)SocketError.ModuleError;
                    int n = d.ArgI32(4);
                    if (n < 0) return (int)SocketError.ConnectionReset;
                    sent += chunk;
                }
                return count;
            }
        }

        public int Receive(int socket, byte[] buffer, int offset, int count, int timeoutMilliseconds)
        {
            long end = Environment.TickCount64 + timeoutMilliseconds;
            while (true)
            {
                lock (d._api)
                {
                    if (d._stopped) return (int)SocketError.ModuleError;
                    int at = PutI32(d._tx, 9, socket);
                    at = PutI32(d._tx, at, Math.Min(count, MaxChunk));
                    at = PutI32(d._tx, at, 0);
                    if (d.Command(0x1004, d._tx, at - 9, buffer, offset, Math.Min(count, MaxChunk)) < 0) return (int)SocketError.ModuleError;
                    int n = d.ArgI32(4);
                    if (n > 0) return d._recvLength;
                    if (n == -57) return 0;
                    if (n < 0) return (int)SocketError.ConnectionReset;
                }
                if (Environment.TickCount64 > end) return (int)SocketError.TimedOut;
                Thread.Sleep(1);
            }
        }

        public int Close(int socket)
        {
            lock (d._api)
            {
                if (d._stopped) return 0;
                int at = PutI32(d._tx, 9, socket);
                return d.Command(0x100B, d._tx, at - 9) < 0 ? (int)SocketError.ModuleError : 0;
            }
        }

        public int ResolveHost(string hostName, out uint ipv4, int timeoutMilliseconds)
        {
            ipv4 = 0;
            lock (d._api)
            {
                if (d._stopped) return (int)SocketError.NetworkDown;
                int at = PutI32(d._tx, 9, 8);
                at = PutI32(d._tx, at, hostName.Length);
                foreach (char c in hostName) d._tx[at++] = (byte)c;
                if (d.Command(0x1010, d._tx, at - 9) < 0) return (int)SocketError.ModuleError;
                if (d.ArgI32(0) < 0) return (int)SocketError.HostNotFound;
                ipv4 = (uint)d.ArgI32(4);
                return 0;
            }
        }

        // 2014 had no way to take a socket away from the user.
        public void Abort(int socket, SocketError reason)
        {
        }
    }
}
