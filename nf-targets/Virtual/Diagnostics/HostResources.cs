using System.Globalization;
using System.Runtime.Loader;

namespace CoreFirmware.Virtual.Diagnostics;

/// <summary>
/// What the host process holds at one moment: OS threads (and how many of them are the thread
/// pool's), active timers, open sockets, assembly load contexts (the user app of each boot has its
/// own, <see cref="Runner.SlotAppLoader"/>) and the managed heap. Taken between the soak's cycles and
/// by the boot-cycle resource test, so what a boot leaves behind shows as a count that grows.
/// </summary>
public sealed record HostResources
{
    /// <summary>OS threads of the process (/proc/self/task; Process.Threads elsewhere).</summary>
    public required int OsThreads { get; init; }

    /// <summary>Thread-pool threads among them (they come and go with load; not owned by a boot).</summary>
    public required int PoolThreads { get; init; }

    /// <summary>Timers scheduled now (System.Threading.Timer.ActiveCount: Timer, Task.Delay, CancelAfter).</summary>
    public required long Timers { get; init; }

    /// <summary>Open socket descriptors (/proc/self/fd entries that are sockets; -1 where unknown).</summary>
    public required int Sockets { get; init; }

    /// <summary>Assembly load contexts not unloaded (AssemblyLoadContext.All: the default one included).</summary>
    public required int LoadContexts { get; init; }

    /// <summary>
    /// User-app load contexts still in memory (<see cref="Runner.SlotAppLoader.ContextsInMemory"/>): the
    /// running app's, plus every unloaded one something still holds. One per running core when nothing leaks.
    /// </summary>
    public required int AppLoadContexts { get; init; }

    /// <summary>Managed heap, bytes (after a full collection when the snapshot was settled).</summary>
    public required long HeapBytes { get; init; }

    /// <summary>Threads not from the pool: the runtime's own few plus every thread a model, a server or the firmware started.</summary>
    public int DedicatedThreads => OsThreads - PoolThreads;

    /// <summary>
    /// Takes a snapshot after <paramref name="collections"/> full garbage collections (with the
    /// finalizers run between them): 0 reads the heap as it is; 1 reports the heap that survives
    /// (the soak, every cycle); <see cref="SettledCollections"/> also lets unloaded load contexts and
    /// finalized sockets really go (an unloaded context needs two or three).
    /// </summary>
    public static HostResources Take(int collections = SettledCollections)
    {
        Collect(collections);
        int contexts = AssemblyLoadContext.All.Count();

        return new HostResources
        {
            OsThreads = CountOsThreads(),
            PoolThreads = ThreadPool.ThreadCount,
            Timers = Timer.ActiveCount,
            Sockets = CountSockets(),
            LoadContexts = contexts,
            AppLoadContexts = Runner.SlotAppLoader.ContextsInMemory,
            HeapBytes = GC.GetTotalMemory(false),
        };
    }

    /// <summary>Collections enough for an unloaded load context to be gone.</summary>
    public const int SettledCollections = 4;

    /// <summary><paramref name="collections"/> full collections, the finalizers run after each.</summary>
    public static void Collect(int collections)
    {
        for (int i = 0; i < collections; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>OS thread names and how many threads carry each (Linux: /proc/self/task/*/comm, 15 characters), most first.</summary>
    public static IReadOnlyList<(string Name, int Count)> ThreadNames()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        const string tasks = "/proc/self/task";
        if (!Directory.Exists(tasks)) return Array.Empty<(string, int)>();
        foreach (string task in Directory.EnumerateDirectories(tasks))
        {
            string name;
            try
            {
                name = File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n');
            }
            catch (IOException)
            {
                continue; // the thread ended while we looked
            }
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }
        return counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value)).ToArray();
    }

    /// <summary>One line: "threads 31 (pool 5) timers 1 sockets 7 contexts 1 (app contexts in memory 1) heap 4.1 MiB".</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        return string.Create(c, $"threads {OsThreads} (pool {PoolThreads}) timers {Timers} sockets {Sockets} contexts {LoadContexts} (app contexts in memory {AppLoadContexts}) heap {HeapBytes / 1048576.0:0.0} MiB");
    }

    private static int CountOsThreads()
    {
        const string tasks = "/proc/self/task";
        if (Directory.Exists(tasks)) return Directory.EnumerateDirectories(tasks).Count();
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.Threads.Count;
    }

    private static int CountSockets()
    {
        const string fds = "/proc/self/fd";
        if (!Directory.Exists(fds)) return -1;
        int n = 0;
        foreach (string fd in Directory.EnumerateFileSystemEntries(fds))
        {
            try
            {
                string? target = new FileInfo(fd).LinkTarget;
                if (target != null && target.StartsWith("socket:", StringComparison.Ordinal)) n++;
            }
            catch (IOException)
            {
                // closed while we looked
            }
        }
        return n;
    }
}
