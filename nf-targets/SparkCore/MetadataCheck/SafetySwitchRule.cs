using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;

/// <summary>
/// No switch that disables a safety mechanism may reach the firmware (issue 12, item 6). Negative runs
/// (no preemption, a stalled link, no test boot, no staged-image check, no arbiter) wire their
/// replacements in from host or test code through the firmware's seams; the firmware assemblies
/// (the device build's system deployments: Drivers, SparkCore, Ota, Application) must carry none.
/// </summary>
/// <remarks>
/// A finding is:
/// <list type="number">
/// <item>any member, of any visibility, named as one of the switches that were taken out
/// (<see cref="ForbiddenNames"/>);</item>
/// <item>a method visible outside the assembly whose name starts with a fault-injection or bypass verb
/// (<see cref="ForbiddenMethodPrefixes"/>: Inject*, Bypass*, Disable*);</item>
/// <item>a settable bool visible outside the assembly (a property with a public or protected setter, or
/// a public or protected non-readonly field) named like an on/off switch: *Enabled, *Disabled, or
/// starting with Enable, Disable, Bypass, Skip, Inject, Verify or Check
/// (<see cref="SwitchSuffixes"/>, <see cref="SwitchPrefixes"/>).</item>
/// </list>
/// "Visible outside" means a public member (or protected, on an unsealed type) of a type that is public
/// all the way out. Compiler-generated members (backing fields, accessors) are judged through their
/// property.
/// </remarks>
public static class SafetySwitchRule
{
    /// <summary>The switches taken out of the firmware, and their obvious relatives: never again, under any visibility.</summary>
    public static readonly IReadOnlyList<string> ForbiddenNames = new[]
    {
        "PreemptionEnabled", "UserPreemption", "InjectStall", "TestBootEnabled", "VerifyStagedImage",
        "BypassArbiter", "ArbiterEnabled", "WatchdogEnabled",
    };

    /// <summary>Method names that say "fault injection" or "bypass".</summary>
    // Not "Skip": a parser's Skip (JsonTokenReader.Skip, past a value) is no switch; a settable bool SkipX still is.
    public static readonly IReadOnlyList<string> ForbiddenMethodPrefixes = new[] { "Inject", "Bypass", "Disable" };

    /// <summary>Suffixes of a settable bool that reads as an on/off switch.</summary>
    public static readonly IReadOnlyList<string> SwitchSuffixes = new[] { "Enabled", "Disabled" };

    /// <summary>Prefixes of a settable bool that reads as an on/off switch of a mechanism.</summary>
    public static readonly IReadOnlyList<string> SwitchPrefixes = new[] { "Enable", "Disable", "Bypass", "Skip", "Inject", "Verify", "Check" };

    /// <summary>Checks one assembly; returns one line per finding (empty: clean).</summary>
    public static List<string> Check(MetadataReader md)
    {
        var findings = new List<string>();
        foreach (var t in md.TypeDefinitions)
        {
            var td = md.GetTypeDefinition(t);
            string type = FullName(md, td);
            bool typeVisible = IsVisible(md, td);
            bool sealedType = (td.Attributes & TypeAttributes.Sealed) != 0;
            var accessors = new HashSet<MethodDefinitionHandle>();

            foreach (var p in td.GetProperties())
            {
                var pd = md.GetPropertyDefinition(p);
                string name = md.GetString(pd.Name);
                var acc = pd.GetAccessors();
                if (!acc.Getter.IsNil) accessors.Add(acc.Getter);
                if (!acc.Setter.IsNil) accessors.Add(acc.Setter);
                if (IsForbiddenName(name))
                {
                    findings.Add($"{type}.{name}: property named as a safety switch (forbidden name)");
                    continue;
                }
                if (acc.Setter.IsNil || !typeVisible) continue;
                var setter = md.GetMethodDefinition(acc.Setter);
                if (IsVisibleMember(setter.Attributes, sealedType) && IsBoolProperty(md, pd) && IsSwitchName(name))
                    findings.Add($"{type}.{name}: settable bool named like an on/off switch (a safety mechanism must not be switchable in firmware)");
            }

            foreach (var m in td.GetMethods())
            {
                if (accessors.Contains(m)) continue;
                var mdef = md.GetMethodDefinition(m);
                string name = md.GetString(mdef.Name);
                if (IsForbiddenName(name))
                    findings.Add($"{type}.{name}: method named as a safety switch (forbidden name)");
                else if (typeVisible && IsVisibleMember(mdef.Attributes, sealedType) && ForbiddenMethodPrefixes.Any(p => StartsWithWord(name, p)))
                    findings.Add($"{type}.{name}: fault-injection or bypass method (test hooks belong in test code)");
            }

            foreach (var f in td.GetFields())
            {
                var fd = md.GetFieldDefinition(f);
                string name = md.GetString(fd.Name);
                if (name.Contains('<')) continue; // a property's backing field: judged with the property
                if (IsForbiddenName(name))
                {
                    findings.Add($"{type}.{name}: field named as a safety switch (forbidden name)");
                    continue;
                }
                var fa = fd.Attributes;
                bool writable = (fa & (FieldAttributes.InitOnly | FieldAttributes.Literal)) == 0;
                if (typeVisible && writable && IsVisibleField(fa, sealedType) && IsBoolSignature(md, fd.Signature, isField: true) && IsSwitchName(name))
                    findings.Add($"{type}.{name}: writable bool field named like an on/off switch (a safety mechanism must not be switchable in firmware)");
            }
        }

        return findings;
    }

