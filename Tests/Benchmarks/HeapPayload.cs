using System.Reflection;

namespace CoreFirmware.Benchmarks;

/// <summary>
/// The bytes of an object graph that a heap does not store in its own blocks: the elements of
/// primitive arrays (byte[], int[], char[] ...) and the text of strings built at run time. Used to
/// turn nanoCLR's 64-bit heap figures into a Cortex-M estimate: nanoCLR keeps every object header,
/// field and reference in heap blocks of 24 bytes on a 64-bit host and 12 on a Cortex-M, while array
/// elements and string text take the same bytes on both, so a 64-bit figure H with payload P is
/// about (H + P) / 2 on the device (H = 24 b + P, device = 12 b + P).
/// </summary>
/// <remarks>
/// Walks fields of the firmware's own types (namespace CoreFirmware), arrays and strings; other types
/// (threads, wait handles, delegates) are not followed. String literals are not counted: nanoCLR points
/// a literal at the assembly's text and gives it a header block only.
/// </remarks>
public static class HeapPayload
{
    public static long Of(object root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object>();
        pending.Push(root);
        long payload = 0;
        while (pending.Count > 0)
        {
            object o = pending.Pop();
            if (!seen.Add(o)) continue;
            switch (o)
            {
                case string s:
                    if (string.IsInterned(s) == null) payload += s.Length; // ASCII: one UTF-8 byte a char
                    continue;
                case Array a:
                    Type element = a.GetType().GetElementType()!;
                    if (element.IsPrimitive)
                    {
                        payload += (long)a.Length * PrimitiveSize(element);
                    }
                    else if (!element.IsValueType)
                    {
                        foreach (object? e in a)
                        {
                            if (e != null) pending.Push(e);
                        }
                    }
                    continue;
            }
            Type t = o.GetType();
            if (t.Namespace == null || !t.Namespace.StartsWith("CoreFirmware", StringComparison.Ordinal)) continue;
            for (Type? c = t; c != null && c != typeof(object); c = c.BaseType)
            {
                foreach (FieldInfo f in c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (f.FieldType.IsValueType) continue;
                    object? v = f.GetValue(o);
                    if (v != null) pending.Push(v);
                }
            }
        }
        return payload;
    }

    private static int PrimitiveSize(Type t) =>
        t == typeof(byte) || t == typeof(sbyte) || t == typeof(bool) ? 1
        : t == typeof(char) || t == typeof(short) || t == typeof(ushort) ? 2
        : t == typeof(long) || t == typeof(ulong) || t == typeof(double) ? 8
        : 4;
}
