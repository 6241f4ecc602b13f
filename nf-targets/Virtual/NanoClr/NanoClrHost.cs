using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.NanoClr;

/// <summary>
/// One MCU running nanoCLR in this process, its HAL served by a board (<see cref="INanoHalBoard"/>):
/// load the deployments (.pe), <see cref="Start"/>, and the interpreter runs on a thread of its own
/// until the program ends or <see cref="Stop"/> asks it to. Then load again and start again: that is
/// the MCU's next boot (nanoCLR starts over in the same library, heap and all; measured: 40 runs of
/// the probe in one library, 21 MB resident). Every native method of
/// CoreFirmware.VirtualNanoClr lands in one of this class's callbacks on that thread; a board model's
/// exception becomes a managed exception in the firmware (with its type where the firmware has it, its
/// message, and an error code), never an exception across the native boundary. <c>Console.WriteLine</c>
/// in the firmware arrives as <see cref="Line"/>.
/// </summary>
/// <remarks>
/// A crash of nanoCLR itself (a segmentation fault in the interpreter) ends the process, as it ends an
/// MCU: the bridge's signal handler first prints "nanoCLR crashed: signal N; last native call: ..." on
/// standard error. Run a program that may crash the interpreter in a child process
/// (<c>dotnet run --project nf-targets/Virtual -- nanoclr X.pe</c>).
/// </remarks>
public sealed unsafe class NanoClrHost : IDisposable
{
    /// <summary>Lines of output kept (the newest).</summary>
    public const int MaxKeptLines = 4000;

    [ThreadStatic] private static NanoClrHost? t_current;

    private readonly NanoClrLibrary _library;
    private readonly INanoHalBoard _board;
    private readonly object _sync = new();
    private readonly List<string> _lines = new();
    private readonly StringBuilder _partial = new();
    private readonly ManualResetEventSlim _exited = new(true);
    private byte[] _zeros = new byte[256];
    private byte[] _scratch = new byte[256];
    private NanoHalFailure? _lastFailure;
    private string? _resetReason;
    private Thread? _thread;
    private long _nativeCalls;
    private long _failures;
    private int _loaded;
    private int _runs;

    /// <param name="board">What the natives drive.</param>
    /// <param name="libraryPath">nanoCLR with the bridge (default <see cref="NanoClrLibrary.DefaultPath"/>).</param>
    public NanoClrHost(INanoHalBoard board, string? libraryPath = null)
    {
        _board = board;
        _library = NanoClrLibrary.LoadPrivateCopy(libraryPath);
    }

    /// <summary>Raised for each line the firmware (or nanoCLR) prints, on the interpreter thread.</summary>
    public event Action<string>? Line;

    /// <summary>The board this MCU drives.</summary>
    public INanoHalBoard Board => _board;

    /// <summary>The newest <see cref="MaxKeptLines"/> lines printed so far.</summary>
    public IReadOnlyList<string> Lines { get { lock (_sync) return _lines.ToArray(); } }

    /// <summary>Native calls served so far.</summary>
    public long NativeCalls => Interlocked.Read(ref _nativeCalls);

    /// <summary>Native calls that failed in the board (each became a managed exception).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Why the firmware reset the MCU in the last run (NativeBoard.Reset), or null when it did not.</summary>
    public string? ResetReason { get { lock (_sync) return _resetReason; } }

    /// <summary>The last failure handed to the firmware, if any.</summary>
    public NanoHalFailure? LastFailure { get { lock (_sync) return _lastFailure; } }

    /// <summary>True when no run is going on: before the first <see cref="Start"/>, and once the interpreter returned (the program ended, or <see cref="Stop"/>).</summary>
    public bool HasExited => _exited.IsSet;

    /// <summary>Runs started (boots of this MCU).</summary>
    public int Runs => _runs;

    /// <summary>The last native call the bridge recorded, e.g. "NativeSpi.Transfer(1, 4)".</summary>
    public string LastNativeCall
    {
        get
        {
            byte* buffer = stackalloc byte[256];
            int n = _library.LastNativeCall(buffer, 256);
            return n <= 0 ? "" : Encoding.ASCII.GetString(buffer, Math.Min(n, 255));
        }
    }

    /// <summary>nanoCLR's managed heap as its last garbage collection left it: total and free bytes.</summary>
    public (long Total, long Free) Heap
    {
        get
        {
            long total, free;
            _library.HeapStatus(&total, &free);
            return (total, free);
        }
    }