    private static bool IsForbiddenName(string name) => ForbiddenNames.Contains(name.TrimStart('_'), StringComparer.OrdinalIgnoreCase);

    private static bool IsSwitchName(string name) =>
        SwitchSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal)) || SwitchPrefixes.Any(p => StartsWithWord(name, p));

    // "Skip" matches Skip and SkipChecks, not Skipped or Skipper's: the next character starts a new word.
    private static bool StartsWithWord(string name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && (name.Length == prefix.Length || char.IsUpper(name[prefix.Length]));

    private static bool IsVisibleMember(MethodAttributes a, bool sealedType)
    {
        var access = a & MethodAttributes.MemberAccessMask;
        return access == MethodAttributes.Public
            || (!sealedType && (access == MethodAttributes.Family || access == MethodAttributes.FamORAssem));
    }

    private static bool IsVisibleField(FieldAttributes a, bool sealedType)
    {
        var access = a & FieldAttributes.FieldAccessMask;
        return access == FieldAttributes.Public
            || (!sealedType && (access == FieldAttributes.Family || access == FieldAttributes.FamORAssem));
    }

    private static bool IsVisible(MetadataReader md, TypeDefinition td)
    {
        var vis = td.Attributes & TypeAttributes.VisibilityMask;
        if (vis == TypeAttributes.Public) return true;
        if (vis != TypeAttributes.NestedPublic && vis != TypeAttributes.NestedFamily && vis != TypeAttributes.NestedFamORAssem) return false;
        return IsVisible(md, md.GetTypeDefinition(td.GetDeclaringType()));
    }

    private static bool IsBoolProperty(MetadataReader md, PropertyDefinition pd) => IsBoolSignature(md, pd.Signature, isField: false);

    // Field signature: 0x06 type; property signature: 0x08|HASTHIS, param count, return type. bool is ELEMENT_TYPE_BOOLEAN (0x02).
    private static bool IsBoolSignature(MetadataReader md, BlobHandle signature, bool isField)
    {
        var blob = md.GetBlobReader(signature);
        var header = blob.ReadSignatureHeader();
        if (isField != (header.Kind == SignatureKind.Field)) return false;
        if (!isField)
        {
            int parameters = blob.ReadCompressedInteger();
            if (parameters != 0) return false; // an indexer is not a switch
        }
        // Skip custom modifiers (init-only setters carry modreq(IsExternalInit) on the setter, not here, but be safe).
        while (true)
        {
            var code = blob.ReadSignatureTypeCode();
            if (code == SignatureTypeCode.RequiredModifier || code == SignatureTypeCode.OptionalModifier)
            {
                blob.ReadTypeHandle();
                continue;
            }
            return code == SignatureTypeCode.Boolean;
        }
    }

    private static string FullName(MetadataReader md, TypeDefinition td)
    {
        string name = md.GetString(td.Name);
        if (td.GetDeclaringType().IsNil)
        {
            string ns = md.GetString(td.Namespace);
            return ns.Length == 0 ? name : ns + "." + name;
        }
        return FullName(md, md.GetTypeDefinition(td.GetDeclaringType())) + "." + name;
    }
}
