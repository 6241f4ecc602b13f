using System.Diagnostics;
using System.Text;
using CoreFirmware.Drivers.Hal;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Virtual.Cc3000;

/// <summary>
/// The TI CC3000 WiFi module at its pins: SPI mode 1 with its own chip select, an active-low IRQ
/// line it drives, and WLAN_EN (power) it watches. It speaks the real SPI framing and HCI packets
/// and carries each socket as a real TCP connection to 127.0.0.1.
/// </summary>
/// <remarks>
/// <para>SPI side: driven only by the host's chip select, clocked bytes and the IRQ handshake. The
/// framing is parsed byte by byte across transfers and enforced: a wrong first byte, a bad length,
/// bytes clocked before the module signalled ready (IRQ low), an unsplit first write after power-up,
/// a short or long frame, a data packet with no free buffer, or an overrun of the event queue is a
/// framing violation, after which the module stops answering (IRQ stays high) until WLAN_EN is
/// cycled, as the part does. The SPI path allocates nothing.</para>
/// <para>Collision rule (chosen; TI's SPI notes give the host's write precedence when CS and IRQ
/// fall together): with an event pending (IRQ low) the first byte decides, 0x03 reads it and 0x01
/// writes, and the event stays queued.</para>
/// <para>Limits of the real part: <see cref="MaxSockets"/> sockets, <see cref="TxBufferCount"/>
/// transmit buffers of <see cref="BufferLength"/> bytes, flow-controlled with free-buffer (0x4100)
/// events. Every queue is bounded.</para>
/// </remarks>
public sealed class Cc3000Model : ISpiPeripheralModel, IDisposable
{
    /// <summary>
    /// Sockets the module keeps open at once: 4 (TI E2E forum answer on the CC3000's socket limit,
    /// quoted in tessel/t1-firmware#54 and enforced there as "> 4 throws"). TI's host driver tracks
    /// descriptors 0..7, but the module itself refuses a fifth.
    /// </summary>
    public const int MaxSockets = 4;

    /// <summary>
    /// Transmit buffers the module reports in answer to read-buffer-size: 6 (SOCKET_MAX_FREE_BUFFERS
    /// in a port of TI's host-driver socket.h). The host may send a data packet only while it holds one.
    /// </summary>
    public const int TxBufferCount = 6;

    /// <summary>
    /// Length of one module buffer, the largest SPI payload accepted: 1520 bytes, TI's
    /// CC3000_MAXIMAL_TX_SIZE (1519 + 1) in cc3000_common.h (an Ethernet-MTU frame; the module does
    /// not fragment). The exact figure the part reports was not confirmed; this is the host driver's bound.
    /// </summary>
    public const int BufferLength = 1520;

    /// <summary>
    /// Bytes the module holds per socket for data received from the peer and not yet read by the
    /// host: 4096. Chosen (the part's internal buffering is undocumented); when full, the model stops
    /// reading the TCP socket so the peer is pushed back by TCP's window.
    /// </summary>
    public const int SocketReceiveBufferSize = 4096;

    /// <summary>Module-to-host packets that can wait to be read (command answers and events).</summary>
    public const int EventQueueSlots = 8;

    // Slots kept free for command answers when unsolicited events are queued.
    private const int SlotsReservedForAnswers = 3;

    // Argument bytes of a recv data packet: socket, byte count, flags (u32 each). Chosen to mirror the
    // recv event's arguments.
    private const int RecvDataArgsLength = 12;

    /// <summary>Largest recv answer: a buffer minus SPI header, HCI data header, recv args and a pad byte.</summary>
    public const int MaxRecvChunk = BufferLength - Cc3000Wire.SpiHeaderSize - 5 - RecvDataArgsLength - 1;

    /// <summary>Pause the host must leave after the first 4 bytes of the first write: ~50 us (spec).</summary>
    public const long FirstWriteGapMicroseconds = 50;

    private enum Power { Off, Booting, AwaitingFirstWrite, Running }

    private enum Transaction { None, Ignored, NotReady, Undecided, Write, Read }

    private readonly object _sync = new();
    private readonly VirtualGpioPin _irq;
    private readonly VirtualGpioPin _wlanEnable;

    // Host -> module frame being received.
    private readonly byte[] _rx = new byte[BufferLength];
    private int _rxLength;

    // Module -> host queue of HCI packets.
    private readonly byte[][] _out = new byte[EventQueueSlots][];
    private readonly int[] _outLength = new int[EventQueueSlots];
    // When each queued packet may be signalled (Environment.TickCount64 ms; 0 = at once): late answers.
    private readonly long[] _outDueAt = new long[EventQueueSlots];
    private int _outHead;
    private int _outCount;

    // Shared transmit buffers.
    private readonly byte[][] _tx = new byte[TxBufferCount][];
    private readonly int[] _txFree = new int[TxBufferCount];
    private int _txFreeCount;
    private readonly int[] _freedPerSocket = new int[MaxSockets];

    private readonly Cc3000ModelSocket?[] _sockets = new Cc3000ModelSocket?[MaxSockets];
    // One socket object per socket number, reused by every socket opened with that number.
    private readonly Cc3000ModelSocket[] _socketPool = new Cc3000ModelSocket[MaxSockets];
    private bool _disposed;

    // TCP connections the host closed, waiting for the closer thread: closing a .NET socket
    // allocates, and the host's close command must not allocate on the thread driving the bus.
    private readonly System.Net.Sockets.TcpClient?[] _toClose = new System.Net.Sockets.TcpClient?[2 * MaxSockets];
    private readonly bool[] _toCloseGracefully = new bool[2 * MaxSockets];
    // The answer to a closesocket that waited for its socket's queued buffers to go out.
    private bool _closeAnswerDue;
    // How long a closesocket waits for its queued buffers to go out before it resets the connection.
    private const int CloseDrainMilliseconds = 1000;
    private int _toCloseHead;
    private int _toCloseCount;
    private Thread? _closer;
    private readonly Dictionary<string, uint> _hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<ulong, int> _forwards = new();

    private Power _power = Power.Off;
    private int _powerEpoch;
    private bool _hung;
    private bool _stopped;
    private bool _selected;
    private Transaction _transaction;
    private int _clocked;
    private bool _firstWrite;
    private long _firstWriteSplitAt;

    private string _apSsid = "CoreNet";
    private string _apKey = "";
    private bool _connectEventDue;
    private bool _connectReported;
    private bool _disconnectEventDue;
    private bool _apAvailable = true;
    private int _bootsToFail;
    private bool _dhcpEventDue;
    private bool _associated;

    private int _lowestFree = TxBufferCount;

    // Faults (see the fault hooks): free-buffer reports to lose, buffers to keep, the IRQ of one frame
    // to drop, DNS and connect answers that come late or never, and the timer thread that brings them.
    private int _freeReportsToLose;
    private int _buffersToWithhold;
    private int _buffersWithheld;
    private bool _dropIrqArmed;
    private bool _irqDropped;
    private long _firstWriteSelectedAt;
    private readonly HashSet<uint> _blackHoles = new();
    private bool _dnsAnswerDue;
    private long _dnsAnswerAt;
    private int _dnsResult;
    private uint _dnsIp;
    private Thread? _timer;
    private long _timerWakeAt;
    private long _frames;
    private long _violations;
    private long _powerUps;
    private long _powerDowns;
    private string? _lastViolation;

