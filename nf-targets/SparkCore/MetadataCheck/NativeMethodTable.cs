using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;

/// <summary>
/// The native method table of an interop assembly, read from the .pe the metadata processor wrote:
/// nanoCLR calls native method i of an assembly through entry i of the table its native code
/// registers (i = the method's index in the .pe's MethodDef table, every method counted, NULL for
/// those with IL), and refuses to load the assembly unless the table's checksum equals the
/// <c>nativeMethodsChecksum</c> the processor put in the .pe header. So the table and the checksum
/// both come from the .pe here, never from a copy kept by hand: names from the compiled .dll, checked
/// against the .pe method by method (counts per type, which methods have no IL).
/// </summary>
/// <remarks>
/// .pe layout (nanoCLR's CLR_RECORD_ASSEMBLY, little-endian): "NFMRK1", CRCs, flags, the native
/// checksum at 20, the version (4 x u16) at 28, then 16 table offsets at 40. A TypeDef record is 24
/// bytes (name, namespace, ..., first method index at 10, virtual/instance/static method counts at
/// 12..14, flags at 22); a MethodDef record is 16 bytes (name, RVA at 2 = 0xFFFF when the method has no
/// IL, flags at 4). Within a type the processor orders methods virtual, instance, static, each in
/// declaration order.
/// </remarks>
sealed class NativeMethodTable
{
    private const int TblTypeDef = 4;
    private const int TblMethodDef = 6;
    private const int TblStrings = 11;
    private const int TypeDefSize = 24;
    private const int MethodDefSize = 16;
    private const ushort NoIl = 0xFFFF;
    private const ushort TdSemanticsMask = 0x0030;
    private const ushort TdDelegate = 0x0200;
    private const ushort TdMulticastDelegate = 0x0400;
    private const uint MdAbstract = 0x00000200;

    /// <summary>One entry of the table: a method of the assembly, native or not.</summary>
    public sealed record Entry(int Index, string TypeName, string MethodName, bool IsNative, string Signature)
    {
        /// <summary>The C++ function that implements a native entry: CoreFwHal_&lt;type&gt;_&lt;method&gt;.</summary>
        public string FunctionName(string prefix) => $"{prefix}_{TypeName}_{MethodName.Replace('.', '_')}";
    }

    private NativeMethodTable(string assemblyName, uint checksum, ushort[] version, List<Entry> entries)
    {
        AssemblyName = assemblyName;
        Checksum = checksum;
        Version = version;
        Entries = entries;
    }

    public string AssemblyName { get; }

    public uint Checksum { get; }

