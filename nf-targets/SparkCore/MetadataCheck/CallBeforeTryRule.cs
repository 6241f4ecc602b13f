using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

/// <summary>
/// nanoCLR's defect (Tests/Nano/Repros, CallBeforeTry): an exception thrown by a call whose return
/// address is the first instruction of a <c>try</c> is handled by that try's own handlers, so a
/// <c>finally</c> runs for a block that never started and a <c>catch</c> takes what belongs to the
/// caller. This rule walks a method body's IL and finds every call, callvirt, calli or newobj that
/// ends exactly where a protected region begins. Workaround: put a statement between the call and the
/// try, or move the call into the try and guard the handler.
/// </summary>
static class CallBeforeTryRule
{
    private static readonly Dictionary<ushort, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => (ushort)o.Value);

    /// <summary>The IL offsets of the try blocks that a call directly precedes (empty when none).</summary>
    public static List<int> Find(MethodBodyBlock body, MetadataReader md)
    {
        var found = new List<int>();
        if (body.ExceptionRegions.Length == 0) return found;
        var tryStarts = new HashSet<int>(body.ExceptionRegions.Select(r => r.TryOffset));
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            ushort value = il.ReadByte();
            if (value == 0xFE) value = (ushort)(0xFE00 | il.ReadByte());
            if (!OpCodesByValue.TryGetValue(value, out var op)) return found; // not IL we know: leave it to the MDP
            bool isCall = op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Calli || op == OpCodes.Newobj;
            if (isCall)
            {
                int token = il.ReadInt32();
                if (tryStarts.Contains(il.Offset) && !IsMonitorEnter(md, token)) found.Add(il.Offset);
                continue;
            }

            SkipOperand(ref il, op.OperandType);
        }

        return found;
    }

    private static bool IsMonitorEnter(MetadataReader md, int token)
    {
        var handle = MetadataTokens.EntityHandle(token);
        if (handle.Kind != HandleKind.MemberReference) return false;
        var member = md.GetMemberReference((MemberReferenceHandle)handle);
        if (md.GetString(member.Name) != "Enter" || member.Parent.Kind != HandleKind.TypeReference) return false;
        var type = md.GetTypeReference((TypeReferenceHandle)member.Parent);
        return md.GetString(type.Namespace) == "System.Threading" && md.GetString(type.Name) == "Monitor";
    }

    private static void SkipOperand(ref BlobReader il, OperandType type)
    {
        switch (type)
        {
            case OperandType.InlineNone:
                break;
            case OperandType.ShortInlineBrTarget:
            case OperandType.ShortInlineI:
            case OperandType.ShortInlineVar:
                il.Offset += 1;
                break;
            case OperandType.InlineVar:
                il.Offset += 2;
                break;
            case OperandType.InlineI8:
            case OperandType.InlineR:
                il.Offset += 8;
                break;
            case OperandType.InlineSwitch:
                int n = il.ReadInt32();
                il.Offset += 4 * n;
                break;
            default:
                il.Offset += 4; // tokens, 32-bit branch targets and constants, float32
                break;
        }
    }
}
