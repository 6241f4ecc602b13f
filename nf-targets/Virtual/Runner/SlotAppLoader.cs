using System.Reflection;
using System.Runtime.Loader;
using CoreFirmware.Application.App;
using CoreFirmware.Ota.Boot;
using CoreFirmware.Virtual.Hardware;

namespace CoreFirmware.Virtual.Runner;

/// <summary>
/// Loads the user app the bootloader left in the application slot: the payload of the signed
/// image is the app's net10.0 assembly (on a device it would be the deployment blob the
/// nanoFramework interpreter runs). The assembly goes into its own collectible load context so each
/// boot's app can be unloaded; it binds to the firmware assemblies (CoreFirmware.Application and
/// below) already loaded by the runner, so <see cref="IUserApp"/> is the same type on both sides.
/// </summary>
public sealed class SlotAppLoader : IDisposable
{
    // Every context any loader made, weakly: the ones still in memory are the count that must not grow.
    private static readonly List<WeakReference> Created = new();
    private static int _loads;
    private AssemblyLoadContext? _context;

    /// <summary>
    /// App load contexts (of every loader in the process) still in memory: the live one of each core,
    /// plus any that was unloaded but is still held (an app object, a type, a thread of its code). Read
    /// after a full collection; an unloaded context needs two or three to go.
    /// </summary>
    public static int ContextsInMemory
    {
        get
        {
            lock (Created)
            {
                Created.RemoveAll(w => !w.IsAlive);
                return Created.Count;
            }
        }
    }

    /// <summary>Name of the app type loaded last (e.g. "CoreFirmware.Application.Samples.BitcoinTickerApp").</summary>
    public string? AppTypeName { get; private set; }

    /// <summary>Simple name and version of the assembly loaded last.</summary>
    public string? AssemblyName { get; private set; }

    /// <summary>
    /// Reads the payload at <see cref="BootDecision.PayloadOffset"/> in <paramref name="flash"/> and
    /// creates the one public, non-abstract <see cref="IUserApp"/> type it holds. Throws
    /// <see cref="AppLoadException"/> with the reason when the payload is not such an assembly.
    /// </summary>
    public IUserApp Load(VirtualInternalFlash flash, BootDecision decision)
    {
        ArgumentNullException.ThrowIfNull(flash);
        ArgumentNullException.ThrowIfNull(decision);
        if (!decision.RunApplication) throw new AppLoadException("the bootloader found no application to run");
        Unload();
        var payload = new byte[decision.PayloadSize];
        flash.Peek(decision.PayloadOffset, payload);
        var context = new AssemblyLoadContext($"user-app v{decision.ActiveVersion:X8} #{Interlocked.Increment(ref _loads)}", isCollectible: true);
        _context = context;
        lock (Created)
        {
            Created.RemoveAll(w => !w.IsAlive);
            Created.Add(new WeakReference(context, trackResurrection: true));
        }
        Assembly assembly;
        try
        {
            using var stream = new MemoryStream(payload, writable: false);
            assembly = context.LoadFromStream(stream);
        }
        catch (BadImageFormatException e)
        {
            throw new AppLoadException("the application payload is not a .NET assembly: " + e.Message);
        }

        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or TypeLoadException)
        {
            throw new AppLoadException($"{assembly.GetName().Name}: its types do not load: {e.Message}");
        }

        Type[] apps = types.Where(t => t.IsClass && !t.IsAbstract && typeof(IUserApp).IsAssignableFrom(t)).ToArray();
        if (apps.Length != 1)
        {
            throw new AppLoadException($"{assembly.GetName().Name} must hold exactly one public IUserApp class; it holds {apps.Length}");
        }

        ConstructorInfo? ctor = apps[0].GetConstructor(Type.EmptyTypes)
            ?? throw new AppLoadException($"{apps[0].FullName} has no public parameterless constructor");
        AppTypeName = apps[0].FullName;
        AssemblyName = $"{assembly.GetName().Name} {assembly.GetName().Version}";
        try
        {
            return (IUserApp)ctor.Invoke(null);
        }
        catch (TargetInvocationException e)
        {
            throw new AppLoadException($"{apps[0].FullName}'s constructor threw: {e.InnerException?.Message}");
        }
    }

    /// <summary>Names of the app load contexts still in memory ("user-app v01000000 #7": version, load number), oldest first.</summary>
    public static IReadOnlyList<string> ContextNamesInMemory()
    {
        lock (Created)
        {
            return Created.Select(w => (w.Target as AssemblyLoadContext)?.Name).OfType<string>().ToArray();
        }
    }

    /// <summary>Lets the previous boot's app assembly go (call once its thread has stopped).</summary>
    public void Unload()
    {
        _context?.Unload();
        _context = null;
    }

    public void Dispose() => Unload();
}

/// <summary>The application slot's payload could not be turned into a running app.</summary>
public sealed class AppLoadException : Exception
{
    public AppLoadException(string message) : base(message)
    {
    }
}