    public ushort[] Version { get; }

    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>Reads the table of <paramref name="pePath"/>, naming its methods from <paramref name="dllPath"/>.</summary>
    public static NativeMethodTable Read(string pePath, string dllPath)
    {
        byte[] pe = File.ReadAllBytes(pePath);
        if (pe.Length < 124 || Encoding.ASCII.GetString(pe, 0, 6) != "NFMRK1")
            throw new InvalidDataException($"{pePath}: no NFMRK1 header");
        uint checksum = BitConverter.ToUInt32(pe, 20);
        var version = new[] { U16(pe, 28), U16(pe, 30), U16(pe, 32), U16(pe, 34) };
        int Table(int t) => (int)BitConverter.ToUInt32(pe, 40 + 4 * t);
        int typeDefs = Table(TblTypeDef), typeDefEnd = Table(TblTypeDef + 1);
        int methodDefs = Table(TblMethodDef), methodDefEnd = Table(TblMethodDef + 1);
        int strings = Table(TblStrings), stringsEnd = Table(TblStrings + 1);
        int typeCount = (typeDefEnd - typeDefs) / TypeDefSize;
        int methodCount = (methodDefEnd - methodDefs) / MethodDefSize;
        string Str(ushort i) => strings + i < stringsEnd ? ReadCString(pe, strings + i) : $"<well-known string {i:X4}>";

        using var stream = File.OpenRead(dllPath);
        using var peReader = new PEReader(stream);
        var md = peReader.GetMetadataReader();
        var dllTypes = new Dictionary<string, TypeDefinition>(StringComparer.Ordinal);
        foreach (var h in md.TypeDefinitions)
        {
            var td = md.GetTypeDefinition(h);
            dllTypes[FullName(md, td)] = td;
        }
        string assemblyName = md.GetString(md.GetAssemblyDefinition().Name);

        var entries = new Entry[methodCount];
        for (int t = 0; t < typeCount; t++)
        {
            int rec = typeDefs + t * TypeDefSize;
            string name = Str(U16(pe, rec)), ns = Str(U16(pe, rec + 2));
            ushort enclosing = U16(pe, rec + 6);
            int first = U16(pe, rec + 10);
            int count = pe[rec + 12] + pe[rec + 13] + pe[rec + 14];
            ushort flags = U16(pe, rec + 22);
            if (count == 0) continue;
            string fullName = enclosing != 0xFFFF ? NestedName(pe, typeDefs, enclosing, Str) + "/" + name : (ns.Length > 0 ? ns + "." + name : name);
            if (!dllTypes.TryGetValue(fullName, out var dllType))
                throw new InvalidDataException($"{pePath}: type {fullName} of the .pe is not in {Path.GetFileName(dllPath)}");
            var ordered = OrderedMethods(md, dllType);
            if (ordered.Count != count)
                throw new InvalidDataException($"{pePath}: {fullName} has {count} methods in the .pe, {ordered.Count} in the .dll");
            bool stubbable = (flags & (TdDelegate | TdMulticastDelegate)) == 0 && (flags & TdSemanticsMask) is 0x0000 or 0x0010;
            for (int i = 0; i < count; i++)
            {
                int mrec = methodDefs + (first + i) * MethodDefSize;
                ushort rva = U16(pe, mrec + 2);
                uint mflags = BitConverter.ToUInt32(pe, mrec + 4);
                var m = ordered[i];
                string mname = md.GetString(m.Name);
                bool dllHasNoIl = m.RelativeVirtualAddress == 0 && (m.Attributes & MethodAttributes.Abstract) == 0;
                bool native = stubbable && rva == NoIl && (mflags & MdAbstract) == 0;
                if (stubbable && native != dllHasNoIl)
                    throw new InvalidDataException($"{pePath}: {fullName}.{mname} is {(native ? "native" : "IL")} in the .pe but not in the .dll (method order differs)");
                entries[first + i] = new Entry(first + i, name, mname, native, Signature(md, m));
            }
        }
        for (int i = 0; i < methodCount; i++)
        {
            if (entries[i] == null) throw new InvalidDataException($"{pePath}: method {i} belongs to no type");
        }
        return new NativeMethodTable(assemblyName, checksum, version, entries.ToList());
    }