    /// <summary>Adds a deployment (a .pe) for the next <see cref="Start"/>.</summary>
    public void Load(string path) => Load(Path.GetFileNameWithoutExtension(path), File.ReadAllBytes(path));

    /// <summary>Adds a deployment under <paramref name="name"/> for the next <see cref="Start"/> (nanoCLR copies it).</summary>
    public void Load(string name, byte[] pe)
    {
        if (!_exited.IsSet) throw new InvalidOperationException("nanoCLR is running: load every .pe before Start");
        int hr;
        fixed (char* n = name)
        fixed (byte* data = pe)
        {
            hr = _library.LoadAssembly(n, data, (nuint)pe.Length);
        }
        if (hr != 0) throw new InvalidDataException($"nanoCLR refused {name} (hr 0x{hr:X8}): not a valid .pe");
        _loaded++;
    }

    /// <summary>Starts the interpreter: the entry point of the loaded deployments runs (a boot of the MCU).</summary>
    public void Start(int maxContextSwitches = 50)
    {
        if (!_exited.IsSet) throw new InvalidOperationException("nanoCLR is already running");
        if (_loaded == 0) throw new InvalidOperationException("no .pe loaded");
        _loaded = 0;
        _runs++;
        lock (_sync) _resetReason = null;
        _exited.Reset();
        var settings = new NanoClrSettings { MaxContextSwitches = (ushort)maxContextSwitches };
        // 16 MB: nanoCLR's native code runs on this thread as it runs on an MCU's main stack.
        _thread = new Thread(() => Interpret(settings), 16 * 1024 * 1024) { IsBackground = true, Name = "nanoCLR" };
        _thread.Start();
    }

    /// <summary>Waits for the program to end; false when it still runs after <paramref name="timeout"/>.</summary>
    public bool WaitForExit(TimeSpan timeout) => _exited.Wait(timeout);

