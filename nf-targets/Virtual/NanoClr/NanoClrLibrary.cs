using System.Runtime.InteropServices;

namespace CoreFirmware.Virtual.NanoClr;

/// <summary>
/// nanoCLR built with CoreFirmware's HAL bridge (nf-targets/VirtualNanoClr/Native/build-nanoclr-hal),
/// loaded into this process, and the C API it exports: nanoFramework's own (<c>nanoCLR_LoadAssembly</c>,
/// <c>nanoCLR_Run</c>, <c>nanoCLR_SetDebugPrintCallback</c>) and the bridge's (<c>CoreFwHal_*</c>).
/// </summary>
/// <remarks>
/// nanoCLR keeps its whole state in globals, so one loaded library is one MCU. Each instance loads a
/// private copy of the file: two boards (two tests) run side by side, each in its own globals. A copy is
/// never unloaded (nanoCLR leaves detached timer threads running in its code), so every instance costs
/// the library's code and its managed heap (NANOCLR_HEAP_SIZE, 10 MB by default) for the life of the process.
/// </remarks>
public sealed unsafe class NanoClrLibrary
{
    /// <summary>File name of the library in a build's lib folder.</summary>
    public const string FileName = "nanoFramework.nanoCLR.so";

    private NanoClrLibrary(string path, IntPtr handle)
    {
        Path = path;
        LoadAssembly = (delegate* unmanaged<char*, byte*, nuint, int>)Export(handle, "nanoCLR_LoadAssembly");
        Run = (delegate* unmanaged<NanoClrSettings, void>)Export(handle, "nanoCLR_Run");
        SetDebugPrintCallback = (delegate* unmanaged<delegate* unmanaged<byte*, void>, void>)Export(handle, "nanoCLR_SetDebugPrintCallback");
        Attach = (delegate* unmanaged<CoreFwHalHost*, int, int>)Export(handle, "CoreFwHal_Attach");
        RaiseEdge = (delegate* unmanaged<int, int, int>)Export(handle, "CoreFwHal_RaiseEdge");
        RequestExit = (delegate* unmanaged<void>)Export(handle, "CoreFwHal_RequestExit");
        LastNativeCall = (delegate* unmanaged<byte*, int, int>)Export(handle, "CoreFwHal_LastNativeCall");
        HeapStatus = (delegate* unmanaged<long*, long*, int>)Export(handle, "CoreFwHal_HeapStatus");
        ForgetAssemblies = (delegate* unmanaged<void>)Export(handle, "CoreFwHal_ForgetAssemblies");
    }

    /// <summary>The private copy this instance runs.</summary>
    public string Path { get; }

    internal readonly delegate* unmanaged<char*, byte*, nuint, int> LoadAssembly;
    internal readonly delegate* unmanaged<NanoClrSettings, void> Run;
    internal readonly delegate* unmanaged<delegate* unmanaged<byte*, void>, void> SetDebugPrintCallback;
    internal readonly delegate* unmanaged<CoreFwHalHost*, int, int> Attach;
    internal readonly delegate* unmanaged<int, int, int> RaiseEdge;
    internal readonly delegate* unmanaged<void> RequestExit;
    internal readonly delegate* unmanaged<byte*, int, int> LastNativeCall;
    internal readonly delegate* unmanaged<long*, long*, int> HeapStatus;
    internal readonly delegate* unmanaged<void> ForgetAssemblies;

    /// <summary>
    /// The library to use: <c>NANOCLR_LIB</c>/nanoFramework.nanoCLR.so when that variable names a folder,
    /// else the repository's artifacts/nanoclr-hal/lib (where build-nanoclr-hal puts it).
    /// </summary>
    public static string DefaultPath
    {
        get
        {
            string? dir = Environment.GetEnvironmentVariable("NANOCLR_LIB");
            if (!string.IsNullOrEmpty(dir)) return System.IO.Path.Combine(dir, FileName);
            return System.IO.Path.Combine(NanoClrPaths.RepositoryRoot, "artifacts", "nanoclr-hal", "lib", FileName);
        }
    }

    /// <summary>Loads a private copy of <paramref name="path"/> (default <see cref="DefaultPath"/>).</summary>
    /// <exception cref="FileNotFoundException">No library there: the message says how to build it.</exception>
    public static NanoClrLibrary LoadPrivateCopy(string? path = null)
    {
        path ??= DefaultPath;
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"nanoCLR with the HAL bridge is not built ({path} is missing): run the device build, then nf-targets/VirtualNanoClr/Native/build-nanoclr-hal", path);
        string dir = Directory.CreateTempSubdirectory("corefw-nanoclr-").FullName;
        string copy = System.IO.Path.Combine(dir, FileName);
        File.Copy(path, copy);
        IntPtr handle = NativeLibrary.Load(copy);
        // The mapping stays after the file is gone.
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        return new NanoClrLibrary(copy, handle);
    }

    private static IntPtr Export(IntPtr handle, string name)
    {
        if (!NativeLibrary.TryGetExport(handle, name, out IntPtr address))
            throw new EntryPointNotFoundException($"{name} is not exported: this nanoCLR was not built with the HAL bridge (build-nanoclr-hal)");
        return address;
    }
}

/// <summary>nanoCLR's NANO_CLR_SETTINGS (targets/posix/Include/nanoCLR_native.h): the BOOL fields are 4 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NanoClrSettings
{
    public ushort MaxContextSwitches;
    public int WaitForDebugger;
    public int EnterDebuggerLoopAfterExit;
    public int PerformGarbageCollection;
    public int PerformHeapCompaction;
}

/// <summary>The bridge's CoreFwHalHost (nf-targets/VirtualNanoClr/Native/corefw_hal.h): the same order.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CoreFwHalHost
{
    public delegate* unmanaged<int, int, int, int, int> SpiOpen;
    public delegate* unmanaged<int, int, int> SpiSelect;
    public delegate* unmanaged<int, byte*, byte*, int, int> SpiTransfer;
    public delegate* unmanaged<int, int, int> GpioSetMode;
    public delegate* unmanaged<int, int> GpioRead;
    public delegate* unmanaged<int, int, int> GpioWrite;
    public delegate* unmanaged<int, int, int> GpioWatch;
    public delegate* unmanaged<long> ClockTicks;
    public delegate* unmanaged<int, int> FlashGeometry;
    public delegate* unmanaged<int, byte*, int, int> FlashRead;
    public delegate* unmanaged<int, int> FlashErase;
    public delegate* unmanaged<int, byte*, int, int> FlashProgram;
    public delegate* unmanaged<int, int, int> Watchdog;
    public delegate* unmanaged<int, byte*, int, int> SerialWrite;
    public delegate* unmanaged<int, int, int, int> LedSet;
    public delegate* unmanaged<byte*, int, byte*, int, int> LastError;
    public delegate* unmanaged<int, byte*, int, byte*, int, byte*, int, byte*, int, int> Crypto;
    public delegate* unmanaged<int, int*, int> Setting;
    public delegate* unmanaged<int, byte*, int, int> SettingText;
    public delegate* unmanaged<byte*, int> Reset;
}