    /// <summary>The table as text: the checksum, then one line per native method with its index.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append($"{AssemblyName} {string.Join('.', Version)}: native method table checksum 0x{Checksum:X8}, {Entries.Count} methods, {Entries.Count(e => e.IsNative)} native\n");
        foreach (var e in Entries.Where(e => e.IsNative))
            text.Append($"  [{e.Index,3}] {e.TypeName}.{e.MethodName} {e.Signature}\n");
        return text.ToString();
    }

    /// <summary>
    /// C++ source that registers the table with nanoCLR: the function of each native method
    /// (<paramref name="prefix"/>_type_method, implemented by hand elsewhere: a missing one fails the
    /// link), the table with NULL for the IL methods, and the CLR_RT_NativeAssemblyData named
    /// <paramref name="symbol"/> with the .pe's checksum.
    /// </summary>
    public string ToCpp(string symbol, string prefix, string header)
    {
        var natives = Entries.Where(e => e.IsNative).ToList();
        var duplicate = natives.GroupBy(e => e.FunctionName(prefix)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new InvalidDataException($"{duplicate.Key} would implement {duplicate.Count()} native methods (overloads): give each native method its own name");
        var cpp = new StringBuilder();
        cpp.Append($"// Generated by MetadataCheck native-table from {AssemblyName}.pe: do not edit.\n");
        cpp.Append($"// {natives.Count} native methods of {Entries.Count}; checksum 0x{Checksum:X8} as the metadata processor computed it.\n");
        cpp.Append($"#include \"{header}\"\n\n");
        foreach (var e in natives) cpp.Append($"HRESULT {e.FunctionName(prefix)}(CLR_RT_StackFrame &stack); // {e.Signature}\n");
        cpp.Append("\nstatic const CLR_RT_MethodHandler s_nativeMethods[] = {\n");
        foreach (var e in Entries)
            cpp.Append(e.IsNative ? $"    {e.FunctionName(prefix)}, // {e.Index}\n" : $"    NULL, // {e.Index} {e.TypeName}.{e.MethodName}\n");
        cpp.Append("};\n\n");
        // Declared extern first: a const object at namespace scope has internal linkage in C++.
        cpp.Append($"extern const CLR_RT_NativeAssemblyData {symbol};\n");
        cpp.Append($"const CLR_RT_NativeAssemblyData {symbol} = {{\n");
        cpp.Append($"    \"{AssemblyName}\",\n    0x{Checksum:X8},\n    s_nativeMethods,\n    {{{string.Join(", ", Version)}}},\n}};\n");
        return cpp.ToString();
    }

    // The metadata processor's order within a type: virtual, then other instance, then static methods.
    private static List<MethodDefinition> OrderedMethods(MetadataReader md, TypeDefinition td)
    {
        var all = td.GetMethods().Select(md.GetMethodDefinition).ToList();
        bool IsVirtual(MethodDefinition m) => (m.Attributes & MethodAttributes.Virtual) != 0;
        bool IsStatic(MethodDefinition m) => (m.Attributes & MethodAttributes.Static) != 0;
        return all.Where(IsVirtual)
            .Concat(all.Where(m => !IsVirtual(m) && !IsStatic(m)))
            .Concat(all.Where(IsStatic))
            .ToList();
    }

    private static string NestedName(byte[] pe, int typeDefs, ushort index, Func<ushort, string> str)
    {
        int rec = typeDefs + index * TypeDefSize;
        string name = str(U16(pe, rec)), ns = str(U16(pe, rec + 2));
        ushort enclosing = U16(pe, rec + 6);
        if (enclosing != 0xFFFF) return NestedName(pe, typeDefs, enclosing, str) + "/" + name;
        return ns.Length > 0 ? ns + "." + name : name;
    }

    private static string FullName(MetadataReader md, TypeDefinition td)
    {
        string name = md.GetString(td.Name);
        if (td.IsNested) return FullName(md, md.GetTypeDefinition(td.GetDeclaringType())) + "/" + name;
        string ns = md.GetString(td.Namespace);
        return ns.Length > 0 ? ns + "." + name : name;
    }

    private static string Signature(MetadataReader md, MethodDefinition m)
    {
        var sig = m.DecodeSignature(new SignatureNames(), null);
        var names = m.GetParameters().Select(h => md.GetParameter(h)).Where(p => p.SequenceNumber > 0)
            .OrderBy(p => p.SequenceNumber).Select(p => md.GetString(p.Name)).ToList();
        var args = sig.ParameterTypes.Select((t, i) => i < names.Count ? $"{t} {names[i]}" : t);
        string stat = sig.Header.IsInstance ? "" : "static ";
        return $"{stat}{sig.ReturnType}({string.Join(", ", args)})";
    }

    private static ushort U16(byte[] b, int at) => BitConverter.ToUInt16(b, at);

    private static string ReadCString(byte[] b, int at)
    {
        int end = at;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.UTF8.GetString(b, at, end - at);
    }

    /// <summary>Type names for a signature, as C# spells the primitives.</summary>
    private sealed class SignatureNames : ISignatureTypeProvider<string, object?>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
        {
            PrimitiveTypeCode.Void => "void",
            PrimitiveTypeCode.Boolean => "bool",
            PrimitiveTypeCode.Byte => "byte",
            PrimitiveTypeCode.Int32 => "int",
            PrimitiveTypeCode.Int64 => "long",
            PrimitiveTypeCode.String => "string",
            PrimitiveTypeCode.Object => "object",
            _ => typeCode.ToString(),
        };
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeDefinition(handle).Name);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => reader.GetString(reader.GetTypeReference(handle).Name);
        public string GetByReferenceType(string elementType) => "ref " + elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[,]";
        public string GetGenericInstantiation(string genericType, System.Collections.Immutable.ImmutableArray<string> typeArguments) => genericType;
        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) => "typespec";
    }
}