    /// <summary>
    /// Creates the module on its IRQ (driven, idle high) and WLAN_EN (watched) pins. Its host threads
    /// report what they did not expect into <paramref name="faults"/> (a recorder of its own when null).
    /// </summary>
    public Cc3000Model(VirtualGpioPin irq, VirtualGpioPin wlanEnable, BackgroundFaults? faults = null)
    {
        Faults = faults ?? new BackgroundFaults();
        _irq = irq;
        _wlanEnable = wlanEnable;
        for (int i = 0; i < EventQueueSlots; i++) _out[i] = new byte[BufferLength];
        for (int i = 0; i < TxBufferCount; i++) _tx[i] = new byte[BufferLength];
        for (int i = 0; i < MaxSockets; i++) _socketPool[i] = new Cc3000ModelSocket(this, _sync, i, SocketReceiveBufferSize, TxBufferCount);
        ResetBuffersLocked();
        _irq.Drive(PinValue.High);
        _wlanEnable.LevelChanged += OnWlanEnableChanged;
        if (_wlanEnable.Level == PinValue.High) PowerUp();
    }

    public string PartName => "CC3000";

    /// <summary>Exceptions the model's host threads (socket I/O, closer, boot, association) did not expect.</summary>
    public BackgroundFaults Faults { get; }

    public int ChipSelectPin => SparkCorePins.Cc3000ChipSelect;

    public SpiMode Mode => SpiMode.Mode1;

    /// <summary>Time from WLAN_EN rising to IRQ low (ready). Chosen short (the part takes tens of ms) to keep tests fast.</summary>
    public int BootDelayMilliseconds { get; set; } = 5;

    /// <summary>Time from a wlan-connect answer to the association and DHCP events.</summary>
    public int AssociationDelayMilliseconds { get; set; } = 5;

    /// <summary>
    /// Time the module takes to put one transmit buffer on the air before freeing it (0 = as fast as
    /// the host's TCP stack takes it). A timing hook: a slow radio makes the host run out of buffers.
    /// </summary>
    public int TransmitDelayMilliseconds { get; set; }

    /// <summary>Fewest free transmit buffers seen since power-up (0 = the host had to wait for flow control).</summary>
    public int LowestFreeBuffers { get { lock (_sync) return _lowestFree; } }

    /// <summary>Address DHCP hands the module.</summary>
    public uint DhcpAddress { get; set; } = (192u << 24) | (168u << 16) | (1u << 8) | 100u;

    /// <summary>Complete frames exchanged (host writes and module reads).</summary>
    public long Frames { get { lock (_sync) return _frames; } }

    /// <summary>Framing violations seen (each stops the module until WLAN_EN cycles).</summary>
    public long Violations { get { lock (_sync) return _violations; } }

    /// <summary>Times WLAN_EN rose (power-ups, including the first).</summary>
    public long PowerUps { get { lock (_sync) return _powerUps; } }

    /// <summary>Times WLAN_EN fell: a reset seen by the module.</summary>
    public long Resets { get { lock (_sync) return _powerDowns; } }

    /// <summary>What the last violation was.</summary>
    public string? LastViolation { get { lock (_sync) return _lastViolation; } }

    /// <summary>True while stopped by a framing violation.</summary>
    public bool IsStopped { get { lock (_sync) return _stopped; } }

    /// <summary>True while hung by <see cref="InjectHang"/>.</summary>
    public bool IsHung { get { lock (_sync) return _hung; } }

    /// <summary>True once the module reported association and DHCP to the host.</summary>
    public bool IsAssociated { get { lock (_sync) return _associated; } }

    /// <summary>Sockets open on the module now.</summary>
    public int OpenSockets
    {
        get
        {
            lock (_sync)
            {
                int n = 0;
                foreach (var s in _sockets) if (s != null) n++;
                return n;
            }
        }
    }

    /// <summary>
    /// Fault hook: every command answer (and the data packet of a recv) is signalled this long after
    /// the command, as a module busy with its radio would answer (0 = at once). Unsolicited events
    /// queued behind a late answer wait for it (the module's queue is in order).
    /// </summary>
    public int AnswerDelayMilliseconds { get; set; }

    /// <summary>
    /// Fault hook: a gethostbyname is answered this long after it was asked (0 = at once); the module
    /// takes other commands meanwhile (the lookup runs on the module). Negative: never answered.
    /// </summary>
    public int DnsDelayMilliseconds { get; set; }

    /// <summary>
    /// The module's own TCP connect timeout: a connect to an address that never answers (see
    /// <see cref="AddBlackHole"/>) is answered -1 this long after it was asked. 20 s, chosen (the
    /// part's figure is not documented in what we read; SYN retries take tens of seconds on most stacks).
    /// </summary>
    public int ConnectTimeoutMilliseconds { get; set; } = 20_000;

    /// <summary>
    /// False (default): a non-blocking recv on a socket whose peer closed, once drained, answers -57
    /// (ERROR_SOCKET_INACTIVE). True: it answers 0 like "nothing yet", and the host learns of the
    /// peer's FIN only from the close-wait event (0x800C, socket id in its first argument), as TI's
    /// host driver documents the event.
    /// </summary>
    public bool PeerCloseOnlyByEvent { get; set; }

    /// <summary>Buffers the module kept by <see cref="WithholdFreeBuffers"/> (free again after a power cycle).</summary>
    public int BuffersWithheld { get { lock (_sync) return _buffersWithheld; } }

    /// <summary>Free transmit buffers the module has now.</summary>
    public int FreeBuffersNow { get { lock (_sync) return _txFreeCount; } }

    /// <summary>
    /// Fault hook: the next <paramref name="buffers"/> transmit buffers the module frees are not
    /// reported to the host (the free-buffer event 0x4100 that would carry them is lost): the module
    /// has them free again, the host does not know.
    /// </summary>
    public void LoseFreeBufferReports(int buffers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(buffers);
        lock (_sync) _freeReportsToLose = buffers;
    }

    /// <summary>
    /// Fault hook: the next <paramref name="buffers"/> transmit buffers the module puts on the air are
    /// never freed nor reported until WLAN_EN cycles (the module starves itself, as the CC3000 did when
    /// it needed buffers for ARP or TCP control packets and had none).
    /// </summary>
    public void WithholdFreeBuffers(int buffers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(buffers);
        lock (_sync) _buffersToWithhold = buffers;
    }

