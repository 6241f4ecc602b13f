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
/// <para>This class is the part's facade: it owns the lock and wires the parts that do the work,
/// one responsibility each (see README.md): SPI framing and IRQ (<see cref="Cc3000ModelSpiFraming"/>),
/// the module-to-host queue (<see cref="Cc3000ModelEventQueue"/>), HCI dispatch
/// (<see cref="Cc3000ModelHciDispatcher"/>), WLAN (<see cref="Cc3000ModelWlan"/>), sockets
/// (<see cref="Cc3000ModelSocketTable"/>), transmit buffers (<see cref="Cc3000ModelTxBuffers"/>), DNS
/// (<see cref="Cc3000ModelResolver"/>), connect routes (<see cref="Cc3000ModelRoutes"/>), power
/// (<see cref="Cc3000ModelPower"/>), the fault plan (<see cref="Cc3000ModelFaultPlan"/>), the timer
/// and the TCP closer. They share the model's one lock (the part is one state machine; methods
/// named ...Locked expect it held) and reach each other through the facade.</para>
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

    /// <summary>Largest recv answer: a buffer minus SPI header, HCI data header, recv args and a pad byte.</summary>
    public const int MaxRecvChunk = BufferLength - Cc3000Wire.SpiHeaderSize - 5 - Cc3000ModelSocketTable.RecvDataArgsLength - 1;

    /// <summary>Pause the host must leave after the first 4 bytes of the first write: ~50 us (spec).</summary>
    public const long FirstWriteGapMicroseconds = 50;

    private readonly VirtualGpioPin _wlanEnable;
    private bool _disposed;

    /// <summary>
    /// Creates the module on its IRQ (driven, idle high) and WLAN_EN (watched) pins. Its host threads
    /// report what they did not expect into <paramref name="faults"/> (a recorder of its own when null).
    /// </summary>
    public Cc3000Model(VirtualGpioPin irq, VirtualGpioPin wlanEnable, BackgroundFaults? faults = null)
    {
        Faults = faults ?? new BackgroundFaults();
        _wlanEnable = wlanEnable;
        FaultPlan = new Cc3000ModelFaultPlan();
        Power = new Cc3000ModelPower(this);
        Queue = new Cc3000ModelEventQueue(this, EventQueueSlots, BufferLength);
        Spi = new Cc3000ModelSpiFraming(this, irq);
        Dispatcher = new Cc3000ModelHciDispatcher(this);
        Wlan = new Cc3000ModelWlan(this);
        Buffers = new Cc3000ModelTxBuffers(this, TxBufferCount, BufferLength, MaxSockets);
        Sockets = new Cc3000ModelSocketTable(this);
        Resolver = new Cc3000ModelResolver(this);
        Routes = new Cc3000ModelRoutes();
        Timer = new Cc3000ModelTimer(this);
        Closer = new Cc3000ModelTcpCloser(this, 2 * MaxSockets);
        irq.Drive(PinValue.High);
        _wlanEnable.LevelChanged += OnWlanEnableChanged;
        if (_wlanEnable.Level == PinValue.High) Power.PowerUp();
    }

    // ----------------------------------------------------------------- the parts (one lock for all)

    /// <summary>The model's one lock: every part's state is guarded by it.</summary>
    internal object Sync { get; } = new();

    internal Cc3000ModelFaultPlan FaultPlan { get; }

    internal Cc3000ModelPower Power { get; }

    internal Cc3000ModelEventQueue Queue { get; }

    internal Cc3000ModelSpiFraming Spi { get; }

    internal Cc3000ModelHciDispatcher Dispatcher { get; }

    internal Cc3000ModelWlan Wlan { get; }

    internal Cc3000ModelTxBuffers Buffers { get; }

    internal Cc3000ModelSocketTable Sockets { get; }

    internal Cc3000ModelResolver Resolver { get; }

    internal Cc3000ModelRoutes Routes { get; }

    internal Cc3000ModelTimer Timer { get; }

    internal Cc3000ModelTcpCloser Closer { get; }

    // ----------------------------------------------------------------- public face

    public string PartName => "CC3000";

    /// <summary>Exceptions the model's host threads (socket I/O, closer, boot, association) did not expect.</summary>
    public BackgroundFaults Faults { get; }

    public int ChipSelectPin => SparkCorePins.Cc3000ChipSelect;

    public SpiMode Mode => SpiMode.Mode1;

    /// <summary>Time from WLAN_EN rising to IRQ low (ready). Chosen short (the part takes tens of ms) to keep tests fast.</summary>
    public int BootDelayMilliseconds
    {
        get => Power.BootDelayMilliseconds;
        set => Power.BootDelayMilliseconds = value;
    }

    /// <summary>Time from a wlan-connect answer to the association and DHCP events.</summary>
    public int AssociationDelayMilliseconds
    {
        get => Wlan.AssociationDelayMilliseconds;
        set => Wlan.AssociationDelayMilliseconds = value;
    }

    /// <summary>
    /// Time the module takes to put one transmit buffer on the air before freeing it (0 = as fast as
    /// the host's TCP stack takes it). A timing hook: a slow radio makes the host run out of buffers.
    /// </summary>
    public int TransmitDelayMilliseconds { get; set; }

    /// <summary>Fewest free transmit buffers seen since power-up (0 = the host had to wait for flow control).</summary>
    public int LowestFreeBuffers { get { lock (Sync) return Buffers.LowestFree; } }

    /// <summary>Address DHCP hands the module.</summary>
    public uint DhcpAddress
    {
        get => Wlan.DhcpAddress;
        set => Wlan.DhcpAddress = value;
    }

    /// <summary>Complete frames exchanged (host writes and module reads).</summary>
    public long Frames { get { lock (Sync) return Spi.Frames; } }

    /// <summary>Framing violations seen (each stops the module until WLAN_EN cycles).</summary>
    public long Violations { get { lock (Sync) return Spi.Violations; } }

    /// <summary>Times WLAN_EN rose (power-ups, including the first).</summary>
    public long PowerUps { get { lock (Sync) return Power.PowerUps; } }

    /// <summary>Times WLAN_EN fell: a reset seen by the module.</summary>
    public long Resets { get { lock (Sync) return Power.PowerDowns; } }

    /// <summary>What the last violation was.</summary>
    public string? LastViolation { get { lock (Sync) return Spi.LastViolation; } }

    /// <summary>True while stopped by a framing violation.</summary>
    public bool IsStopped { get { lock (Sync) return Power.Stopped; } }

    /// <summary>True while hung by <see cref="InjectHang"/>.</summary>
    public bool IsHung { get { lock (Sync) return Power.Hung; } }

    /// <summary>True once the module reported association and DHCP to the host.</summary>
    public bool IsAssociated { get { lock (Sync) return Wlan.Associated; } }

    /// <summary>Sockets open on the module now.</summary>
    public int OpenSockets { get { lock (Sync) return Sockets.OpenCountLocked; } }

    /// <summary>
    /// Fault hook: every command answer (and the data packet of a recv) is signalled this long after
    /// the command, as a module busy with its radio would answer (0 = at once). Unsolicited events
    /// queued behind a late answer wait for it (the module's queue is in order).
    /// </summary>
    public int AnswerDelayMilliseconds
    {
        get => FaultPlan.AnswerDelayMilliseconds;
        set => FaultPlan.AnswerDelayMilliseconds = value;
    }

    /// <summary>
    /// Fault hook: a gethostbyname is answered this long after it was asked (0 = at once); the module
    /// takes other commands meanwhile (the lookup runs on the module). Negative: never answered.
    /// </summary>
    public int DnsDelayMilliseconds
    {
        get => FaultPlan.DnsDelayMilliseconds;
        set => FaultPlan.DnsDelayMilliseconds = value;
    }

    /// <summary>
    /// The module's own TCP connect timeout: a connect to an address that never answers (see
    /// <see cref="AddBlackHole"/>) is answered -1 this long after it was asked. 20 s, chosen (the
    /// part's figure is not documented in what we read; SYN retries take tens of seconds on most stacks).
    /// </summary>
    public int ConnectTimeoutMilliseconds
    {
        get => Sockets.ConnectTimeoutMilliseconds;
        set => Sockets.ConnectTimeoutMilliseconds = value;
    }

    /// <summary>
    /// False (default): a non-blocking recv on a socket whose peer closed, once drained, answers -57
    /// (ERROR_SOCKET_INACTIVE). True: it answers 0 like "nothing yet", and the host learns of the
    /// peer's FIN only from the close-wait event (0x800C, socket id in its first argument), as TI's
    /// host driver documents the event.
    /// </summary>
    public bool PeerCloseOnlyByEvent
    {
        get => Sockets.PeerCloseOnlyByEvent;
        set => Sockets.PeerCloseOnlyByEvent = value;
    }

    /// <summary>Buffers the module kept by <see cref="WithholdFreeBuffers"/> (free again after a power cycle).</summary>
    public int BuffersWithheld { get { lock (Sync) return Buffers.Withheld; } }

    /// <summary>Free transmit buffers the module has now.</summary>
    public int FreeBuffersNow { get { lock (Sync) return Buffers.FreeCount; } }

    /// <summary>
    /// Fault hook: the next <paramref name="buffers"/> transmit buffers the module frees are not
    /// reported to the host (the free-buffer event 0x4100 that would carry them is lost): the module
    /// has them free again, the host does not know.
    /// </summary>
    public void LoseFreeBufferReports(int buffers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(buffers);
        lock (Sync) FaultPlan.LoseFreeBufferReportsLocked(buffers);
    }

    /// <summary>
    /// Fault hook: the next <paramref name="buffers"/> transmit buffers the module puts on the air are
    /// never freed nor reported until WLAN_EN cycles (the module starves itself, as the CC3000 did when
    /// it needed buffers for ARP or TCP control packets and had none).
    /// </summary>
    public void WithholdFreeBuffers(int buffers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(buffers);
        lock (Sync) FaultPlan.WithholdBuffersLocked(buffers);
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
        lock (Sync)
        {
            Buffers.ReportSpuriousLocked(sd, buffers);
            Spi.UpdateIrqLocked();
        }
    }

    /// <summary>
    /// Fault hook: the next frame the module queues does not pull IRQ low (a lost interrupt); the
    /// line stays high until the host next asserts CS, which wakes the module's SPI side.
    /// </summary>
    public void DropIrqForNextFrame()
    {
        lock (Sync) FaultPlan.ArmIrqDropLocked();
    }

    /// <summary>Fault hook: connects to <paramref name="ipv4"/> get no answer until <see cref="ConnectTimeoutMilliseconds"/>, then -1.</summary>
    public void AddBlackHole(uint ipv4)
    {
        lock (Sync) Routes.AddBlackHoleLocked(ipv4);
    }

    /// <summary>
    /// Fault hook: the module sends the unsolicited event <paramref name="opcode"/> with
    /// <paramref name="args"/> (status 0), as it may send events the host driver does not know.
    /// </summary>
    public void InjectUnsolicitedEvent(int opcode, byte[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        lock (Sync)
        {
            if (!Power.AnsweringLocked || Power.State != Cc3000ModelPower.Phase.Running) return;
            int slot = Queue.BeginEventLocked(opcode, 0);
            if (slot < 0) return;
            Buffer.BlockCopy(args, 0, Queue.Packet(slot), 5, args.Length);
            Queue.EndEventLocked(slot, 5 + args.Length, unsolicited: true);
            Spi.UpdateIrqLocked();
        }
    }

    /// <summary>Sets the access point the module can associate with.</summary>
    public void SetAccessPoint(string ssid, string key)
    {
        lock (Sync) Wlan.SetAccessPointLocked(ssid, key);
    }

    /// <summary>
    /// Fault hook: the access point goes away (false) or comes back (true). Going away drops an
    /// associated module with an unsolicited disconnect (0x8002). While it is away a wlan-connect is
    /// answered but never associates, and the model does not remember it (chosen: the host has to
    /// connect again once the access point is back, the worst case for a host driver).
    /// </summary>
    public void SetAccessPointAvailable(bool available)
    {
        lock (Sync)
        {
            Wlan.SetAccessPointAvailableLocked(available);
            if (!available) Spi.UpdateIrqLocked();
        }
    }

    /// <summary>Fault hook: the next <paramref name="count"/> power-ups never signal ready (IRQ stays high).</summary>
    public void FailNextBoots(int count)
    {
        lock (Sync) FaultPlan.FailBootsLocked(count);
    }

    /// <summary>Adds a name to the module's resolver (names not in the table do not resolve).</summary>
    public void SetHost(string name, uint ipv4)
    {
        lock (Sync) Resolver.SetHostLocked(name, ipv4);
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
        lock (Sync) Routes.ForwardLocked(ipv4, port, hostPort);
    }

    /// <summary>Fault hook: the module stops answering (IRQ high, no events) until WLAN_EN is cycled.</summary>
    public void InjectHang()
    {
        lock (Sync)
        {
            Power.Hung = true;
            Spi.IgnoreTransactionLocked();
            Spi.UpdateIrqLocked();
        }
    }

    public void Dispose()
    {
        _wlanEnable.LevelChanged -= OnWlanEnableChanged;
        lock (Sync)
        {
            _disposed = true;
            PowerOffLocked();
            Monitor.PulseAll(Sync);
        }
    }

    // ----------------------------------------------------------------- SPI side

    public void OnSelect()
    {
        lock (Sync) Spi.OnSelectLocked();
    }

    public void OnDeselect()
    {
        lock (Sync) Spi.OnDeselectLocked();
    }

    public void Exchange(ReadOnlySpan<byte> mosi, Span<byte> miso)
    {
        lock (Sync) Spi.ExchangeLocked(mosi, miso);
    }

    // ----------------------------------------------------------------- power

    private void OnWlanEnableChanged(VirtualGpioPin pin, PinValue level)
    {
        if (level == PinValue.High) Power.PowerUp();
        else
        {
            lock (Sync)
            {
                Power.CountPowerDownLocked();
                PowerOffLocked();
            }
        }
    }

    // Power is gone: every part forgets what it was doing; the host sees IRQ high.
    private void PowerOffLocked()
    {
        Power.OffLocked();
        Spi.ResetLocked();
        Wlan.ResetLocked();
        Sockets.CloseAllLocked();
        Buffers.ResetLocked();
        Queue.ClearLocked();
        Resolver.ResetLocked();
        Spi.UpdateIrqLocked();
    }

    // ----------------------------------------------------------------- for the sockets' host threads

    /// <summary>
    /// Test hook: the stream a socket's host threads read and write for a new TCP connection
    /// (null: the connection's own <see cref="System.Net.Sockets.TcpClient.GetStream"/>).
    /// </summary>
    internal Func<System.Net.Sockets.TcpClient, Stream>? StreamForTests { get; set; }

    /// <summary>The stream the socket threads use for <paramref name="client"/>.</summary>
    internal Stream OpenStream(System.Net.Sockets.TcpClient client) => StreamForTests?.Invoke(client) ?? client.GetStream();

    /// <summary>True once disposed: the model's host threads end. Caller holds the model lock.</summary>
    internal bool DisposedLocked => _disposed;

    /// <summary>Called by a socket's host threads after they changed its state (model lock held).</summary>
    internal void OnSocketChangedLocked()
    {
        Monitor.PulseAll(Sync);
        Spi.UpdateIrqLocked();
    }
}
