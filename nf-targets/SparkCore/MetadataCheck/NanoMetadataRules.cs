using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

/// <summary>The rules, applied to every table that can carry a type.</summary>
sealed class NanoMetadataRules
{
    private readonly PEReader _pe;
    private readonly MetadataReader _md;
    private readonly List<string> _findings = new();

    private readonly ISet<string> _allowedReferences;
    private readonly bool _allowCallBeforeTry;

    /// <param name="pe">The compiled assembly.</param>
    /// <param name="md">Its metadata.</param>
    /// <param name="allowedReferences">Assemblies besides mscorlib this one may reference (other deployments).</param>
    /// <param name="allowCallBeforeTry">Skip <see cref="CallBeforeTryRule"/> (only the repro of that defect needs the pattern).</param>
    public NanoMetadataRules(PEReader pe, MetadataReader md, ISet<string> allowedReferences, bool allowCallBeforeTry = false)
    {
        _pe = pe;
        _md = md;
        _allowedReferences = allowedReferences;
        _allowCallBeforeTry = allowCallBeforeTry;
    }

    public List<string> Check()
    {
        foreach (var h in _md.AssemblyReferences)
        {
            var name = _md.GetString(_md.GetAssemblyReference(h).Name);
            if (name != "mscorlib" && !_allowedReferences.Contains(name))
                _findings.Add($"references assembly '{name}' (allowed: mscorlib{string.Concat(_allowedReferences.Select(a => ", " + a))})");
        }

        int genericParams = _md.GetTableRowCount(TableIndex.GenericParam);
        if (genericParams > 0) _findings.Add($"{genericParams} generic parameter(s) declared (generic types or methods)");
        foreach (var t in _md.TypeDefinitions)
        {
            var td = _md.GetTypeDefinition(t);
            if (td.GetGenericParameters().Count > 0) _findings.Add($"generic type {Name(td)}");
            foreach (var m in td.GetMethods())
            {
                var mdef = _md.GetMethodDefinition(m);
                string where = $"{Name(td)}.{_md.GetString(mdef.Name)}";
                if (mdef.GetGenericParameters().Count > 0) _findings.Add($"generic method {where}");
                Decode(mdef.Signature, where, isMethod: true);
                var rva = mdef.RelativeVirtualAddress;
                if (rva != 0)
                {
                    var body = _pe.GetMethodBody(rva);
                    if (!body.LocalSignature.IsNil)
                        Decode(_md.GetStandaloneSignature(body.LocalSignature).Signature, where + " (locals)", isLocals: true);
                    if (!_allowCallBeforeTry)
                    {
                        foreach (int at in CallBeforeTryRule.Find(body, _md))
                            _findings.Add($"{where}: a call directly before the try at IL_{at:X4} (nanoCLR gives that call's exception to the try's own handlers: put a statement between or restructure; Tests/Nano/Repros)");
                    }
                }
            }
            foreach (var f in td.GetFields())
            {
                var fd = _md.GetFieldDefinition(f);
                Decode(fd.Signature, $"{Name(td)}.{_md.GetString(fd.Name)}", isField: true);
            }
            var baseType = td.BaseType;
            if (!baseType.IsNil && baseType.Kind == HandleKind.TypeSpecification)
                _findings.Add($"{Name(td)} derives from a constructed type");
        }
        foreach (var h in _md.MemberReferences)
        {
            var mr = _md.GetMemberReference(h);
            string where = "reference to " + _md.GetString(mr.Name);
            if (mr.Parent.Kind == HandleKind.TypeReference)
                where = $"reference to {Name(_md.GetTypeReference((TypeReferenceHandle)mr.Parent))}.{_md.GetString(mr.Name)}";
            var kind = mr.GetKind();
            Decode(mr.Signature, where, isMethod: kind == MemberReferenceKind.Method, isField: kind == MemberReferenceKind.Field);
        }
        int methodSpecs = _md.GetTableRowCount(TableIndex.MethodSpec);
        if (methodSpecs > 0) _findings.Add($"{methodSpecs} generic method instantiation(s)");
        for (int row = 1; row <= _md.GetTableRowCount(TableIndex.TypeSpec); row++)
        {
            var ts = _md.GetTypeSpecification(MetadataTokens.TypeSpecificationHandle(row));
            var provider = new Provider(_md);
            var shape = ts.DecodeSignature(provider, null);
            if (provider.Bad.Count > 0) foreach (var b in provider.Bad) _findings.Add($"type specification {shape}: {b}");
        }
        return _findings;
    }

    private void Decode(BlobHandle sig, string where, bool isMethod = false, bool isField = false, bool isLocals = false)
    {
        var provider = new Provider(_md);
        var decoder = new SignatureDecoder<string, object?>(provider, _md, null);
        var reader = _md.GetBlobReader(sig);
        if (isMethod) decoder.DecodeMethodSignature(ref reader);
        else if (isField) decoder.DecodeFieldSignature(ref reader);
        else if (isLocals) decoder.DecodeLocalSignature(ref reader);
        foreach (var b in provider.Bad) _findings.Add($"{where}: {b}");
    }

    private string Name(TypeDefinition td) => _md.GetString(td.Namespace) is { Length: > 0 } ns ? ns + "." + _md.GetString(td.Name) : _md.GetString(td.Name);
    private string Name(TypeReference tr) => _md.GetString(tr.Namespace) is { Length: > 0 } ns ? ns + "." + _md.GetString(tr.Name) : _md.GetString(tr.Name);

    /// <summary>Renders a signature as text and records every construct nanoFramework rejects.</summary>
    private sealed class Provider : ISignatureTypeProvider<string, object?>
    {
        private readonly MetadataReader _md;
        public readonly List<string> Bad = new();
        public Provider(MetadataReader md) => _md = md;

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle h, byte rawTypeKind) => r.GetString(r.GetTypeDefinition(h).Name);
        public string GetTypeFromReference(MetadataReader r, TypeReferenceHandle h, byte rawTypeKind)
        {
            var tr = r.GetTypeReference(h);
            var name = r.GetString(tr.Name);
            if (name.Contains('`')) Bad.Add($"uses generic type {r.GetString(tr.Namespace)}.{name}");
            return name;
        }
        public string GetTypeFromSpecification(MetadataReader r, object? ctx, TypeSpecificationHandle h, byte rawTypeKind)
            => r.GetTypeSpecification(h).DecodeSignature(this, ctx);
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetArrayType(string elementType, ArrayShape shape) { Bad.Add($"multi-dimensional array {elementType}[{new string(',', shape.Rank - 1)}]"); return elementType + "[*]"; }
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetPointerType(string elementType) { Bad.Add($"pointer {elementType}*"); return elementType + "*"; }
        public string GetFunctionPointerType(MethodSignature<string> signature) { Bad.Add("function pointer"); return "fnptr"; }
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments)
        { var s = $"{genericType}<{string.Join(",", typeArguments)}>"; Bad.Add($"generic instantiation {s}"); return s; }
        public string GetGenericMethodParameter(object? ctx, int index) { Bad.Add($"generic method parameter !!{index}"); return "!!" + index; }
        public string GetGenericTypeParameter(object? ctx, int index) { Bad.Add($"generic type parameter !{index}"); return "!" + index; }
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) { Bad.Add($"pinned local {elementType}"); return elementType; }
    }
}