    /// <summary>Asks the interpreter to stop (between two scheduling rounds, or in its idle wait) and waits for it.</summary>
    /// <returns>False when it had not stopped after <paramref name="timeout"/>.</returns>
    public bool Stop(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_exited.IsSet)
        {
            // Repeated: the request is one bit that the interpreter's own flag updates can overwrite.
            _library.RequestExit();
            if (_exited.Wait(TimeSpan.FromMilliseconds(20))) break;
            if (DateTime.UtcNow > deadline) return false;
        }
        return true;
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(10));
    }

    private void Interpret(NanoClrSettings settings)
    {
        t_current = this;
        try
        {
            var host = new CoreFwHalHost
            {
                SpiOpen = &OnSpiOpen,
                SpiSelect = &OnSpiSelect,
                SpiTransfer = &OnSpiTransfer,
                GpioSetMode = &OnGpioSetMode,
                GpioRead = &OnGpioRead,
                GpioWrite = &OnGpioWrite,
                GpioWatch = &OnGpioWatch,
                ClockTicks = &OnClockTicks,
                FlashGeometry = &OnFlashGeometry,
                FlashRead = &OnFlashRead,
                FlashErase = &OnFlashErase,
                FlashProgram = &OnFlashProgram,
                Watchdog = &OnWatchdog,
                SerialWrite = &OnSerialWrite,
                LedSet = &OnLedSet,
                LastError = &OnLastError,
                Crypto = &OnCrypto,
                Setting = &OnSetting,
                SettingText = &OnSettingText,
                Reset = &OnReset,
            };
            _library.Attach(&host, -1);
            _library.SetDebugPrintCallback(&OnDebugPrint);
            _library.Run(settings);
        }
        finally
        {
            // The next run (boot) loads its own deployments: nanoCLR would otherwise keep these.
            _library.ForgetAssemblies();
            FlushPartialLine();
            t_current = null;
            _exited.Set();
        }
    }

    // ── callbacks (interpreter thread) ──

    // Runs a board call; a throw becomes the status code the native side turns into a managed exception.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Serve(Func<NanoClrHost, int> call)
    {
        NanoClrHost? host = t_current;
        if (host == null) return NanoHalFailure.ModelFault;
        Interlocked.Increment(ref host._nativeCalls);
        try
        {
            return call(host);
        }
        catch (Exception e)
        {
            return host.Fail(e);
        }
    }

    // Keeps the failure for the native side's last_error call; returns its code.
    private int Fail(Exception e)
    {
        var failure = NanoHalFailure.From(e);
        lock (_sync) _lastFailure = failure;
        Interlocked.Increment(ref _failures);
        return failure.Code;
    }

    [UnmanagedCallersOnly]
    private static int OnSpiOpen(int busId, int chipSelectPin, int mode, int clockHz) =>
        Serve(h => h._board.SpiOpen(busId, chipSelectPin, (SpiMode)mode, clockHz));

    [UnmanagedCallersOnly]
    private static int OnSpiSelect(int handle, int selected) => Serve(h =>
    {
        h._board.SpiSelect(handle, selected != 0);
        return 0;
    });

    [UnmanagedCallersOnly]
    private static int OnSpiTransfer(int handle, byte* write, byte* read, int count) =>
        Serve(h => h.Transfer(handle, write, read, count));

    private int Transfer(int handle, byte* write, byte* read, int count)
    {
        // A null buffer on the firmware side: zeros out, or a scratch area in.
        if (write == null && _zeros.Length < count) _zeros = new byte[count];
        if (read == null && _scratch.Length < count) _scratch = new byte[count];
        ReadOnlySpan<byte> mosi = write != null ? new ReadOnlySpan<byte>(write, count) : _zeros.AsSpan(0, count);
        Span<byte> miso = read != null ? new Span<byte>(read, count) : _scratch.AsSpan(0, count);
        _board.SpiTransfer(handle, mosi, miso);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static int OnGpioSetMode(int pin, int mode) => Serve(h =>
    {
        h._board.GpioSetMode(pin, (PinMode)mode);
        return 0;
    });

    [UnmanagedCallersOnly]
    private static int OnGpioRead(int pin) => Serve(h => h._board.GpioRead(pin) == PinValue.High ? 1 : 0);

    [UnmanagedCallersOnly]
    private static int OnGpioWrite(int pin, int value) => Serve(h =>
    {
        h._board.GpioWrite(pin, value != 0 ? PinValue.High : PinValue.Low);
        return 0;
    });

    [UnmanagedCallersOnly]
    private static int OnGpioWatch(int pin, int watch) => Serve(h =>
    {
        h._board.GpioWatch(pin, watch != 0 ? h.RaiseEdge : null);
        return 0;
    });

    // From any thread (a model's): queues the edge in the bridge and wakes the interpreter.
    private void RaiseEdge(int pin, bool rising)
    {
        if (_exited.IsSet) return;
        _library.RaiseEdge(pin, rising ? 1 : 0);
    }

    [UnmanagedCallersOnly]
    private static long OnClockTicks()
    {
        NanoClrHost? host = t_current;
        if (host == null) return NanoHalFailure.ModelFault;
        Interlocked.Increment(ref host._nativeCalls);
        try
        {
            return host._board.ClockTicks();
        }
        catch (Exception e)
        {
            return host.Fail(e);
        }
    }

    [UnmanagedCallersOnly]
    private static int OnFlashGeometry(int which) => Serve(h => which == 0 ? h._board.InternalFlashSize : h._board.InternalFlashPageSize);

    [UnmanagedCallersOnly]
    private static int OnFlashRead(int address, byte* buffer, int count) => Serve(h =>
    {
        h._board.InternalFlashRead(address, new Span<byte>(buffer, count));
        return 0;
    });

    [UnmanagedCallersOnly]
    private static int OnFlashErase(int address) => Serve(h =>
    {
        h._board.InternalFlashErase(address);
        return 0;
    });

    [UnmanagedCallersOnly]
    private static int OnFlashProgram(int address, byte* data, int count) => Serve(h =>
    {
        h._board.InternalFlashProgram(address, new ReadOnlySpan<byte>(data, count));
        return 0;
    });

    [UnmanagedCallersOnly]
    private static int OnWatchdog(int operation, int argument) => Serve(h =>
    {
        var watchdog = h._board.Watchdog;
        switch (operation)
        {
            case 0: watchdog.Start(argument); return 0;
            case 1: watchdog.Feed(); return 0;
            case 2: return watchdog.IsRunning ? 1 : 0;
            case 3: return watchdog.LastResetWasWatchdog ? 1 : 0;
            default: throw new ArgumentOutOfRangeException(nameof(operation), operation, "no such watchdog operation");
        }
    });

    [UnmanagedCallersOnly]
    private static int OnSerialWrite(int port, byte* data, int count) => Serve(h =>
    {
        h._board.SerialWrite(port, new ReadOnlySpan<byte>(data, count));
        return 0;
    });

    [UnmanagedCallersOnly]
    private static int OnLedSet(int red, int green, int blue) => Serve(h =>
    {
        h._board.LedSet((byte)red, (byte)green, (byte)blue);
        return 0;
    });

    // A crypto result below zero is a CryptoStatus code for the firmware; the host's own failure is
    // reported 1000 below its code, so the native side can tell the two apart.
    [UnmanagedCallersOnly]
    private static int OnCrypto(int operation, byte* a, int aCount, byte* b, int bCount, byte* c, int cCount, byte* d, int dCount)
    {
        NanoClrHost? host = t_current;
        if (host == null) return NanoHalFailure.ModelFault - 1000;
        Interlocked.Increment(ref host._nativeCalls);
        try
        {
            return host._board.Crypto(operation, new Span<byte>(a, aCount), new Span<byte>(b, bCount),
                new Span<byte>(c, cCount), new Span<byte>(d, dCount));
        }
        catch (Exception e)
        {
            return host.Fail(e) - 1000;
        }
    }

    [UnmanagedCallersOnly]
    private static int OnSetting(int id, int* value) => Serve(h =>
    {
        *value = h._board.Setting(id);
        return 0;
    });

    [UnmanagedCallersOnly]
    private static int OnSettingText(int id, byte* buffer, int capacity) => Serve(h =>
    {
        var text = System.Text.Encoding.ASCII.GetBytes(h._board.SettingText(id));
        if (text.Length > capacity) throw new ArgumentException($"setting {id} is {text.Length} bytes, the firmware's buffer {capacity}");
        text.CopyTo(new Span<byte>(buffer, capacity));
        return text.Length;
    });

    [UnmanagedCallersOnly]
    private static int OnReset(byte* reason) => Serve(h =>
    {
        string why = Marshal.PtrToStringUTF8((IntPtr)reason) ?? "";
        lock (h._sync) h._resetReason = why;
        h._board.Reset(why);
        // This run ends at the interpreter's next scheduling point; the board's owner boots the next one.
        h._library.RequestExit();
        return 0;
    });

    [UnmanagedCallersOnly]
    private static int OnLastError(byte* typeName, int typeNameCapacity, byte* message, int messageCapacity)
    {
        NanoClrHost? host = t_current;
        NanoHalFailure? failure = null;
        if (host != null) lock (host._sync) failure = host._lastFailure;
        CopyZeroTerminated(failure?.TypeName ?? "", typeName, typeNameCapacity);
        CopyZeroTerminated(failure?.Message ?? "unknown failure", message, messageCapacity);
        return failure?.Code ?? NanoHalFailure.ModelFault;
    }

    private static void CopyZeroTerminated(string text, byte* destination, int capacity)
    {
        if (destination == null || capacity <= 0) return;
        // nanoCLR strings end at U+0000, and the message is ASCII-safe for its debug output.
        var bytes = Encoding.UTF8.GetBytes(text.Replace('\0', ' '));
        int n = Math.Min(bytes.Length, capacity - 1);
        // Do not cut a UTF-8 sequence in half.
        while (n > 0 && n < bytes.Length && (bytes[n] & 0xC0) == 0x80) n--;
        bytes.AsSpan(0, n).CopyTo(new Span<byte>(destination, n));
        destination[n] = 0;
    }

    [UnmanagedCallersOnly]
    private static void OnDebugPrint(byte* text)
    {
        NanoClrHost? host = t_current;
        if (host == null || text == null) return;
        try
        {
            host.Append(Marshal.PtrToStringUTF8((IntPtr)text) ?? "");
        }
        catch (Exception)
        {
            // Output is best effort: a listener's exception must not cross into nanoCLR.
        }
    }

    private void Append(string text)
    {
        List<string>? complete = null;
        lock (_sync)
        {
            foreach (char c in text)
            {
                if (c == '\n')
                {
                    if (_partial.Length > 0 && _partial[^1] == '\r') _partial.Length--;
                    (complete ??= new()).Add(_partial.ToString());
                    _partial.Clear();
                }
                else
                {
                    _partial.Append(c);
                }
            }
            if (complete != null) Keep(complete);
        }
        if (complete != null)
            foreach (var line in complete) Line?.Invoke(line);
    }

    private void FlushPartialLine()
    {
        string? last = null;
        lock (_sync)
        {
            if (_partial.Length > 0)
            {
                last = _partial.ToString();
                _partial.Clear();
                Keep(new List<string> { last });
            }
        }
        if (last != null) Line?.Invoke(last);
    }

    private void Keep(List<string> lines)
    {
        _lines.AddRange(lines);
        if (_lines.Count > MaxKeptLines) _lines.RemoveRange(0, _lines.Count - MaxKeptLines);
    }
}
