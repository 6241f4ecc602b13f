using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace CoreFirmware.Virtual.Diagnostics;

/// <summary>
/// Every collection reachable from the roots (the scenario runner: cloud, board, core, firmware of
/// the current boot) and from the static fields of the CoreFirmware assemblies, summed by the field
/// that holds it ("DeviceServer._drops"), and how many objects of each CoreFirmware type are
/// reachable ("Cc3000Driver"). Two censuses taken cycles apart show what accumulates: a field whose
/// count keeps rising, or per-boot objects (drivers, runtimes, apps) that something still holds.
/// Events count too: "VirtualGpioPin.ValueChanged (handlers)" is how many handlers one edge calls.
/// A diagnostic (reflection over private fields, a few milliseconds to a second): the soak takes it
/// only with --census.
/// </summary>
public static class CollectionCensus
{
    private const int MaxElementsWalked = 4096;
    private const int MaxObjects = 200_000;

    /// <summary>One figure: a collection field (summed over its owners) or a type (objects reachable).</summary>
    public sealed record Entry(string Name, long Count, int Holders);

    /// <summary>Walks from <paramref name="roots"/> and the CoreFirmware statics; entries by name.</summary>
    public static IReadOnlyDictionary<string, Entry> Take(params object[] roots)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<(object Value, string Holder)>();
        var counts = new Dictionary<string, (long Count, int Holders)>(StringComparer.Ordinal);
        foreach (object root in roots) Enqueue(root, "root");
        foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!Ours(assembly)) continue;
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                types = e.Types.Where(t => t != null).ToArray()!;
            }
            foreach (Type t in types)
            {
                if (t.ContainsGenericParameters) continue;
                foreach (FieldInfo f in t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (f.IsLiteral) continue;
                    object? v;
                    try
                    {
                        v = f.GetValue(null);
                    }
                    catch (Exception e) when (e is TargetInvocationException or TypeInitializationException or NotSupportedException or FieldAccessException)
                    {
                        continue;
                    }
                    Visit(v, Short(t) + "." + f.Name + " (static)");
                }
            }
        }

        while (queue.Count > 0 && seen.Count < MaxObjects)
        {
            var (value, holder) = queue.Dequeue();
            Walk(value, holder);
        }

        return counts.ToDictionary(p => p.Key, p => new Entry(p.Key, p.Value.Count, p.Value.Holders), StringComparer.Ordinal);

        void Enqueue(object? value, string holder)
        {
            if (value == null || value is string || value is Type || value is MemberInfo || value is Assembly) return;
            Type t = value.GetType();
            if (t.IsPrimitive || t.IsEnum || t.IsPointer) return;
            if (value is Array a && a.GetType().GetElementType()!.IsPrimitive) return;
            if (!seen.Add(value)) return;
            queue.Enqueue((value, holder));
        }

        // A field's value: a collection is counted under the field's name; anything else is walked.
        void Visit(object? value, string field)
        {
            if (value == null) return;
            if (value is Delegate handlers && handlers.GetInvocationList().Length > 1)
            {
                Add(field + " (handlers)", handlers.GetInvocationList().Length);
            }
            if (IsCollection(value.GetType()) && CountOf(value) is long n && !seen.Contains(value))
            {
                Add(field, n);
            }
            Enqueue(value, field);
        }

        void Add(string name, long n)
        {
            var (c, h) = counts.GetValueOrDefault(name);
            counts[name] = (c + n, h + 1);
        }

        void Walk(object value, string holder)
        {
            Type t = value.GetType();
            if (value is Delegate d)
            {
                foreach (Delegate each in d.GetInvocationList()) Enqueue(each.Target, holder);
                return;
            }

            if (value is Array array)
            {
                int i = 0;
                foreach (object? e in array)
                {
                    if (i++ >= MaxElementsWalked) break;
                    Visit(e, holder + "[]");
                }
                return;
            }

            if (IsCollection(t) && value is IEnumerable items)
            {
                int i = 0;
                try
                {
                    foreach (object? e in items)
                    {
                        if (i++ >= MaxElementsWalked) break;
                        Visit(e, holder + "[]");
                    }
                }
                catch (InvalidOperationException)
                {
                    // modified while we looked: a census is a snapshot, not a lock
                }
                return;
            }

            bool ours = Ours(t.Assembly);
            if (!ours && !t.IsValueType && !IsCompilerGenerated(t)) return; // framework objects (sockets, tasks, ASP.NET): not walked
            if (ours) Add("objects: " + Short(t), 1);
            for (Type? k = t; k != null && k != typeof(object); k = k.BaseType)
            {
                foreach (FieldInfo f in k.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (f.FieldType.IsPrimitive || f.FieldType.IsEnum || f.FieldType.IsPointer) continue;
                    object? v;
                    try
                    {
                        v = f.GetValue(value);
                    }
                    catch (Exception e) when (e is NotSupportedException or FieldAccessException or ArgumentException)
                    {
                        continue;
                    }
                    string name = ours ? Short(k) + "." + f.Name : holder + "." + f.Name;
                    Visit(v, name);
                }
            }
        }
    }

    /// <summary>The entries of <paramref name="later"/> that are larger than in <paramref name="earlier"/> (new ones included), most grown first.</summary>
    public static IReadOnlyList<(string Name, long Before, long After)> Grown(IReadOnlyDictionary<string, Entry> earlier, IReadOnlyDictionary<string, Entry> later) =>
        later.Values
            .Select(e => (e.Name, Before: earlier.TryGetValue(e.Name, out Entry? b) ? b.Count : 0, After: e.Count))
            .Where(x => x.After > x.Before)
            .OrderByDescending(x => x.After - x.Before)
            .ThenBy(x => x.Name, StringComparer.Ordinal)
            .ToArray();

    private static bool Ours(Assembly a) => a.GetName().Name is string n && n.StartsWith("CoreFirmware", StringComparison.Ordinal) && !n.Contains("Tests", StringComparison.Ordinal);

    private static bool IsCompilerGenerated(Type t) => t.IsDefined(typeof(CompilerGeneratedAttribute), false);

    private static bool IsCollection(Type t) =>
        !t.IsArray && t.Namespace != null && t.Namespace.StartsWith("System.Collections", StringComparison.Ordinal) && typeof(IEnumerable).IsAssignableFrom(t);

    private static long? CountOf(object value)
    {
        if (value is ICollection c) return c.Count;
        PropertyInfo? p = value.GetType().GetProperty("Count", BindingFlags.Instance | BindingFlags.Public);
        if (p == null || p.PropertyType != typeof(int)) return null;
        try
        {
            return (int)p.GetValue(value)!;
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    private static string Short(Type t)
    {
        string name = t.Name;
        int tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        return t.DeclaringType != null ? Short(t.DeclaringType) + "+" + name : name;
    }
}