    /// <summary>
    /// Fault hook: the module reports <paramref name="buffers"/> freed buffers for socket
    /// <paramref name="sd"/> that it never had for it (a duplicated or garbled 0x4100 event): it reports
    /// too many. A host that believes them sends into buffers the module does not have.
    /// </summary>
    public void ReportSpuriousFreeBuffers(int sd, int buffers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sd);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sd, MaxSockets);
        lock (_sync)
        {
            _freedPerSocket[sd] += buffers;
            UpdateIrqLocked();
        }
    }

    /// <summary>
    /// Fault hook: the next frame the module queues does not pull IRQ low (a lost interrupt); the
    /// line stays high until the host next asserts CS, which wakes the module's SPI side.
    /// </summary>
    public void DropIrqForNextFrame()
    {
        lock (_sync) _dropIrqArmed = true;
    }

    /// <summary>Fault hook: connects to <paramref name="ipv4"/> get no answer until <see cref="ConnectTimeoutMilliseconds"/>, then -1.</summary>
    public void AddBlackHole(uint ipv4)
    {
        lock (_sync) _blackHoles.Add(ipv4);
    }

    /// <summary>
    /// Fault hook: the module sends the unsolicited event <paramref name="opcode"/> with
    /// <paramref name="args"/> (status 0), as it may send events the host driver does not know.
    /// </summary>
    public void InjectUnsolicitedEvent(int opcode, byte[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        lock (_sync)
        {
            if (!AnsweringLocked || _power != Power.Running) return;
            int slot = BeginEventLocked(opcode, 0);
            if (slot < 0) return;
            Buffer.BlockCopy(args, 0, _out[slot], 5, args.Length);
            EndEventLocked(slot, 5 + args.Length, unsolicited: true);
            UpdateIrqLocked();
        }
    }

    /// <summary>Sets the access point the module can associate with.</summary>
    public void SetAccessPoint(string ssid, string key)
    {
        lock (_sync)
        {
            _apSsid = ssid;
            _apKey = key;
        }
    }

    /// <summary>
    /// Fault hook: the access point goes away (false) or comes back (true). Going away drops an
    /// associated module with an unsolicited disconnect (0x8002). While it is away a wlan-connect is
    /// answered but never associates, and the model does not remember it (chosen: the host has to
    /// connect again once the access point is back, the worst case for a host driver).
    /// </summary>
    public void SetAccessPointAvailable(bool available)
    {
        lock (_sync)
        {
            _apAvailable = available;
            if (available) return;
            _associated = false;
            _connectEventDue = false;
            _dhcpEventDue = false;
            if (_connectReported)
            {
                _connectReported = false;
                _disconnectEventDue = true;
            }
            UpdateIrqLocked();
        }
    }

    /// <summary>Fault hook: the next <paramref name="count"/> power-ups never signal ready (IRQ stays high).</summary>
    public void FailNextBoots(int count)
    {
        lock (_sync) _bootsToFail = count;
    }

    /// <summary>Adds a name to the module's resolver (names not in the table do not resolve).</summary>
    public void SetHost(string name, uint ipv4)
    {
        lock (_sync) _hosts[name] = ipv4;
    }

    /// <summary>
    /// The virtual internet's port forwarding: a connect to <paramref name="ipv4"/>:<paramref name="port"/>
    /// is carried to 127.0.0.1:<paramref name="hostPort"/> (e.g. an app that talks to "ticker.local"
    /// port 80, served by a host server on a free port). Unlisted connects go to 127.0.0.1 on the same port.
    /// </summary>
    public void ForwardPort(uint ipv4, int port, int hostPort)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hostPort, 1);
        lock (_sync) _forwards[((ulong)ipv4 << 16) | (uint)port] = hostPort;
    }

    /// <summary>Fault hook: the module stops answering (IRQ high, no events) until WLAN_EN is cycled.</summary>
    public void InjectHang()
    {
        lock (_sync)
        {
            _hung = true;
            if (_selected) _transaction = Transaction.Ignored;
            UpdateIrqLocked();
        }
    }

    public void Dispose()
    {
        _wlanEnable.LevelChanged -= OnWlanEnableChanged;
        lock (_sync)
        {
            _disposed = true;
            PowerOffLocked();
            Monitor.PulseAll(_sync);
        }
    }

    /// <summary>
    /// Closes a socket's TCP connection on the model's closer thread (at once when the queue is
    /// full or the model is disposed). Caller holds the model lock.
    /// </summary>
    internal void CloseTcpLocked(System.Net.Sockets.TcpClient client, bool graceful)
    {
        if (_disposed || _toCloseCount == _toClose.Length)
        {
            CloseTcpNow(client, graceful: false);
            return;
        }
        _toClose[(_toCloseHead + _toCloseCount) % _toClose.Length] = client;
        _toCloseGracefully[(_toCloseHead + _toCloseCount) % _toClose.Length] = graceful;
        _toCloseCount++;
        if (_closer == null)
        {
            _closer = Faults.Start("CC3000 TCP closer", CloseLoop);
        }
        Monitor.PulseAll(_sync);
    }

    private void CloseLoop()
    {
        while (true)
        {
            System.Net.Sockets.TcpClient? client;
            bool graceful;
            lock (_sync)
            {
                while (_toCloseCount == 0 && !_disposed) Monitor.Wait(_sync, 100);
                if (_toCloseCount == 0) return;
                client = _toClose[_toCloseHead];
                graceful = _toCloseGracefully[_toCloseHead];
                _toClose[_toCloseHead] = null;
                _toCloseHead = (_toCloseHead + 1) % _toClose.Length;
                _toCloseCount--;
            }
            if (client == null) continue;
            try
            {
                CloseTcpNow(client, graceful);
            }
            catch (Exception e)
            {
                // Not expected (closing swallows what a dead connection throws); the loop goes on for the others.
                Faults.Report("CC3000 TCP closer", e);
            }
        }
    }

    private static void CloseTcpNow(System.Net.Sockets.TcpClient client, bool graceful)
    {
        try
        {
            if (graceful)
            {
                // FIN after the last byte written; the peer reads everything sent before it.
                client.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                client.Client.Close();
            }
            else
            {
                client.Client.Close(0);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Already closed or reset by the peer: nothing left to end.
        }
        client.Dispose();
    }

    /// <summary>
    /// Test hook: the stream a socket's host threads read and write for a new TCP connection
    /// (null: the connection's own <see cref="System.Net.Sockets.TcpClient.GetStream"/>).
    /// </summary>
    internal Func<System.Net.Sockets.TcpClient, Stream>? StreamForTests { get; set; }

    /// <summary>The stream the socket threads use for <paramref name="client"/>.</summary>
    internal Stream OpenStream(System.Net.Sockets.TcpClient client) => StreamForTests?.Invoke(client) ?? client.GetStream();

    /// <summary>True once disposed: the sockets' host threads end. Caller holds the model lock.</summary>
    internal bool DisposedLocked => _disposed;

    // ----------------------------------------------------------------- power

    private void OnWlanEnableChanged(VirtualGpioPin pin, PinValue level)
    {
        if (level == PinValue.High) PowerUp();
        else
        {
            lock (_sync)
            {
                _powerDowns++;
                PowerOffLocked();
            }
        }
    }

    private void PowerUp()
    {
        int epoch;
        lock (_sync)
        {
            if (_power != Power.Off) return;
            _powerUps++;
            _power = Power.Booting;
            epoch = _powerEpoch;
            if (_bootsToFail > 0)
            {
                _bootsToFail--;
                return; // stays booting, silent, until WLAN_EN cycles
            }
        }
        Faults.Start("CC3000 boot", () =>
        {
            Thread.Sleep(BootDelayMilliseconds);
            lock (_sync)
            {
                if (_power != Power.Booting || _powerEpoch != epoch) return;
                _power = Power.AwaitingFirstWrite;
                _firstWrite = true;
                UpdateIrqLocked();
            }
        });
    }

    private void PowerOffLocked()
    {
        _powerEpoch++;
        _power = Power.Off;
        _hung = false;
        _stopped = false;
        _firstWrite = false;
        _associated = false;
        _connectEventDue = false;
        _connectReported = false;
        _disconnectEventDue = false;
        _dhcpEventDue = false;
        if (_selected) _transaction = Transaction.Ignored;
        for (int i = 0; i < MaxSockets; i++)
        {
            _sockets[i]?.CloseLocked();
            _sockets[i] = null;
        }
        ResetBuffersLocked();
        _outHead = 0;
        _outCount = 0;
        _irqDropped = false;
        _dnsAnswerDue = false;
        _dnsAnswerAt = 0;
        _closeAnswerDue = false;
        UpdateIrqLocked();
    }

    private void ResetBuffersLocked()
    {
        for (int i = 0; i < TxBufferCount; i++) _txFree[i] = i;
        _txFreeCount = TxBufferCount;
        _lowestFree = TxBufferCount;
        _buffersWithheld = 0;
        Array.Clear(_freedPerSocket);
    }

    private bool AnsweringLocked => _power != Power.Off && !_hung && !_stopped;

    // ----------------------------------------------------------------- SPI side

    public void OnSelect()
    {
        lock (_sync)
        {
            _selected = true;
            _clocked = 0;
            // CS wakes the module's SPI side: an interrupt it failed to raise is raised now.
            _irqDropped = false;
            if (!AnsweringLocked) _transaction = Transaction.Ignored;
            else if (_power == Power.Booting) _transaction = Transaction.NotReady;
            else if (_power == Power.AwaitingFirstWrite)
            {
                _transaction = Transaction.Write;
                _firstWriteSelectedAt = Stopwatch.GetTimestamp();
            }
            else if (HeadDueLocked)
            {
                _transaction = Transaction.Undecided;
                _irq.Drive(PinValue.Low);
            }
            else
            {
                // Idle: CS low is a write request; the module answers "ready" by pulling IRQ low.
                _transaction = Transaction.Write;
                _irq.Drive(PinValue.Low);
            }
        }
    }

    public void OnDeselect()
    {
        lock (_sync)
        {
            _selected = false;
            Transaction t = _transaction;
            _transaction = Transaction.None;
            if (t == Transaction.Write && _clocked > 0)
            {
                if (_clocked < Cc3000Wire.SpiHeaderSize || _clocked != Cc3000Wire.SpiHeaderSize + _rxLength)
                {
                    ViolationLocked("write frame ended after " + _clocked + " of " + (Cc3000Wire.SpiHeaderSize + _rxLength) + " bytes");
                }
                else
                {
                    _frames++;
                    if (_firstWrite)
                    {
                        _firstWrite = false;
                        _power = Power.Running;
                    }
                    _irq.Drive(PinValue.High);
                    ProcessPacketLocked();
                }
            }
            else if (t == Transaction.Read)
            {
                int length = _outLength[_outHead];
                if (_clocked < Cc3000Wire.SpiHeaderSize + length)
                {
                    ViolationLocked("read frame ended after " + _clocked + " of " + (Cc3000Wire.SpiHeaderSize + length) + " bytes");
                }
                else
                {
                    _frames++;
                    _outHead = (_outHead + 1) % EventQueueSlots;
                    _outCount--;
                    _irq.Drive(PinValue.High);
                }
            }
            UpdateIrqLocked();
        }
    }

    public void Exchange(ReadOnlySpan<byte> mosi, Span<byte> miso)
    {
        lock (_sync)
        {
            if (_transaction == Transaction.Write && _firstWrite && !CheckFirstWriteSplitLocked(mosi.Length))
            {
                miso.Fill(0xFF);
                return;
            }
            for (int i = 0; i < mosi.Length; i++) miso[i] = ClockLocked(mosi[i]);
            if (_transaction == Transaction.Write && _firstWrite && _clocked == 4) _firstWriteSplitAt = Stopwatch.GetTimestamp();
        }
    }

    // The first write after power-up must be clocked as 4 bytes, a pause of ~50 us, then the rest.
    private bool CheckFirstWriteSplitLocked(int count)
    {
        if (_clocked == 0)
        {
            long sinceSelectUs = (Stopwatch.GetTimestamp() - _firstWriteSelectedAt) * 1_000_000 / Stopwatch.Frequency;
            if (sinceSelectUs < FirstWriteGapMicroseconds)
            {
                ViolationLocked("first write after power-up began " + sinceSelectUs + " us after CS fell (needs " + FirstWriteGapMicroseconds + ")");
                return false;
            }
        }
        if (_clocked == 0 && count != 4)
        {
            ViolationLocked("first write after power-up not split after 4 bytes (" + count + " bytes in one go)");
            return false;
        }
        if (_clocked == 4)
        {
            long elapsedUs = (Stopwatch.GetTimestamp() - _firstWriteSplitAt) * 1_000_000 / Stopwatch.Frequency;
            if (elapsedUs < FirstWriteGapMicroseconds)
            {
                ViolationLocked("first write resumed " + elapsedUs + " us after its first 4 bytes (needs " + FirstWriteGapMicroseconds + ")");
                return false;
            }
        }
        return true;
    }

    private byte ClockLocked(byte b)
    {
        int at = _clocked++;
        switch (_transaction)
        {
            case Transaction.Ignored:
                return 0xFF;
            case Transaction.NotReady:
                ViolationLocked("bytes clocked before the module pulled IRQ low");
                return 0xFF;
            case Transaction.Undecided:
                if (b == Cc3000Wire.SpiWrite) _transaction = Transaction.Write;
                else if (b == Cc3000Wire.SpiRead) _transaction = Transaction.Read;
                else
                {
                    ViolationLocked("first byte 0x" + b.ToString("X2") + " is neither write (0x01) nor read (0x03)");
                    return 0xFF;
                }
                return 0x00;
            case Transaction.Write:
                return ClockWriteLocked(at, b);
            case Transaction.Read:
                return ClockReadLocked(at);
            default:
                return 0xFF;
        }
    }

    private byte ClockWriteLocked(int at, byte b)
    {
        if (at == 0)
        {
            if (b != Cc3000Wire.SpiWrite) ViolationLocked("write frame starts with 0x" + b.ToString("X2") + ", not 0x01");
            return 0x00;
        }
        if (at == 1)
        {
            _rxLength = b << 8;
            return 0x00;
        }
        if (at == 2)
        {
            _rxLength |= b;
            if (_rxLength < 4 || _rxLength > BufferLength)
                ViolationLocked("write length " + _rxLength + " outside 4.." + BufferLength);
            else if (((Cc3000Wire.SpiHeaderSize + _rxLength) & 1) != 0)
                ViolationLocked("write frame of " + (Cc3000Wire.SpiHeaderSize + _rxLength) + " bytes is not padded to even");
            return 0x00;
        }
        if (at < Cc3000Wire.SpiHeaderSize)
        {
            if (b != 0x00) ViolationLocked("busy byte " + at + " is 0x" + b.ToString("X2") + ", not 0x00");
            return 0x00;
        }
        int p = at - Cc3000Wire.SpiHeaderSize;
        if (p >= _rxLength)
        {
            ViolationLocked("write frame longer than its length " + _rxLength);
            return 0xFF;
        }
        _rx[p] = b;
        return 0x00;
    }

    private byte ClockReadLocked(int at)
    {
        // Bytes 0..2 carry the host's 0x03 0x00 0x00; the length goes out on bytes 3..4, then the packet.
        int length = _outLength[_outHead];
        if (at == 3) return (byte)(length >> 8);
        if (at == 4) return (byte)length;
        int p = at - Cc3000Wire.SpiHeaderSize;
        if (p >= 0 && p < length) return _out[_outHead][p];
        return 0x00;
    }

    private void ViolationLocked(string what)
    {
        _violations++;
        _lastViolation = what;
        _stopped = true;
        if (_selected) _transaction = Transaction.Ignored;
        UpdateIrqLocked();
    }

    // IRQ low when the module has a packet for the host or awaits the first write; high otherwise.
    // While CS is low the line is left alone (OnSelect/OnDeselect own it then).
    private void UpdateIrqLocked()
    {
        if (_selected && AnsweringLocked) return;
        if (!AnsweringLocked || _power == Power.Booting)
        {
            _irq.Drive(PinValue.High);
            return;
        }
        if (_power == Power.Running) FlushDeferredLocked();
        bool low = _power == Power.AwaitingFirstWrite || (HeadDueLocked && !_irqDropped);
        _irq.Drive(low ? PinValue.Low : PinValue.High);
        if (_outCount > 0 && !HeadDueLocked) WakeTimerLocked(_outDueAt[_outHead]);
    }

    // The first queued packet may be signalled now (a late answer is not yet).
    private bool HeadDueLocked => _outCount > 0 && (_outDueAt[_outHead] == 0 || _outDueAt[_outHead] <= Environment.TickCount64);

    // ----------------------------------------------------------------- timer (late answers, DNS, black holes)

    // Makes the timer thread look again no later than at (TickCount64 ms).
    private void WakeTimerLocked(long at)
    {
        if (_disposed) return;
        if (_timer == null) _timer = Faults.Start("CC3000 timer", TimerLoop);
        if (_timerWakeAt == 0 || at < _timerWakeAt) _timerWakeAt = at;
        Monitor.PulseAll(_sync);
    }

    private void TimerLoop()
    {
        lock (_sync)
        {
            while (!_disposed)
            {
                long now = Environment.TickCount64;
                if (_timerWakeAt == 0 || now < _timerWakeAt)
                {
                    Monitor.Wait(_sync, _timerWakeAt == 0 ? 100 : (int)Math.Clamp(_timerWakeAt - now, 1, 100));
                    continue;
                }
                _timerWakeAt = 0;
                OnTimerLocked(now);
            }
        }
    }

    // Brings due DNS answers and black-hole connect failures, and signals late answers that are due.
    private void OnTimerLocked(long now)
    {
        if (_dnsAnswerAt != 0)
        {
            if (_dnsAnswerAt <= now)
            {
                _dnsAnswerAt = 0;
                _dnsAnswerDue = true;
            }
            else WakeTimerLocked(_dnsAnswerAt);
        }
        foreach (var s in _sockets)
        {
            if (s != null && s.Closing)
            {
                if (s.ClosingDeadline <= now)
                {
                    // The peer stopped reading and the queued buffers cannot go out: the close ends
                    // the connection with a reset instead of waiting on it.
                    s.State = Cc3000ModelSocket.Phase.Reset;
                    FinishDeferredCloseLocked(s);
                    continue;
                }
                WakeTimerLocked(s.ClosingDeadline);
            }
            if (s == null || s.BlackHoleAnswerAt == 0) continue;
            if (s.BlackHoleAnswerAt > now)
            {
                WakeTimerLocked(s.BlackHoleAnswerAt);
                continue;
            }
            s.BlackHoleAnswerAt = 0;
            if (s.State != Cc3000ModelSocket.Phase.Connecting) continue;
            s.State = Cc3000ModelSocket.Phase.Failed;
            s.ConnectResult = Cc3000Wire.ErrorGeneric;
            s.ConnectAnswerDue = true;
        }
        UpdateIrqLocked();
    }

    /// <summary>Called by a socket's host threads after they changed its state (model lock held).</summary>
    internal void OnSocketChangedLocked()
    {
        Monitor.PulseAll(_sync);
        UpdateIrqLocked();
    }

    // ----------------------------------------------------------------- HCI

    private void ProcessPacketLocked()
    {
        byte type = _rx[0];
        if (type == Cc3000Wire.HciCommand)
        {
            int opcode = _rx[1] | (_rx[2] << 8);
            int argsLength = _rx[3];
            if (4 + argsLength != _rxLength && 4 + argsLength + 1 != _rxLength)
            {
                ViolationLocked("command 0x" + opcode.ToString("X4") + " has " + argsLength + " argument bytes in a " + _rxLength + "-byte payload");
                return;
            }
            ProcessCommandLocked(opcode, 4, argsLength);
        }
        else if (type == Cc3000Wire.HciData)
        {
            int opcode = _rx[1];
            int argsLength = _rx[2];
            int payloadLength = _rx[3] | (_rx[4] << 8);
            if ((5 + payloadLength != _rxLength && 5 + payloadLength + 1 != _rxLength) || argsLength > payloadLength)
            {
                ViolationLocked("data packet lengths (args " + argsLength + ", payload " + payloadLength + ") do not fit a " + _rxLength + "-byte frame");
                return;
            }
            if (opcode != Cc3000Wire.DataSend || argsLength != 16)
            {
                ViolationLocked("data packet opcode 0x" + opcode.ToString("X2") + " with " + argsLength + " argument bytes is not send (0x81, 16)");
                return;
            }
            ProcessSendLocked(5, 5 + argsLength, payloadLength - argsLength);
        }
        else
        {
            ViolationLocked("HCI packet type 0x" + type.ToString("X2") + " from the host");
        }
    }

    private void ProcessCommandLocked(int opcode, int args, int argsLength)
    {
        switch (opcode)
        {
            case Cc3000Wire.SimpleLinkStart:
                AnswerLocked(opcode, 0);
                break;
            case Cc3000Wire.ReadBufferSize:
            {
                int slot = BeginEventLocked(opcode, 0);
                if (slot < 0) return;
                int p = 5;
                _out[slot][p++] = (byte)_txFreeCount;
                PutU16(_out[slot], ref p, BufferLength);
                EndEventLocked(slot, p);
                break;
            }
            case Cc3000Wire.WlanConnect:
                WlanConnectLocked(args, argsLength);
                break;
            case Cc3000Wire.Socket:
                SocketLocked();
                break;
            case Cc3000Wire.SetSockOpt:
                SetSockOptLocked(args, argsLength);
                break;
            case Cc3000Wire.Connect:
                ConnectLocked(args, argsLength);
                break;
            case Cc3000Wire.Recv:
                RecvLocked(args, argsLength);
                break;
            case Cc3000Wire.Close:
                CloseLocked(args, argsLength);
                break;
            case Cc3000Wire.GetHostByName:
                GetHostByNameLocked(args, argsLength);
                break;
            default:
                // bind, accept, listen, select and the rest are not modelled: answered with -1.
                AnswerLocked(opcode, Cc3000Wire.ErrorGeneric);
                break;
        }
    }

    private void WlanConnectLocked(int args, int argsLength)
    {
        // TI layout: u32 0x1C, u32 ssid length, u32 security, u32 0x10 + ssid length, u32 key length,
        // u16 0, 6-byte BSSID, then SSID and key.
        if (argsLength < 28)
        {
            AnswerLocked(Cc3000Wire.WlanConnect, Cc3000Wire.ErrorGeneric);
            return;
        }
        int ssidLength = (int)GetU32(_rx, args + 4);
        int keyLength = (int)GetU32(_rx, args + 16);
        if (ssidLength > 32 || keyLength > 32 || 28 + ssidLength + keyLength > argsLength)
        {
            AnswerLocked(Cc3000Wire.WlanConnect, Cc3000Wire.ErrorGeneric);
            return;
        }
        string ssid = Encoding.ASCII.GetString(_rx, args + 28, ssidLength);
        string key = Encoding.ASCII.GetString(_rx, args + 28 + ssidLength, keyLength);
        AnswerLocked(Cc3000Wire.WlanConnect, 0);
        if (ssid != _apSsid || key != _apKey) return; // the part keeps scanning and reports nothing
        if (!_apAvailable) return;                    // no access point to find (see SetAccessPointAvailable)
        int epoch = _powerEpoch;
        Faults.Start("CC3000 association", () =>
        {
            Thread.Sleep(AssociationDelayMilliseconds);
            lock (_sync)
            {
                if (_powerEpoch != epoch || !AnsweringLocked || !_apAvailable) return;
                _connectEventDue = true;
                _dhcpEventDue = true;
                UpdateIrqLocked();
            }
        });
    }

    private void SocketLocked()
    {
        for (int sd = 0; sd < MaxSockets; sd++)
        {
            if (_sockets[sd] != null) continue;
            _socketPool[sd].ReuseLocked(_powerEpoch);
            _sockets[sd] = _socketPool[sd];
            AnswerLocked(Cc3000Wire.Socket, sd);
            return;
        }
        AnswerLocked(Cc3000Wire.Socket, Cc3000Wire.ErrorGeneric);
    }

    private Cc3000ModelSocket? SocketArgLocked(int args, int argsLength)
    {
        if (argsLength < 4) return null;
        uint sd = GetU32(_rx, args);
        return sd < MaxSockets ? _sockets[sd] : null;
    }

    private void SetSockOptLocked(int args, int argsLength)
    {
        // sd, level, option, u32 8, option length, option value.
        Cc3000ModelSocket? s = SocketArgLocked(args, argsLength);
        if (s == null || argsLength < 24)
        {
            AnswerLocked(Cc3000Wire.SetSockOpt, Cc3000Wire.ErrorGeneric);
            return;
        }
        uint level = GetU32(_rx, args + 4);
        uint option = GetU32(_rx, args + 8);
        uint value = GetU32(_rx, args + 20);
        if (level == Cc3000Wire.SolSocket && option == Cc3000Wire.SockOptRecvNonBlock)
            s.NonBlocking = value == Cc3000Wire.SockOn;
        AnswerLocked(Cc3000Wire.SetSockOpt, 0);
    }

    private void ConnectLocked(int args, int argsLength)
    {
        // sd, u32 8, u32 address length (8), sockaddr: u16 family (LE), u16 port (BE), u32 address (BE).
        Cc3000ModelSocket? s = SocketArgLocked(args, argsLength);
        if (s == null || argsLength < 20 || s.State != Cc3000ModelSocket.Phase.Created)
        {
            AnswerLocked(Cc3000Wire.Connect, Cc3000Wire.ErrorGeneric);
            return;
        }
        int port = (_rx[args + 14] << 8) | _rx[args + 15];
        uint address = (uint)(_rx[args + 16] << 24 | _rx[args + 17] << 16 | _rx[args + 18] << 8 | _rx[args + 19]);
        // Every address is carried to 127.0.0.1: the loopback stands in for the internet.
        if (_blackHoles.Contains(address))
        {
            // Nothing answers: the module's own timeout ends the connect.
            s.State = Cc3000ModelSocket.Phase.Connecting;
            s.BlackHoleAnswerAt = Environment.TickCount64 + ConnectTimeoutMilliseconds;
            WakeTimerLocked(s.BlackHoleAnswerAt);
            return;
        }
        if (_forwards.TryGetValue(((ulong)address << 16) | (uint)port, out int hostPort)) port = hostPort;
        s.StartConnect(port);
    }

    private void RecvLocked(int args, int argsLength)
    {
        // sd, requested length, flags.
        Cc3000ModelSocket? s = SocketArgLocked(args, argsLength);
        if (s == null || argsLength < 12)
        {
            RecvAnswerLocked(argsLength >= 4 ? (int)GetU32(_rx, args) : -1, Cc3000Wire.ErrorSocketInactive, 0, null);
            return;
        }
        int max = (int)Math.Min(GetU32(_rx, args + 4), (uint)MaxRecvChunk);
        int flags = (int)GetU32(_rx, args + 8);
        if (s.RxCount == 0 && !s.NonBlocking && s.State == Cc3000ModelSocket.Phase.Connected)
        {
            // A blocking recv answers when data comes or the connection ends.
            s.BlockingRecvPending = true;
            s.BlockingRecvMax = max;
            s.BlockingRecvFlags = flags;
            return;
        }
        AnswerRecvFromSocketLocked(s, max, flags);
    }

    private void AnswerRecvFromSocketLocked(Cc3000ModelSocket s, int max, int flags)
    {
        if (s.RxCount > 0 && max > 0)
        {
            RecvAnswerLocked(s.Sd, Math.Min(max, s.RxCount), flags, s);
            Monitor.PulseAll(_sync); // room in the ring: the reader may take more from TCP
            return;
        }
        int result;
        switch (s.State)
        {
            case Cc3000ModelSocket.Phase.Connected:
                result = 0; // non-blocking and nothing yet (on this part 0 is not end-of-stream)
                break;
            case Cc3000ModelSocket.Phase.Reset:
                result = Cc3000Wire.ErrorGeneric; // chosen: a reset connection reports -1, a FIN -57
                break;
            case Cc3000ModelSocket.Phase.PeerClosed when PeerCloseOnlyByEvent:
                result = 0; // the FIN was told by the close-wait event only
                break;
            default:
                result = Cc3000Wire.ErrorSocketInactive;
                break;
        }
        RecvAnswerLocked(s.Sd, result, flags, null);
    }

    // The recv event (sd, count, flags); with count > 0 followed by a data packet carrying the bytes.
    private void RecvAnswerLocked(int sd, int count, int flags, Cc3000ModelSocket? from)
    {
        if (count > 0 && EventQueueSlots - _outCount < 2)
        {
            ViolationLocked("event queue overrun (host did not read the module's answers)");
            return;
        }
        int slot = BeginEventLocked(Cc3000Wire.Recv, 0);
        if (slot < 0) return;
        int p = 5;
        PutU32(_out[slot], ref p, (uint)sd);
        PutU32(_out[slot], ref p, (uint)count);
        PutU32(_out[slot], ref p, (uint)flags);
        EndEventLocked(slot, p);
        if (count <= 0 || from == null) return;

        int d = (_outHead + _outCount) % EventQueueSlots;
        byte[] o = _out[d];
        o[0] = Cc3000Wire.HciData;
        o[1] = Cc3000Wire.DataRecv;
        o[2] = RecvDataArgsLength;
        int payload = RecvDataArgsLength + count;
        o[3] = (byte)payload;
        o[4] = (byte)(payload >> 8);
        p = 5;
        PutU32(o, ref p, (uint)sd);
        PutU32(o, ref p, (uint)count);
        PutU32(o, ref p, (uint)flags);
        int first = Math.Min(count, from.Rx.Length - from.RxHead);
        Buffer.BlockCopy(from.Rx, from.RxHead, o, p, first);
        Buffer.BlockCopy(from.Rx, 0, o, p + first, count - first);
        from.RxHead = (from.RxHead + count) % from.Rx.Length;
        from.RxCount -= count;
        _outLength[d] = p + count;
        _outDueAt[d] = _outDueAt[slot];
        _outCount++;
    }

    private void CloseLocked(int args, int argsLength)
    {
        Cc3000ModelSocket? s = SocketArgLocked(args, argsLength);
        if (s == null)
        {
            AnswerLocked(Cc3000Wire.Close, Cc3000Wire.ErrorGeneric);
            return;
        }
        // A connect still in progress ends (-1) before the close is answered (chosen: the module
        // answers every command it took; its connect cannot succeed once the socket is gone).
        if (s.State == Cc3000ModelSocket.Phase.Connecting || s.ConnectAnswerDue)
        {
            s.ConnectAnswerDue = false;
            s.BlackHoleAnswerAt = 0;
            AnswerLocked(Cc3000Wire.Connect, s.State == Cc3000ModelSocket.Phase.Connecting ? Cc3000Wire.ErrorGeneric : s.ConnectResult);
        }
        if (s.State == Cc3000ModelSocket.Phase.Connected && (s.TxCount > 0 || s.TxInFlight >= 0))
        {
            // TCP's close is graceful: what the host already handed over goes out first, then FIN
            // (a reboot right after the last send, as after an OTA's UpdateDone answer, must not lose
            // it). The writer finishes the close and the answer follows (chosen: the module answers
            // the close once its buffers for that socket are out).
            s.Closing = true;
            s.ClosingDeadline = Environment.TickCount64 + CloseDrainMilliseconds;
            WakeTimerLocked(s.ClosingDeadline);
            Monitor.PulseAll(_sync);
            return;
        }
        s.CloseLocked(graceful: s.State == Cc3000ModelSocket.Phase.Connected || s.State == Cc3000ModelSocket.Phase.PeerClosed);
        DropQueuedLocked(s);
        _sockets[s.Sd] = null;
        AnswerLocked(Cc3000Wire.Close, 0);
    }

    /// <summary>
    /// The writer of a socket closed with buffers queued sent the last of them (or lost the connection
    /// meanwhile): the close completes now. Caller holds the model lock.
    /// </summary>
    internal void FinishDeferredCloseLocked(Cc3000ModelSocket s)
    {
        bool graceful = s.State == Cc3000ModelSocket.Phase.Connected || s.State == Cc3000ModelSocket.Phase.PeerClosed;
        s.CloseLocked(graceful);
        DropQueuedLocked(s);
        if (_sockets[s.Sd] == s) _sockets[s.Sd] = null;
        _closeAnswerDue = true;
        OnSocketChangedLocked();
    }

    // Buffers still queued for the peer of a closed socket are given back to the host.
    private void DropQueuedLocked(Cc3000ModelSocket s)
    {
        while (s.TxCount > 0)
        {
            ReleaseTxBufferLocked(s.Sd, s.PowerEpoch, s.TxQueue[s.TxHead]);
            s.TxHead = (s.TxHead + 1) % s.TxQueue.Length;
            s.TxCount--;
        }
    }

    // Looks the name in _rx up in the host table (ASCII, case-insensitive) without making a string:
    // the SPI path allocates nothing.
    private bool TryFindHostLocked(int at, int length, out uint ip)
    {
        foreach (var entry in _hosts)
        {
            string name = entry.Key;
            if (name.Length != length) continue;
            int i = 0;
            while (i < length && name[i] < 128 && AsciiLower(_rx[at + i]) == AsciiLower((byte)name[i])) i++;
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

    private void GetHostByNameLocked(int args, int argsLength)
    {
        // u32 8, u32 name length, name.
        uint ip = 0;
        int result = Cc3000Wire.ErrorGeneric;
        if (argsLength >= 8)
        {
            int nameLength = (int)GetU32(_rx, args + 4);
            if (nameLength > 0 && 8 + nameLength <= argsLength)
            {
                if (TryFindHostLocked(args + 8, nameLength, out ip)) result = 0;
            }
        }
        if (DnsDelayMilliseconds < 0) return; // the lookup never ends
        if (DnsDelayMilliseconds > 0)
        {
            // The lookup runs on the module; other commands are answered meanwhile.
            _dnsResult = result;
            _dnsIp = ip;
            _dnsAnswerAt = Environment.TickCount64 + DnsDelayMilliseconds;
            WakeTimerLocked(_dnsAnswerAt);
            return;
        }
        DnsAnswerLocked(result, ip);
    }

    private void DnsAnswerLocked(int result, uint ip)
    {
        int slot = BeginEventLocked(Cc3000Wire.GetHostByName, 0);
        if (slot < 0) return;
        int p = 5;
        PutU32(_out[slot], ref p, (uint)result);
        PutU32(_out[slot], ref p, ip);
        EndEventLocked(slot, p);
    }

    private void ProcessSendLocked(int args, int data, int dataLength)
    {
        // sd, u32 12, length, flags; then the bytes.
        uint sd = GetU32(_rx, args);
        uint length = GetU32(_rx, args + 8);
        if (length != dataLength || dataLength > BufferLength)
        {
            ViolationLocked("send of " + dataLength + " bytes says " + length);
            return;
        }
        if (_txFreeCount == 0)
        {
            ViolationLocked("data packet sent while the module had no free buffer");
            return;
        }
        int buffer = _txFree[--_txFreeCount];
        if (_txFreeCount < _lowestFree) _lowestFree = _txFreeCount;
        Cc3000ModelSocket? s = sd < MaxSockets ? _sockets[sd] : null;
        int result;
        if (s != null && s.State == Cc3000ModelSocket.Phase.Connected)
        {
            Buffer.BlockCopy(_rx, data, _tx[buffer], 0, dataLength);
            int tail = (s.TxHead + s.TxCount) % s.TxQueue.Length;
            s.TxQueue[tail] = buffer;
            s.TxLength[tail] = dataLength;
            s.TxCount++;
            Monitor.PulseAll(_sync);
            result = dataLength;
        }
        else
        {
            // Dropped: the buffer comes straight back (and is reported free like any other).
            _txFree[_txFreeCount++] = buffer;
            if (sd < MaxSockets) _freedPerSocket[sd]++;
            else _freedPerSocket[0]++;
            result = Cc3000Wire.ErrorSocketInactive;
        }
        int slot = BeginEventLocked(Cc3000Wire.SendEvent, 0);
        if (slot < 0) return;
        int p = 5;
        PutU32(_out[slot], ref p, sd);
        PutU32(_out[slot], ref p, (uint)result);
        EndEventLocked(slot, p);
    }

    internal byte[] TxBuffer(int index) => _tx[index];

    /// <summary>A transmit buffer went out to the peer (or was dropped): free it and report it.</summary>
    internal void ReleaseTxBufferLocked(int sd, int powerEpoch, int buffer)
    {
        if (powerEpoch != _powerEpoch) return; // the pool was reset by a power cycle
        if (_buffersToWithhold > 0)
        {
            // Kept by the module: never free again until WLAN_EN cycles.
            _buffersToWithhold--;
            _buffersWithheld++;
            return;
        }
        _txFree[_txFreeCount++] = buffer;
        if (_freeReportsToLose > 0) _freeReportsToLose--;   // free, but the report is lost
        else _freedPerSocket[sd]++;
        UpdateIrqLocked();
    }

    // Queues events whose cause came from a host thread, keeping room for command answers.
    private void FlushDeferredLocked()
    {
        while (EventQueueSlots - _outCount > SlotsReservedForAnswers)
        {
            if (_disconnectEventDue)
            {
                _disconnectEventDue = false;
                AnswerNoArgsLocked(Cc3000Wire.UnsolDisconnect);
                continue;
            }
            if (_connectEventDue)
            {
                _connectEventDue = false;
                _connectReported = true;
                AnswerNoArgsLocked(Cc3000Wire.UnsolConnect);
                continue;
            }
            if (_dhcpEventDue)
            {
                _dhcpEventDue = false;
                _associated = true;
                int slot = BeginEventLocked(Cc3000Wire.UnsolDhcp, 0);
                int p = 5;
                PutU32(_out[slot], ref p, DhcpAddress);
                PutU32(_out[slot], ref p, 0xFFFFFF00u);                 // netmask
                PutU32(_out[slot], ref p, (DhcpAddress & 0xFFFFFF00u) | 1); // gateway
                PutU32(_out[slot], ref p, (DhcpAddress & 0xFFFFFF00u) | 1); // DHCP server
                PutU32(_out[slot], ref p, (DhcpAddress & 0xFFFFFF00u) | 1); // DNS server
                EndEventLocked(slot, p);
                continue;
            }
            if (_dnsAnswerDue)
            {
                _dnsAnswerDue = false;
                DnsAnswerLocked(_dnsResult, _dnsIp);
                continue;
            }
            if (_closeAnswerDue)
            {
                _closeAnswerDue = false;
                AnswerLocked(Cc3000Wire.Close, 0);
                continue;
            }
            if (FlushSocketEventLocked()) continue;
            if (FlushFreeBuffersLocked()) continue;
            return;
        }
    }

    private bool FlushSocketEventLocked()
    {
        foreach (var s in _sockets)
        {
            if (s == null) continue;
            if (s.ConnectAnswerDue)
            {
                s.ConnectAnswerDue = false;
                AnswerLocked(Cc3000Wire.Connect, s.ConnectResult);
                return true;
            }
            if (s.BlockingRecvPending && (s.RxCount > 0 || s.State != Cc3000ModelSocket.Phase.Connected))
            {
                s.BlockingRecvPending = false;
                AnswerRecvFromSocketLocked(s, s.BlockingRecvMax, s.BlockingRecvFlags);
                return true;
            }
            if (s.CloseWaitDue)
            {
                s.CloseWaitDue = false;
                int slot = BeginEventLocked(Cc3000Wire.UnsolTcpCloseWait, 0);
                int p = 5;
                PutU32(_out[slot], ref p, (uint)s.Sd);
                EndEventLocked(slot, p);
                return true;
            }
        }
        return false;
    }

    // 0x4100: u16 entry count, then per entry u16 socket and u16 buffers freed (TI's layout).
    private bool FlushFreeBuffersLocked()
    {
        int entries = 0;
        for (int i = 0; i < MaxSockets; i++) if (_freedPerSocket[i] > 0) entries++;
        if (entries == 0) return false;
        int slot = BeginEventLocked(Cc3000Wire.UnsolFreeBuffers, 0);
        int p = 5;
        PutU16(_out[slot], ref p, entries);
        for (int i = 0; i < MaxSockets; i++)
        {
            if (_freedPerSocket[i] == 0) continue;
            PutU16(_out[slot], ref p, i);
            PutU16(_out[slot], ref p, _freedPerSocket[i]);
            _freedPerSocket[i] = 0;
        }
        EndEventLocked(slot, p);
        return true;
    }

    private void AnswerLocked(int opcode, int result)
    {
        int slot = BeginEventLocked(opcode, 0);
        if (slot < 0) return;
        int p = 5;
        PutU32(_out[slot], ref p, (uint)result);
        EndEventLocked(slot, p);
    }

    private void AnswerNoArgsLocked(int opcode)
    {
        int slot = BeginEventLocked(opcode, 0);
        if (slot >= 0) EndEventLocked(slot, 5);
    }

    // Event: type 0x04, opcode LE16, length (status + arguments), status, arguments from byte 5.
    private int BeginEventLocked(int opcode, byte status)
    {
        if (_outCount == EventQueueSlots)
        {
            ViolationLocked("event queue overrun (host did not read the module's answers)");
            return -1;
        }
        int slot = (_outHead + _outCount) % EventQueueSlots;
        byte[] o = _out[slot];
        o[0] = Cc3000Wire.HciEvent;
        o[1] = (byte)opcode;
        o[2] = (byte)(opcode >> 8);
        o[4] = status;
        return slot;
    }

    private void EndEventLocked(int slot, int end, bool unsolicited = false)
    {
        _out[slot][3] = (byte)(end - 4);
        _outLength[slot] = end;
        int opcode = _out[slot][1] | (_out[slot][2] << 8);
        bool answer = !unsolicited && opcode != Cc3000Wire.UnsolFreeBuffers && opcode < 0x8000;
        _outDueAt[slot] = answer && AnswerDelayMilliseconds > 0 ? Environment.TickCount64 + AnswerDelayMilliseconds : 0;
        _outCount++;
        TakeIrqDropLocked();
    }

    // A dropped interrupt: the frame just queued does not pull IRQ low (until the host asserts CS).
    private void TakeIrqDropLocked()
    {
        if (!_dropIrqArmed) return;
        _dropIrqArmed = false;
        _irqDropped = true;
    }

    private static uint GetU32(byte[] b, int at) => (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));

    private static void PutU32(byte[] b, ref int at, uint v)
    {
        b[at++] = (byte)v;
        b[at++] = (byte)(v >> 8);
        b[at++] = (byte)(v >> 16);
        b[at++] = (byte)(v >> 24);
    }

    private static void PutU16(byte[] b, ref int at, int v)
    {
        b[at++] = (byte)v;
        b[at++] = (byte)(v >> 8);
    }
}
